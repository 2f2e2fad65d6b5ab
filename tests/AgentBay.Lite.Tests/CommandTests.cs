using AgentBay.Lite.Backend;
using AgentBay.Lite.Tools;

namespace AgentBay.Lite.Tests;

public class CommandTests
{
    private readonly TestClient _test = new();

    private static ToolResult Text(string text, bool isError = false) => new(isError, text, "REQ-T");

    [Fact]
    public async Task Sends_the_command_with_the_maximum_timeout_by_default()
    {
        var calls = _test.AnswerTools(Text("""{"stdout":"hi\n","stderr":"","exit_code":0}"""));

        await _test.Session().Commands.ExecuteAsync("echo hi");

        (string tool, string json) = Assert.Single(calls);
        Assert.Equal("shell", tool);
        Assert.Equal("""{"command":"echo hi","timeout_ms":50000}""", json);
    }

    [Fact]
    public async Task Sends_timeout_directory_and_environment()
    {
        var calls = _test.AnswerTools(Text("""{"stdout":"","stderr":"","exit_code":0}"""));
        var options = new CommandOptions
        {
            Timeout = TimeSpan.FromSeconds(5),
            WorkingDirectory = "/tmp",
            Environment = { ["A"] = "1", ["B"] = "two words" },
        };

        await _test.Session().Commands.ExecuteAsync("ls -la", options);

        Assert.Equal(
            """{"command":"ls -la","timeout_ms":5000,"cwd":"/tmp","envs":{"A":"1","B":"two words"}}""",
            Assert.Single(calls).Json);
    }

    [Fact]
    public async Task Escapes_only_what_json_requires()
    {
        var calls = _test.AnswerTools(Text("ok"));

        await _test.Session().Commands.ExecuteAsync("echo \"<h1>café & 日本</h1>\" > /tmp/i.html", CancellationToken.None);

        Assert.Equal(
            """{"command":"echo \"<h1>café & 日本</h1>\" > /tmp/i.html","timeout_ms":50000}""",
            Assert.Single(calls).Json);
    }

    [Theory]
    [InlineData(120_000, 50_000)]
    [InlineData(50_000, 50_000)]
    [InlineData(1_000, 1_000)]
    [InlineData(0.2, 1)]
    public void Timeouts_are_clamped_to_the_service_limit_and_rounded_up(double milliseconds, int expected)
    {
        ShellArguments arguments = AgentBay.Lite.Tools.ToolService.CreateArguments("x", new CommandOptions { Timeout = TimeSpan.FromMilliseconds(milliseconds) });

        Assert.Equal(expected, arguments.TimeoutMs);
    }

