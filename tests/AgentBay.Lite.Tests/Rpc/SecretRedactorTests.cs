using AgentBay.Lite.Rpc;

namespace AgentBay.Lite.Tests.Rpc;

public sealed class SecretRedactorTests
{
    private readonly SecretRedactor _redactor = new("akm-the/key+1");

    [Theory]
    [InlineData("key akm-the/key+1 here", "key *** here")]
    [InlineData("escaped akm-the%2Fkey%2B1.", "escaped ***.")]
    [InlineData("another akm-Other_Key-42, done", "another ***, done")]
    [InlineData("AKM-UPPER9 too", "*** too")]
    [InlineData("Authorization=Bearer%20xyz.1&SessionId=s1", "Authorization=Bearer%20***&SessionId=s1")]
    [InlineData("authorization: bearer  tok-en\"rest", "authorization: bearer  ***\"rest")]
    [InlineData("Bearer+a<b", "Bearer+***<b")]
    [InlineData("Bearer ", "Bearer ")]
    [InlineData("akm- alone", "akm- alone")]
    [InlineData("Bearerless text", "Bearerless text")]
    [InlineData("nothing secret", "nothing secret")]
    public void Hides_the_key_and_key_shaped_text(string text, string expected)
    {
        Assert.Equal(expected, _redactor.Redact(text));
    }

    [Fact]
    public void Text_without_a_secret_is_returned_as_it_is()
    {
        const string text = "InvalidParameter: SessionId is missing";

        Assert.Same(text, _redactor.Redact(text));
    }

    [Fact]
    public void Null_and_empty_stay_as_they_are()
    {
        Assert.Null(_redactor.Redact(null));
        Assert.Equal(string.Empty, _redactor.Redact(string.Empty));
    }
}
