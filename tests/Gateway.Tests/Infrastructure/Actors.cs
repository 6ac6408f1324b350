using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using VendorGate.Client;
using VendorGate.Gateway.Identity;
using Roles = VendorGate.Gateway.Identity.Roles;

namespace VendorGate.Gateway.Tests.Infrastructure;

public sealed record VendorActors(Guid VendorId, string Name, Guid AnnotatorId, HttpClient Annotator);

/// <summary>Creates the people a test needs through the public API, with names no other test uses.</summary>
public sealed class Actors(GatewayApplication app)
{
    public HttpClient Admin { get; } = app.ClientFor(app.AdminToken);

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    private HttpClient? _procurement;

    /// <summary>A procurement principal of this test's own (compliance exceptions, evidence verification).</summary>
    public async Task<HttpClient> ProcurementAsync() => _procurement ??= (await NewStaffAsync(Roles.Procurement)).Client;

    /// <summary>A vendor with one annotator. Unless <paramref name="exception"/> is false, procurement grants it a 30-day
    /// exception, as onboarding does: without evidence on file the policy refuses its uploads.</summary>
    public async Task<VendorActors> NewVendorAsync(bool exception = true)
    {
        var name = Unique("vendor");
        var vendor = await Admin.Typed().CreateVendorAsync(new() { Name = name, Jurisdiction = "DE", ContactEmail = "ops@example.com" });
        if (exception)
        {
            await (await ProcurementAsync()).Typed().GrantComplianceExceptionAsync(vendor.Id,
                new() { Reason = "Onboarding while the vendor's evidence is gathered", ExpiresAt = DateTimeOffset.UtcNow.AddDays(30) });
        }
        var (annotatorId, annotator) = await NewAnnotatorAsync(vendor.Id);
        return new VendorActors(vendor.Id, name, annotatorId, annotator);
    }

    public async Task<(Guid Id, HttpClient Client)> NewAnnotatorAsync(Guid vendorId)
    {
        var annotator = await Admin.Typed().CreateAnnotatorAsync(vendorId, new() { Handle = Unique("ann") });
        return (annotator.Id, app.ClientFor(await NewTokenAsync(annotator.Id)));
    }

    /// <summary>The principal's own first key, as a person gets it: the admin sends an enrolment invitation, and the
    /// invitation alone (no other credential) is redeemed for the key.</summary>
    public async Task<string> NewTokenAsync(Guid principalId, DateTimeOffset? expiresAt = null)
    {
        var invitation = await Admin.Typed().CreateInvitationAsync(principalId, new());
        var key = await app.ClientFor(null).Typed().RedeemInvitationAsync(new() { Invitation = invitation.Invitation, ExpiresAt = expiresAt });
        return key.Token;
    }

    /// <summary>A batch through upload, scan, receipt, approval by <paramref name="maintainer"/> and signed approval.</summary>
    public static Task<Guid> ApprovedBatchAsync(HttpClient annotator, HttpClient maintainer, params object[] examples) =>
        ApprovedBatchInDomainsAsync(annotator, maintainer, null, examples);

    public static async Task<Guid> ApprovedBatchInDomainsAsync(HttpClient annotator, HttpClient maintainer, string[]? domains, params object[] examples)
    {
        var batches = annotator.Typed();
        var id = (await annotator.CreateBatchAsync(domains)).Id;
        await annotator.UploadAsync(id, HttpExtensions.Lines(examples));
        await HttpExtensions.PollAsync(() => batches.GetBatchAsync(id), b => b.Status is not ("received" or "scanning") && b.Attestation?.State == "signed",
            $"batch {id} to be scanned and its receipt signed");
        await maintainer.Typed().ReviewBatchAsync(id, new() { Decision = "approve", Comment = "ok" });
        await HttpExtensions.PollAsync(() => batches.GetBatchAsync(id), b => b.Approval?.State == "signed", $"batch {id}'s approval to be signed");
        return id;
    }

    public static object[] Examples(int count) =>
        Enumerable.Range(0, count).Select(i => (object)new { prompt = Unique("p"), completion = $"c{i}" }).ToArray();

    public async Task<(Guid Id, HttpClient Client)> NewStaffAsync(params string[] roles)
    {
        var staff = await Admin.Typed().CreateStaffAsync(new() { Name = Unique("staff"), Roles = roles });
        return (staff.Id, app.ClientFor(await NewTokenAsync(staff.Id)));
    }
}

