using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace AgentBay.Lite.Emulator.Tests;

public sealed class HttpsTests
{
    [Fact]
    public async Task Https_serves_a_generated_certificate_written_as_PEM_and_clients_trusting_it_connect()
    {
        var pemPath = Path.Combine(Path.GetTempPath(), "agentbay-emu-test-" + Guid.NewGuid().ToString("N"), "emulator.pem");
        try
        {
            await using var emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { CertificateOutputPath = pemPath }, CancellationToken.None);
            Assert.Equal("https", emulator.Endpoint.Scheme);
            Assert.True(emulator.IsHttps);

            var pem = await File.ReadAllTextAsync(pemPath);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", pem);
            Assert.DoesNotContain("PRIVATE KEY", pem);
            using var trusted = X509Certificate2.CreateFromPem(pem);
            var san = trusted.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
            Assert.Contains("localhost", san.EnumerateDnsNames());
            Assert.Contains(System.Net.IPAddress.Loopback, san.EnumerateIPAddresses());

            // Trust exactly that certificate, by comparing it with what the server presents.
            var handler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetRawCertData().AsSpan().SequenceEqual(trusted.RawData),
                },
            };
            using var rpc = new Rpc(emulator, handler);
            var id = await rpc.CreateSessionAsync();
            var url = (await rpc.CallAsync("GetLink", ("SessionId", id), ("ProtocolType", "https"), ("Port", "30150"))).AssertOk().Data.GetProperty("Url").GetString();
            Assert.StartsWith($"https://{emulator.HostAndPort}/request_ai/", url);
            Assert.StartsWith("https://", (await rpc.CallAsync("GetSession", ("SessionId", id))).AssertOk().Data.GetProperty("ResourceUrl").GetString());

            // A client that does not trust it fails the handshake: the connection really is TLS with this certificate.
            using var untrusting = new HttpClient { BaseAddress = emulator.Endpoint };
            await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.PostAsync(Rpc.Query("ListSession"), new StringContent("")));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(pemPath)!, recursive: true);
        }
    }

    [Fact]
    public async Task Http_is_the_default()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        Assert.Equal("http", emulator.Endpoint.Scheme);
        Assert.Equal("127.0.0.1", emulator.Endpoint.Host);
        Assert.NotEqual(0, emulator.Endpoint.Port);
        Assert.Null(emulator.CertificatePem);
        Assert.StartsWith("akm-", emulator.ApiKey);
    }

    [Fact]
    public async Task Non_loopback_addresses_need_an_explicit_opt_in()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { Address = System.Net.IPAddress.Any }, CancellationToken.None));
        Assert.Contains("loopback", ex.Message);
    }
}
