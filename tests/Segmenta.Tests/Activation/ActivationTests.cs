using System.Text;
using Segmenta.Activation;
using Segmenta.Configuration;
using Xunit;

namespace Segmenta.Tests.Activation;

/// <summary>
/// The pieces of activation that need no warehouse: the platforms' normalization before hashing (against the examples the
/// platforms publish, hashed independently with Python's hashlib), the webhook signature (against an HMAC computed with
/// Python's hmac), the retry schedule and the destination file's mistakes.
/// </summary>
public sealed class ActivationTests
{
    // Google Data Manager API, "Format user data": cloudy.sanfrancisco+shopping@gmail.com → cloudysanfrancisco@gmail.com;
    // user.name+NYC@Example.com → user.name+nyc@example.com; the US number (800)555-0100 → +18005550100.
    [Theory]
    [InlineData("cloudy.sanfrancisco+shopping@gmail.com", "cloudysanfrancisco@gmail.com", "223ebda6f6889b1494551ba902d9d381daf2f642bae055888e96343d53e9f9c4")]
    [InlineData("  user.name+NYC@Example.com ", "user.name+nyc@example.com", "f109a2a632fbcea5fc82049f50beed3d8621bf9034399f437fb622222acccdac")]
    [InlineData("Cloudy.SanFrancisco@GoogleMail.com", "cloudysanfrancisco@googlemail.com", null)]
    public void Google_NormalizesEmailAsItsGuidePublishes(string raw, string normalized, string? sha256)
    {
        Assert.Equal(normalized, AudienceMatch.Normalize(DestinationType.GoogleCustomerMatch, "email", raw));
        if (sha256 is not null)
        {
            Assert.Equal(sha256, AudienceMatch.Cell(DestinationType.GoogleCustomerMatch, AudienceMatch.Columns(DestinationType.GoogleCustomerMatch)[0], raw, null, null));
        }
    }