/// <summary>An RFC 9457 problem as the Gateway words it; <see cref="Errors"/> holds a validation problem's fields.</summary>
public sealed record Problem(string Title, int Status, string Detail, string Code, IReadOnlyDictionary<string, string[]>? Errors,
    IReadOnlyList<LineError>? Lines, IReadOnlyDictionary<string, string>? Checks, IReadOnlyList<UnmetRequirement>? Requirements, IReadOnlyList<string>? Domains);

/// <summary>A compliance requirement a refused vendor does not meet (the <c>requirements</c> of a 403 vendor-non-compliant).</summary>
public sealed record UnmetRequirement(string Id, string Title, string Detail);

/// <summary>A refused upload line: its number (from 1) and why.</summary>
public sealed record LineError(long Line, string Reason);

public static class HttpExtensions
{
    public static readonly string Justification = "Customer-support dialogues for the billing domain";

    public static async Task<JsonElement> PostOk(this HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        var json = await response.Json();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} → {(int)response.StatusCode}: {json}");
        return json;
    }

    /// <summary>POSTs and reads the answer as the typed client's record (the OpenAPI schema of that operation).</summary>
    public static async Task<T> PostOk<T>(this HttpClient client, string path, object body) =>
        (await client.PostOk(path, body)).Deserialize<T>(VendorGateClient.Json)!;

    /// <summary>GETs and reads the answer as the typed client's record (the OpenAPI schema of that operation).</summary>
    public static async Task<T> GetOk<T>(this HttpClient client, string path) =>
        (await client.GetOk(path)).Deserialize<T>(VendorGateClient.Json)!;

    /// <summary>A response's body as the typed client's record.</summary>
    public static async Task<T> Json<T>(this HttpResponseMessage response) => (await response.Json()).Deserialize<T>(VendorGateClient.Json)!;

    public static async Task<JsonElement> GetOk(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var json = await response.Json();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} → {(int)response.StatusCode}: {json}");
        return json;
    }

    public static async Task<JsonElement> Json(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 problem with the given status and code, and returns it.</summary>
    public static async Task<Problem> AssertProblem(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<Problem>(body, VendorGateClient.Json)!;
        Assert.Equal((code, (int)status), (problem.Code, problem.Status));
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
        return problem;
    }

    public static Task<BatchView> CreateBatchAsync(this HttpClient client, string[]? domains = null, string? idempotencyKey = null) =>
        client.Typed().CreateBatchAsync(new()
        {
            Justification = Justification, License = "CC-BY-4.0", Source = "vendor", DeclaredDomains = domains ?? ["billing"], IdempotencyKey = idempotencyKey,
        });

    public static Task<HttpResponseMessage> UploadAsync(this HttpClient client, Guid batchId, string ndjson) =>
        client.UploadAsync(batchId, Encoding.UTF8.GetBytes(ndjson));

    public static Task<HttpResponseMessage> UploadAsync(this HttpClient client, Guid batchId, byte[] body, string contentType = "application/x-ndjson", string? encoding = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }
        return client.PutAsync($"/v1/batches/{batchId}/content", content);
    }

    /// <summary>Polls until the scan job has moved the batch past received/scanning.</summary>
    public static Task<BatchView> WaitForScanAsync(this HttpClient client, Guid batchId) =>
        PollAsync(() => client.Typed().GetBatchAsync(batchId), b => b.Status is not ("received" or "scanning"), $"batch {batchId} to be scanned");

    /// <summary>Reads until <paramref name="done"/> holds; after 60 s fails the test with what it last read.</summary>
    public static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, string? what = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"waited 60 s for {what ?? "the condition"}; last read: {value}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Polls until the batch's receipt is signed.</summary>
    public static Task<BatchView> WaitForAttestationAsync(this HttpClient client, Guid batchId) =>
        PollAsync(() => client.Typed().GetBatchAsync(batchId), b => b.Attestation?.State == "signed", $"batch {batchId}'s receipt to be signed");

    /// <summary>The typed client over this client's base address and credential.</summary>
    public static VendorGateClient Typed(this HttpClient client) => new(client, null);

    /// <summary>Every audit entry, paged through with <c>next</c> (the client must read the audit log).</summary>
    public static Task<List<AuditEntryView>> AuditEntriesAsync(this HttpClient auditor) => auditor.Typed().ListAllAuditAsync().ToListAsync().AsTask();

    /// <summary>A typed value as the Gateway's JSON, to compare nested lists by content (records compare lists by reference).</summary>
    public static string Canonical<T>(T value) => JsonSerializer.Serialize(value, VendorGateClient.Json);

    public static string Lines(params object[] examples) =>
        string.Concat(examples.Select(e => (e as string ?? JsonSerializer.Serialize(e)) + "\n"));
}
