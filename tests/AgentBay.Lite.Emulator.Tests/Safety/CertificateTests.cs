using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace AgentBay.Lite.Emulator.Tests.Safety;

/// <summary>The HTTPS certificate is a leaf for the names served, trusted as itself, and never replaced by a failed start.</summary>
public sealed class CertificateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agentbay-cert-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_certificate_is_a_server_leaf_not_a_certificate_authority()
    {
        await using var emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { UseHttps = true, PublicHost = "emulator.test:8443" }, CancellationToken.None);
        var certificate = emulator.Certificate!;

        var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.False(constraints.CertificateAuthority);
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.False(usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        Assert.False(usage.KeyUsages.HasFlag(X509KeyUsageFlags.CrlSign));
        var purposes = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages;
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], purposes.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value));

        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["emulator.test", "localhost"], san.EnumerateDnsNames().Order(StringComparer.Ordinal));
        Assert.Contains(IPAddress.Loopback, san.EnumerateIPAddresses());
        Assert.Contains(IPAddress.IPv6Loopback, san.EnumerateIPAddresses());
    }

    [Fact]
    public async Task A_dotnet_client_trusting_only_the_pem_connects()
    {
        var pem = Path.Combine(_dir, "emulator.pem");
        await using var emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { CertificateOutputPath = pem }, CancellationToken.None);
        using var trusted = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(pem));

        // The chain is built and validated for real, with the PEM as the only trust anchor (no callback that says yes).
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { trusted },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
        };
        using var rpc = new Rpc(emulator, handler);
        (await rpc.CallAsync("ListSession")).AssertOk();
    }

    [Fact]
    public async Task An_openssl_client_trusting_only_the_pem_connects()
    {
        var pem = Path.Combine(_dir, "emulator.pem");
        await using var emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { CertificateOutputPath = pem }, CancellationToken.None);

        // curl verifies with OpenSSL, as Node, Python and most other clients do.
        var (exit, stdout, stderr) = await ProgramRun.RunAsync("curl", "-sS", "--cacert", pem, "-X", "POST",
            "--data-urlencode", "Authorization=Bearer " + emulator.ApiKey,
            new Uri(emulator.Endpoint, "/?Action=ListSession").ToString());
        Assert.True(exit == 0, $"curl exited {exit}: {stderr}");
        Assert.Contains("\"Success\":true", stdout, StringComparison.Ordinal);

        var (refused, _, _) = await ProgramRun.RunAsync("curl", "-sS", "-X", "POST", new Uri(emulator.Endpoint, "/?Action=ListSession").ToString());
        Assert.NotEqual(0, refused); // without the PEM the handshake fails: the trust really comes from it
    }

    [Fact]
    public async Task A_start_that_cannot_bind_leaves_the_running_instances_certificate_alone()
    {
        var pem = Path.Combine(_dir, "emulator.pem");
        await using var running = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { CertificateOutputPath = pem }, CancellationToken.None);
        var before = await File.ReadAllTextAsync(pem);

        await Assert.ThrowsAnyAsync<IOException>(() =>
            AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { CertificateOutputPath = pem, Port = running.Endpoint.Port }, CancellationToken.None));

        Assert.Equal(before, await File.ReadAllTextAsync(pem));
        Assert.Equal(running.CertificatePem!.Trim(), before.Trim());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_work_root_is_private_to_its_owner()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(emulator.WorkDirectory));
    }
}
