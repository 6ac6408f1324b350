using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using UglyToad.PdfPig;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using JsonWebKeySet = VendorGate.Attest.Signing.JsonWebKeySet;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Compliance;

/// <summary>The attestation report: its text read back with PdfPig, its statement verified with the JWKS and with the CLI.</summary>
public abstract class ReportTests<TApp>(TApp app) : IClassFixture<TApp>, IDisposable where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);
    private readonly string _dir = Directory.CreateTempSubdirectory("vg-report-").FullName;

    [Fact]
    public async Task A_non_compliant_vendor_s_report_names_its_status_requirements_roster_and_batches_and_verifies()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, procurement) = await _actors.NewStaffAsync("procurement");
        var handles = new List<string>();
        for (var i = 0; i < 70; i++) // a roster long enough to run onto a second page
        {
            var handle = $"ann-{i:D2}-{Guid.NewGuid().ToString("N")[..6]}";
            await _actors.Admin.PostOk<PrincipalView>($"/v1/vendors/{vendor.VendorId}/annotators", new { handle, displayName = $"Annotator {i}" });
            handles.Add(handle);
        }
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        await vendor.Annotator.UploadAsync(batch, Lines(Actors.Examples(3)));
        await vendor.Annotator.WaitForScanAsync(batch);
        var form = new MultipartFormDataContent
        {
            { new StringContent("dpa"), "kind" }, { new StringContent("2026-01-01"), "issuedAt" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("%PDF dpa")), "file", "dpa.pdf" },
        };
        var dpa = await (await procurement.PostAsync($"/v1/vendors/{vendor.VendorId}/evidence", form)).Json<EvidenceView>();
        await (await _actors.ProcurementAsync()).PostOk<EvidenceView>($"/v1/vendors/{vendor.VendorId}/evidence/{dpa.Id}/verification", new { });

        var response = await procurement.GetAsync($"/v1/vendors/{vendor.VendorId}/report.pdf");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var pdf = await response.Content.ReadAsByteArrayAsync();
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(pdf));
        Assert.Equal(digest, response.Headers.GetValues("VendorGate-Report-Digest").Single());

        using (var document = PdfDocument.Open(pdf))
        {
            var pages = document.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))).ToList();
            var text = string.Join(" ", pages);
            Assert.True(pages.Count >= 2, $"{pages.Count} page(s)");
            Assert.Contains(vendor.Name, text);
            Assert.Contains("Status: non-compliant", text);
            Assert.Contains("Uploads: permitted by an exception until", text);
            Assert.Contains("Onboarding while the vendor's evidence is gathered", text);
            foreach (var requirement in new[] { "SOC 2 Type II", "data processing agreement", "Label-edit logs", "named annotator", "signing key", "blocking finding", "Revocation exercised" })
            {
                Assert.True(text.Contains(requirement), $"{requirement} not in: {text[..Math.Min(3000, text.Length)]}");
            }
            Assert.Contains("NOT MET", text);
            Assert.Contains(dpa.Digest[..20], text.Replace(" ", ""));
            Assert.Contains(handles[0], text);
            Assert.Contains(handles[^1], text);
            Assert.Contains(batch.ToString(), text);
            // The roster table runs onto the next page and its header comes with it.
            var continued = pages.Skip(1).First(p => handles.Any(h => p.Contains(h)));
            Assert.Contains("Handle Name Role Status Since", continued);
        }

        // The statement beside it: subject = the PDF's SHA-256, signed by a key of the JWKS.
        var envelopeBytes = await procurement.GetByteArrayAsync($"/v1/vendors/{vendor.VendorId}/reports/{digest[7..]}/attestation");
        var envelope = Envelope.Parse(envelopeBytes);
        var jwksBytes = await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys");
        Assert.True(new EnvelopeVerifier(JsonWebKeySet.Parse(jwksBytes).Keys).TryVerify(envelope).Valid);
        var statement = Statement.Parse(envelope.Payload);
        Assert.Equal(digest[7..], statement.Subjects[0].Sha256);
        Assert.Equal("non-compliant", statement.Predicate["status"]!.GetValue<string>());
        Assert.Equal(pdf, await procurement.GetByteArrayAsync($"/v1/vendors/{vendor.VendorId}/reports/{digest[7..]}.pdf"));

        // As an auditor would: the CLI on the files.
        var pdfPath = Save("report.pdf", pdf);
        var envelopePath = Save("report.dsse.json", envelopeBytes);
        var jwksPath = Save("keys.json", jwksBytes);
        var (ok, okOutput) = VerifyCli.Run("file", pdfPath, envelopePath, "--keys", jwksPath);
        Assert.True(ok == 0, okOutput);
        var bundlePath = Save("report.sigstore.json", await procurement.GetByteArrayAsync($"/v1/vendors/{vendor.VendorId}/reports/{digest[7..]}/attestation?format=sigstore"));
        var (bundleOk, bundleOutput) = VerifyCli.Run("file", pdfPath, bundlePath, "--keys", jwksPath);
        Assert.True(bundleOk == 0, bundleOutput);
        Assert.Contains("digest: MATCH", okOutput);
        pdf[^20] ^= 1;
        var (bad, badOutput) = VerifyCli.Run("file", Save("tampered.pdf", pdf), envelopePath, "--keys", jwksPath);
        Assert.Equal(1, bad);
        Assert.Contains("MISMATCH", badOutput);

        var other = await _actors.NewVendorAsync();
        await (await other.Annotator.GetAsync($"/v1/vendors/{vendor.VendorId}/report.pdf")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await vendor.Annotator.GetAsync($"/v1/vendors/{vendor.VendorId}/report.pdf")).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await procurement.GetAsync($"/v1/vendors/{vendor.VendorId}/reports/{new string('0', 64)}.pdf")).AssertProblem(HttpStatusCode.NotFound, "not-found");
    }

    private string Save(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

public sealed class ReportOnEmbedded(EmbeddedGateway app) : ReportTests<EmbeddedGateway>(app);

public sealed class ReportOnProduction(ProductionGateway app) : ReportTests<ProductionGateway>(app);
