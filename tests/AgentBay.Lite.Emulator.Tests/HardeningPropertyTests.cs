using System.Net;
using System.Text;
using System.Text.Json;

namespace AgentBay.Lite.Emulator.Tests;

/// <summary>
/// Property-style hardening: thousands of random and malformed requests (seeded, so a failure reproduces) always get
/// a 4xx envelope or a valid answer — never a 500 with faults off, never a crash — and the emulator keeps serving.
/// </summary>
public sealed class HardeningPropertyTests : IAsyncLifetime
{
    private const int Seed = 20261121;
    private const int Cases = 3000;

    private static readonly string[] Actions =
    [
        "CreateMcpSession", "GetSession", "GetSessionDetail", "ListSession", "DeleteSessionAsync", "ReleaseMcpSession",
        "GetMcpResource", "GetLink", "CallMcpTool", "GetLabel", "SetLabel", "ListMcpTools", "GetCdpLink",
        "NoSuchAction", "", "getlink", "GetLink%00", "../GetLink",
    ];

    private static readonly string[] Fields =
    [
        "SessionId", "ImageId", "Labels", "Port", "ProtocolType", "Name", "Args", "MaxResults", "NextToken", "Status",
        "Authorization", "LoginRegionId", "ToolName", "Option", "",
    ];

    private AgentBayEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { DisableExec = true }, CancellationToken.None);

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Random_and_malformed_requests_get_a_4xx_envelope_or_a_valid_answer_and_never_a_500()
    {
        using var rpc = new Rpc(_emulator);
        var random = new Random(Seed);
        var sessions = new List<string> { await rpc.CreateSessionAsync(), await rpc.CreateSessionAsync(("ImageId", "browser_latest")) };
        var statuses = new Dictionary<int, int>();

        for (int i = 0; i < Cases; i++)
        {
            string action = Pick(random, Actions);
            var fields = new List<(string, string)>();
            if (random.Next(10) > 0)
            {
                fields.Add(("Authorization", random.Next(8) == 0 ? RandomText(random) : rpc.Auth));
            }

            if (random.Next(3) > 0)
            {
                fields.Add(("SessionId", random.Next(3) == 0 ? RandomText(random) : Pick(random, sessions)));
            }

            int extra = random.Next(5);
            for (int f = 0; f < extra; f++)
            {
                fields.Add((random.Next(6) == 0 ? RandomText(random) : Pick(random, Fields), RandomValue(random)));
            }

            string? form = random.Next(20) == 0 ? RandomText(random) : Rpc.Form([.. fields]);
            string query = random.Next(15) == 0 ? "/?" + RandomText(random) : Rpc.Query(action);
            string contentType = random.Next(20) == 0 ? "application/json" : "application/x-www-form-urlencoded";

            RpcResponse response;
            try
            {
                response = await rpc.SendAsync(query, form, chunked: random.Next(10) == 0, contentType);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                throw new InvalidOperationException($"Case {i} (seed {Seed}): the emulator dropped the connection for {action} {form}", ex);
            }

            int status = (int)response.Status;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status is (>= 200 and < 300) or (>= 400 and < 500), $"Case {i} (seed {Seed}): HTTP {status} for {query} {form}: {response.Body}");
            Assert.True(response.Json.ValueKind == JsonValueKind.Object, $"Case {i} (seed {Seed}): not a JSON envelope for {query} {form}: {response.Body}");
            Assert.True(response.Json.TryGetProperty("RequestId", out _), $"Case {i}: no RequestId: {response.Body}");
            if (status >= 400)
            {
                Assert.False(response.Success, $"Case {i}: an error status with Success true: {response.Body}");
                Assert.False(string.IsNullOrEmpty(response.Code), $"Case {i}: an error without Code: {response.Body}");
            }

            if (action == "CreateMcpSession" && response.Status == HttpStatusCode.OK && response.Data.ValueKind == JsonValueKind.Object
                && response.Data.TryGetProperty("SessionId", out var id) && id.GetString() is { } created)
            {
                sessions.Add(created);
            }
        }

        // Still serving, and correctly.
        string after = await rpc.CreateSessionAsync();
        (await rpc.CallAsync("GetSession", ("Authorization", rpc.Auth), ("SessionId", after))).AssertOk();
        Assert.True(statuses.Keys.Any(s => s >= 400) && statuses.Keys.Any(s => s < 300), "the random forms covered both answers and refusals");
    }

    private static readonly string[] LoneSurrogateJson =
    [
        "{\"k\":\"\\ud800\"}", "{\"\\udc00\":\"v\"}", "{\"command\":\"echo \\ud800\",\"timeout_ms\":1000}",
        "{\"path\":\"/tmp/\\udfff\",\"content\":\"x\"}", "{\"k\":[\"\\ud800\\ud800\"]}", "{\"k\":\"a\\ud83d\"}",
    ];

    /// <summary>Each JSON field the emulator parses, with every member of the lone-surrogate family: always a 4xx, never a 500.</summary>
    [Fact]
    public async Task Lone_surrogates_in_every_json_field_are_a_4xx_envelope()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        foreach (var json in LoneSurrogateJson)
        {
            foreach (var (action, field) in new[] { ("CreateMcpSession", "Labels"), ("SetLabel", "Labels"), ("ListSession", "Labels"), ("CallMcpTool", "Args") })
            {
                var response = await rpc.CallAsync(action, ("SessionId", id), ("Name", "write_file"), (field, json));
                Assert.True((int)response.Status is >= 400 and < 500, $"{action} {field}={json}: HTTP {(int)response.Status} {response.Body}");
                Assert.Equal("InvalidParameter." + field, response.Code);
            }
        }

        (await rpc.CallAsync("GetSession", ("SessionId", id))).AssertOk();
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string RandomValue(Random random) => random.Next(14) switch
    {
        9 => Pick(random, LoneSurrogateJson),                       // JSON escapes no UTF-8 writer can pass on
        10 => "%FF%FE" + RandomText(random),                        // percent-escapes that are not UTF-8 (sent escaped again)
        11 => new string('[', random.Next(60, 2000)),               // nesting deeper than any JSON reader allows
        12 => "{\"k\":\"" + new string('x', random.Next(600, 3000)) + "\"}", // an oversized label value
        13 => "{\"\\ud83d\\ude00\":\"\\ud83d\\ude00\"}",              // a valid surrogate pair: must still work
        0 => string.Empty,
        1 => RandomText(random),
        2 => random.Next(-100_000, 100_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        3 => "{\"k\":" + RandomText(random),                        // truncated JSON
        4 => "[" + random.Next() + ",{}]",                          // wrong JSON type
        5 => "{\"command\":" + random.Next() + ",\"timeout_ms\":\"x\"}", // wrong field types
        6 => "null",
        7 => new string('9', random.Next(1, 40)),                   // overflowing number
        _ => "{\"" + RandomText(random) + "\":{\"a\":[1,2,{\"b\":null}]}}",
    };

    private static string RandomText(Random random)
    {
        int length = random.Next(0, 40);
        var text = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            text.Append(random.Next(6) switch
            {
                0 => (char)random.Next(0x20, 0x7F),
                1 => (char)random.Next(0x80, 0x2FFF),
                2 => "\"{}[]:,\\&=%+"[random.Next(12)],
                3 => (char)random.Next(0x01, 0x20),
                4 => '\uD83D',                              // a lone surrogate
                _ => (char)random.Next('a', 'z' + 1),
            });
        }

        return text.ToString();
    }
}