    [Fact]
    public void Meta_KeepsDotsAndPlusOfGmail_OnlyTrimmingAndLowerCasing()
    {
        Assert.Equal("cloudy.sanfrancisco+shopping@gmail.com", AudienceMatch.Normalize(DestinationType.MetaCustomAudience, "email", " Cloudy.SanFrancisco+Shopping@Gmail.com. "));

        // The published vectors of the same rules (Snap's Conversions API parameters, which normalize as Meta does):
        // Person@Example.com → person@example.com → 542d2401…; +44 844 412 4653 (the phone example of Meta's customer-list
        // guide) → 448444124653 → dc008fda….
        var meta = AudienceMatch.Columns(DestinationType.MetaCustomAudience);
        Assert.Equal("542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345", AudienceMatch.Cell(DestinationType.MetaCustomAudience, meta[0], "Person@Example.com", null, null));
        Assert.Equal("448444124653", AudienceMatch.Normalize(DestinationType.MetaCustomAudience, "phone", "+44 844 412 4653"));
        Assert.StartsWith("dc008fda46e2e64002cf2f82a4906236282d4", AudienceMatch.Cell(DestinationType.MetaCustomAudience, meta[1], "+44 844 412 4653", null, null), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(800)555-0100", "1", "+18005550100", "18005550100")]
    [InlineData("+1 800 555 0100", null, "+18005550100", "18005550100")]
    [InlineData("0044 20 7946 0958", null, "+442079460958", "442079460958")]
    [InlineData("020 7946 0958", "44", "+442079460958", "442079460958")]
    [InlineData("800-555-0100", null, null, null)]
    [InlineData("call me", "1", null, null)]
    [InlineData("+1 555", null, null, null)]
    public void Phone_IsE164_WithThePlusForGoogleAndDigitsOnlyForMeta(string raw, string? countryCode, string? google, string? meta)
    {
        Assert.Equal(google, AudienceMatch.Normalize(DestinationType.GoogleCustomerMatch, "phone", raw, countryCode));
        Assert.Equal(meta, AudienceMatch.Normalize(DestinationType.MetaCustomAudience, "phone", raw, countryCode));
    }

    [Fact]
    public void Hashes_AreSha256LowerHex_OfTheNormalizedValue_AndGoogleLeavesCountryAndZipPlain()
    {
        var google = AudienceMatch.Columns(DestinationType.GoogleCustomerMatch);
        var meta = AudienceMatch.Columns(DestinationType.MetaCustomAudience);
        Assert.Equal("fb4f73a6ec5fdb7077d564cdd22c3554b43ce49168550c3b12c547b78c517b30", AudienceMatch.Cell(DestinationType.GoogleCustomerMatch, google[1], "(800) 555-0100", "1", null));
        Assert.Equal("92cfdc5fbcd4a20fbe5d3857af6c1aba31762105bba7f21a17155e920653046c", AudienceMatch.Cell(DestinationType.MetaCustomAudience, meta[1], "(800) 555-0100", "1", null));
        Assert.Equal("96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a", AudienceMatch.Cell(DestinationType.GoogleCustomerMatch, google[2], " John ", null, null));
        Assert.Equal("799ef92a11af918e3fb741df42934f3b568ed2d93ac1df74f1b8d41a27932a6f", AudienceMatch.Cell(DestinationType.MetaCustomAudience, meta[3], "Doe.", null, null));
        Assert.Equal("US", AudienceMatch.Cell(DestinationType.GoogleCustomerMatch, google[4], "us", null, null));
        Assert.Equal("79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621", AudienceMatch.Cell(DestinationType.MetaCustomAudience, meta[4], "US", null, null));
        Assert.Equal("94043-1351", AudienceMatch.Cell(DestinationType.GoogleCustomerMatch, google[5], "94043-1351", null, "US"));
        Assert.Equal("1b10e5e0b47cefad5c4f6c1d10b8b6fbbd5af9756eb01ed5c8ee1f588b65947b", AudienceMatch.Cell(DestinationType.MetaCustomAudience, meta[5], "94043-1351", null, "US"));
        Assert.Null(AudienceMatch.Cell(DestinationType.GoogleCustomerMatch, google[0], "not an e-mail", null, null));
        Assert.Null(AudienceMatch.Normalize(DestinationType.GoogleCustomerMatch, "email", "a@b@c.com"));
    }

    [Fact]
    public void Signature_IsTheHmacOfTimestampDotBody_AndIsRefusedWhenTamperedOrStale()
    {
        var secret = Encoding.UTF8.GetBytes("whsec_test_secret");
        var body = Encoding.UTF8.GetBytes("{\"type\":\"test\"}");
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var header = WebhookSignature.Sign(secret, body, at);
        Assert.Equal("t=1767225600,v1=f214ee272ad899fd43ac1147fdca9b11bfddd0fcad01ae487637ca63e4ac15a0", header);

        Assert.True(WebhookSignature.Verify(secret, body, header, at.AddMinutes(4), WebhookSignature.DefaultWindow, out _));
        Assert.False(WebhookSignature.Verify(secret, body, header, at.AddMinutes(6), WebhookSignature.DefaultWindow, out var stale));
        Assert.Contains("replay window", stale, StringComparison.Ordinal);
        Assert.False(WebhookSignature.Verify(secret, Encoding.UTF8.GetBytes("{\"type\":\"tesT\"}"), header, at, WebhookSignature.DefaultWindow, out var tampered));
        Assert.Contains("does not match", tampered, StringComparison.Ordinal);
        Assert.False(WebhookSignature.Verify(Encoding.UTF8.GetBytes("other"), body, header, at, WebhookSignature.DefaultWindow, out _));
        Assert.False(WebhookSignature.Verify(secret, body, "v1=abc", at, WebhookSignature.DefaultWindow, out _));
        Assert.False(WebhookSignature.Verify(secret, body, null, at, WebhookSignature.DefaultWindow, out _));
    }

    [Fact]
    public void Retry_DoublesUpToTheMaximum_WithEqualJitter_AndTheDefaultOutlastsAnHour()
    {
        var policy = new RetryPolicy(6, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.Equal([1, 2, 4, 8, 10, 10], Enumerable.Range(1, 6).Select(a => policy.Delay(a, 1).TotalSeconds));
        Assert.Equal([0.5, 1, 2, 4, 5, 5], Enumerable.Range(1, 6).Select(a => policy.Delay(a, 0).TotalSeconds));
        Assert.True(RetryPolicy.Default.Patience > TimeSpan.FromHours(1), $"{RetryPolicy.Default.Patience}");
    }

    [Theory]
    [InlineData("type: webhook\nsegments: [a]\nconsent: email\nurl: https://x.example/h\nsecret: abc\n", 5, "secrets never live in files")]
    [InlineData("type: webhook\nsegments: [a]\nconsent: email\nurl: http://crm.example.com/h\nsecret_env: S\n", 4, "https only")]
    [InlineData("type: webhook\nsegments: [a]\nurl: https://x.example/h\nsecret_env: S\n", 1, "consent: email")]
    [InlineData("type: webhok\nsegments: [a]\n", 1, "did you mean")]
    [InlineData("type: file\nsegments: [a]\nconsent: email\nformat: xlsx\n", 4, "csv, jsonl or parquet")]
    [InlineData("type: file\nsegments: [a]\nconsent: email\nurl: https://x.example/h\n", 4, "does not apply to a file destination")]
    [InlineData("type: google_customer_match\nsegments: [a]\nmatch: { mail: email }\n", 3, "unknown match key `mail`")]
    [InlineData("type: webhook\nsegments: [a]\nconsent: email\nurl: https://x.example/h\nsecret_env: S\nretry: { initial: 2 }\n", 6, "duration with its unit")]
    [InlineData("type: file\nsegments: [a, a]\nconsent: email\n", 2, "listed twice")]
    public void Definition_Mistakes_NameTheirLine(string yaml, int line, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => DestinationDefinition.Parse("destinations/x.yaml", yaml));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains($"destinations/x.yaml:{line}:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Definition_AdPlatformsNeedAdsConsentUnlessTold_AndWebhooksReadTheirSecretFromTheEnvironment()
    {
        var google = DestinationDefinition.Parse("destinations/g.yaml", "type: google_customer_match\nsegments: [lapsed]\n");
        Assert.Equal(("g", "ads", "exports/destinations/g"), (google.Name, google.Consent.Channel, google.Drop!.Folder));
        var hook = DestinationDefinition.Parse("destinations/h.yaml", "type: webhook\nsegments: [a, b]\nconsent: ignore\nurl: http://127.0.0.1:8080/x\nsecret_env: HOOK_SECRET\nretry: { attempts: 3, initial: 250ms, max: 2s }\n");
        Assert.Null(hook.Consent.Channel);
        Assert.Equal(new RetryPolicy(3, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2)), hook.Retry);
        Assert.Equal("s3cret", Encoding.UTF8.GetString(hook.Secret(v => v == "HOOK_SECRET" ? "s3cret" : null)));
        var missing = Assert.Throws<DestinationException>(() => hook.Secret(_ => null));
        Assert.Contains("HOOK_SECRET, which is not set", missing.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("250ms", 0.25)]
    [InlineData("2s", 2)]
    [InlineData("1.5m", 90)]
    [InlineData("1h", 3600)]
    [InlineData("0s", 0)]
    public void Durations_CarryTheirUnit(string text, double seconds)
    {
        Assert.True(Durations.TryParse(text, out var d));
        Assert.Equal(seconds, d.TotalSeconds, 6);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("-1s")]
    [InlineData("s")]
    [InlineData("1d")]
    [InlineData("NaNs")]
    public void Durations_WithoutAUnitOrNegative_AreRefused(string text) => Assert.False(Durations.TryParse(text, out _));
}