    [Fact]
    public async Task Invalid_arguments_are_rejected_before_any_call()
    {
        var commands = _test.Session().Commands;

        await Assert.ThrowsAsync<ArgumentNullException>(() => commands.ExecuteAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => commands.ExecuteAsync("  "));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => commands.ExecuteAsync("x", new CommandOptions { Timeout = TimeSpan.Zero }));
        await Assert.ThrowsAsync<ArgumentException>(() => commands.ExecuteAsync("x", new CommandOptions { WorkingDirectory = " " }));
        await Assert.ThrowsAsync<ArgumentException>(() => commands.ExecuteAsync("x", new CommandOptions { Environment = { [""] = "v" } }));
        Assert.Empty(_test.Backend.ReceivedCalls());
    }

    [Fact]
    public async Task A_json_result_is_read_into_its_parts()
    {
        _test.AnswerTools(Text("""{"stdout":"total 0\n","stderr":"warn\n","exit_code":0,"traceId":"abc"}"""));

        CommandResult result = await _test.Session().Commands.ExecuteAsync("ls");

        Assert.Equal(0, result.ExitCode);
        Assert.True(result.Succeeded);
        Assert.Equal("total 0\n", result.Stdout);
        Assert.Equal("warn\n", result.Stderr);
        Assert.Equal("total 0\nwarn\n", result.Output);
        Assert.Equal("abc", result.TraceId);
    }

    [Fact]
    public async Task A_non_zero_exit_reported_as_a_tool_error_with_errorCode_is_a_result()
    {
        _test.AnswerTools(Text(
            """{"errorCode":1,"stderr":"cat: /x: No such file or directory\n","stdout":"","traceId":"77f9ba80cfac79d39872942b3b4485f2"}""",
            isError: true));

        CommandResult result = await _test.Session().Commands.ExecuteAsync("cat /x");

        Assert.Equal(1, result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.Equal("cat: /x: No such file or directory\n", result.Stderr);
        Assert.Equal("77f9ba80cfac79d39872942b3b4485f2", result.TraceId);
    }

    [Fact]
    public async Task A_non_zero_exit_code_without_a_tool_error_is_a_result()
    {
        _test.AnswerTools(Text("""{"stdout":"","stderr":"bad\n","exit_code":2,"traceId":""}"""));

        CommandResult result = await _test.Session().Commands.ExecuteAsync("false");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("bad\n", result.Output);
        Assert.Null(result.TraceId);
    }

    [Fact]
    public async Task An_exit_code_sent_as_a_string_is_read()
    {
        _test.AnswerTools(Text("""{"stdout":"x","exit_code":"3"}"""));

        CommandResult result = await _test.Session().Commands.ExecuteAsync("exit 3");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal(string.Empty, result.Stderr);
    }

    [Theory]
    [InlineData("hi")]
    [InlineData("{not json")]
    [InlineData("""{"name":"package.json"}""")]
    [InlineData("")]
    public async Task Plain_text_from_older_services_is_the_output_of_a_successful_run(string text)
    {
        _test.AnswerTools(Text(text));

        CommandResult result = await _test.Session().Commands.ExecuteAsync("echo");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(text, result.Stdout);
        Assert.Equal(text, result.Output);
        Assert.Equal(string.Empty, result.Stderr);
        Assert.Null(result.TraceId);
    }

    [Fact]
    public async Task A_tool_error_with_plain_text_is_an_exception_carrying_the_text()
    {
        _test.AnswerTools(Text("Error: command not found", isError: true));

        var ex = await Assert.ThrowsAsync<AgentBayException>(() => _test.Session().Commands.ExecuteAsync("nope"));

        Assert.Equal("Error: command not found", ex.ServerMessage);
        Assert.Equal("REQ-T", ex.RequestId);
        Assert.Contains("shell", ex.Message, StringComparison.Ordinal);
        Assert.Contains(TestClient.SessionId, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_error_with_json_but_no_exit_code_is_an_exception()
    {
        _test.AnswerTools(Text("""{"stdout":"","stderr":"timed out"}""", isError: true));

        var ex = await Assert.ThrowsAsync<AgentBayException>(() => _test.Session().Commands.ExecuteAsync("sleep 99"));

        Assert.Contains("timed out", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_result_with_fields_of_the_wrong_type_is_a_protocol_exception_not_a_json_exception()
    {
        _test.AnswerTools(Text("""{"stdout":"x","exit_code":"abc"}"""));

        var ex = await Assert.ThrowsAsync<AgentBayProtocolException>(() => _test.Session().Commands.ExecuteAsync("x"));

        Assert.Contains("exit_code", ex.BodyExcerpt, StringComparison.Ordinal);
        Assert.Equal("REQ-T", ex.RequestId);
    }

    [Fact]
    public async Task Transport_failures_are_passed_through()
    {
        _test.Backend.CallToolAsync(TestClient.SessionId, "shell", Arg.Any<string>(), Arg.Any<CancellationToken>())
            .Returns(Task.FromException<ToolResult>(new SessionNotFoundException("nf")));

        await Assert.ThrowsAsync<SessionNotFoundException>(() => _test.Session().Commands.ExecuteAsync("x"));
    }
}
