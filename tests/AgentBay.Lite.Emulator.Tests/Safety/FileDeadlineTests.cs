using AgentBay.Lite.Emulator.Tools;

namespace AgentBay.Lite.Emulator.Tests.Safety;

/// <summary>A file operation that does not finish answers with a tool error at its deadline instead of holding the request.</summary>
public sealed class FileDeadlineTests
{
    [Fact]
    public async Task An_operation_past_its_deadline_is_a_tool_error_and_the_caller_is_free()
    {
        using var stuck = new ManualResetEventSlim();
        try
        {
            var result = await ToolRunner.WithDeadlineAsync("read_file", () =>
            {
                stuck.Wait(); // a read that never completes (a hung disk, an endless walk)
                return new ToolResult("never", false);
            }, TimeSpan.FromMilliseconds(200), CancellationToken.None);

            Assert.True(result.IsError);
            Assert.Contains("read_file did not finish within 0.2 s", result.Text, StringComparison.Ordinal);
        }
        finally
        {
            stuck.Set();
        }
    }

    [Fact]
    public async Task An_operation_within_its_deadline_answers_as_usual_and_its_errors_pass_through()
    {
        var ok = await ToolRunner.WithDeadlineAsync("get_file_info", () => new ToolResult("size: 1", false), TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(new ToolResult("size: 1", false), ok);

        await Assert.ThrowsAsync<ToolArgumentException>(() =>
            ToolRunner.WithDeadlineAsync("read_file", () => throw new ToolArgumentException("not a regular file: /tmp/pipe"), TimeSpan.FromSeconds(30), CancellationToken.None));
    }
}
