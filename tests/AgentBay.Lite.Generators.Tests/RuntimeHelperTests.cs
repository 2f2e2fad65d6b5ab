using System.Text;
using AgentBay.Lite.Http;
using Xunit;

namespace AgentBay.Lite.Generators.Tests;

/// <summary>The SDK helpers generated code calls, exercised past their first buffer.</summary>
public sealed class RuntimeHelperTests
{
    private static readonly string Long = string.Concat(Enumerable.Repeat("a b/ü😀+~", 200)) + "\uD800x"; // ends in a lone surrogate

    [Fact]
    public void Uri_builder_escapes_like_EscapeDataString_and_grows()
    {
        var builder = new RelativeUriBuilder(stackalloc char[16], routeHasQuery: false);
        builder.AppendLiteral("/items/");
        builder.AppendEscaped(Long);
        builder.StartQueryParameter("q");
        builder.AppendFormattable(-12.5);
        builder.StartQueryParameter("b");
        builder.AppendBoolean(false);
        Uri uri = builder.ToUriAndDispose();

        Assert.False(uri.IsAbsoluteUri);
        Assert.Equal("/items/" + Uri.EscapeDataString(Long) + "?q=-12.5&b=false", uri.OriginalString);
    }

    [Fact]
    public async Task Form_writer_escapes_like_EscapeDataString_grows_and_omits_nulls()
    {
        var writer = new FormUrlEncodedWriter(8);
        writer.AddString("A"u8, Long);
        writer.AddString("Skipped"u8, null);
        writer.AddBoolean("B"u8, true);
        writer.AddBoolean("Skipped"u8, null);
        writer.AddFormattable("N"u8, 1e21);
        writer.AddFormattable<int>("Skipped"u8, (int?)null);
        writer.AddUtf8("J"u8, "{\"k\":\"v w\"}"u8);
        using HttpContent content = writer.ToContentAndDispose();

        Assert.Equal("application/x-www-form-urlencoded", content.Headers.ContentType!.ToString());
        Assert.Equal(
            "A=" + Uri.EscapeDataString(Long) + "&B=true&N=" + Uri.EscapeDataString(1e21.ToString(System.Globalization.CultureInfo.InvariantCulture)) + "&J=%7B%22k%22%3A%22v%20w%22%7D",
            Encoding.ASCII.GetString(await content.ReadAsByteArrayAsync()));
    }
}
