using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AgentBay.Lite.Emulator.Hosting;

/// <summary>
/// Creates the emulator's TLS certificate: a self-signed <em>leaf</em> for the names it serves, valid 30 days.
/// </summary>
/// <remarks>
/// It is deliberately not a certificate authority (CA:FALSE, no keyCertSign): a user who trusts the PEM trusts this one
/// server certificate, and its key can never sign a certificate for another host. OpenSSL (Node, Python, curl), Go and
/// .NET accept a self-signed leaf that is itself in the trust store.
/// </remarks>
internal static class SelfSignedCertificate
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    /// <summary>Creates a certificate for 127.0.0.1, ::1, localhost and the given extra names (IP addresses or DNS names).</summary>
    public static X509Certificate2 Create(IEnumerable<string> extraNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=AgentBay Emulator (localhost)", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(SubjectAlternativeNames(extraNames));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));

        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));

        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>Writes the public certificate as PEM, replacing the file atomically so a reader never sees half of it.</summary>
    public static void WritePem(X509Certificate2 certificate, string path)
    {
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
        }

        var temporary = full + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(temporary, certificate.ExportCertificatePem() + "\n");
        File.Move(temporary, full, overwrite: true);
    }

    private static X509Extension SubjectAlternativeNames(IEnumerable<string> extraNames)
    {
        var ips = new HashSet<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback };
        var dns = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "localhost" };
        foreach (var name in extraNames)
        {
            if (IPAddress.TryParse(name.Trim('[', ']'), out var ip))
            {
                if (!ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any))
                {
                    ips.Add(ip);
                }
            }
            else if (Uri.CheckHostName(name) == UriHostNameType.Dns)
            {
                dns.Add(name);
            }
        }

        var san = new SubjectAlternativeNameBuilder();
        foreach (var ip in ips)
        {
            san.AddIpAddress(ip);
        }

        foreach (var name in dns)
        {
            san.AddDnsName(name);
        }

        return san.Build();
    }
}
