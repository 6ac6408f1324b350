using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace VendorGate.Portal.Pages.Vendors;

public sealed class VendorDetailModel(GatewayClient gateway) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public string Name { get; private set; } = "";
    public string Status { get; private set; } = "";
    public string AssessedAt { get; private set; } = "";
    public IReadOnlyList<JsonElement> Requirements { get; private set; } = [];
    public IReadOnlyList<JsonElement> Roster { get; private set; } = [];
    public IReadOnlyList<JsonElement> Evidence { get; private set; } = [];
    public IReadOnlyList<JsonElement> Batches { get; private set; } = [];
    public IReadOnlyList<JsonElement> Exceptions { get; private set; } = [];
    public bool Permitted { get; private set; }
    public int UnreviewedRevocations { get; private set; }

    [TempData]
    public string? Message { get; set; }

    public string? Error { get; private set; }

    public static readonly string[] Kinds = ["soc2-type2", "soc2-type1", "iso27001", "dpa", "retention-policy", "annotator-vetting"];
    public string BatchesChart { get; private set; } = "";
    public string StatusChart { get; private set; } = "";
    public IReadOnlyList<(string Day, string Status)> StatusChanges { get; private set; } = [];
    public IReadOnlyList<(string Code, int Count)> FindingsByCode { get; private set; } = [];

    /// <summary>The last twelve weeks, each batch by when it was opened and how it ended up.</summary>
    private static string WeeklyOutcomes(List<JsonElement> batches)
    {
        var thisWeek = DateTimeOffset.UtcNow.Date.AddDays(-(((int)DateTimeOffset.UtcNow.DayOfWeek + 6) % 7));
        var weeks = Enumerable.Range(0, 12).Select(i => thisWeek.AddDays(-7 * (11 - i))).ToList();
        string[] outcomes = ["accepted", "rejected", "revoked", "pending"];
        var series = outcomes.ToDictionary(o => o, _ => new int[weeks.Count]);
        foreach (var batch in batches)
        {
            var created = batch.GetProperty("createdAt").GetDateTimeOffset().UtcDateTime;
            var week = weeks.FindLastIndex(w => w <= created);
            if (week < 0)
            {
                continue;
            }
            var outcome = batch.GetProperty("status").GetString() switch
            {
                "approved" or "merged" => "accepted",
                "rejected" => "rejected",
                "revoked" => "revoked",
                _ => "pending",
            };
            series[outcome][week]++;
        }
        return Charts.StackedColumns("Batches per week by outcome, last twelve weeks", weeks.Select(w => w.ToString("MM-dd")).ToList(), series);
    }

    /// <summary>Files evidence (procurement): the form's fields and file, forwarded as the Gateway's multipart request.</summary>
    public async Task<IActionResult> OnPostUploadAsync(string kind, string issuedAt, string? expiresAt, int? retentionDays, IFormFile? file, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
        {
            Error = "Choose the document to upload.";
            return await OnGetAsync(ct);
        }
        using var form = new MultipartFormDataContent
        {
            { new StringContent(kind), "kind" }, { new StringContent(issuedAt), "issuedAt" },
        };
        if (!string.IsNullOrEmpty(expiresAt))
        {
            form.Add(new StringContent(expiresAt), "expiresAt");
        }
        if (retentionDays is { } days)
        {
            form.Add(new StringContent(days.ToString(System.Globalization.CultureInfo.InvariantCulture)), "labelEditLogRetentionDays");
        }
        var document = new StreamContent(file.OpenReadStream());
        document.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(string.IsNullOrEmpty(file.ContentType) ? "application/octet-stream" : file.ContentType);
        form.Add(document, "file", file.FileName);
        var (ok, body) = await gateway.PostContentAsync(User, $"/v1/vendors/{Id}/evidence", form, ct);
        if (!ok)
        {
            Error = GatewayClient.Detail(body);
            return await OnGetAsync(ct);
        }
        Message = $"Filed {kind} ({body.GetProperty("digest").GetString()}); it counts once verified.";
        return LocalRedirect($"/Vendors/{Id}");
    }

    /// <summary>An enrolment invitation just issued: shown on this response only, never stored by the Portal.</summary>
    public (string Handle, string Invitation, DateTimeOffset ExpiresAt)? Invitation { get; private set; }

    /// <summary>Whether the viewer manages the roster (a vendor-admin of this vendor; the Gateway decides, the page offers).</summary>
    public bool ManagesRoster => User.IsInRole("vendor-admin") || User.IsInRole("admin");

    /// <summary>Adds an annotator to the roster (vendor-admin, admin); they enrol through an invitation.</summary>
    public async Task<IActionResult> OnPostAnnotatorAsync(string handle, string? displayName, CancellationToken ct)
    {
        var (ok, body) = await gateway.PostAsync(User, $"/v1/vendors/{Id}/annotators", new { handle, displayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName }, ct);
        Message = ok ? $"Added {body.GetProperty("handle").GetString()}: send them an enrolment invitation." : GatewayClient.Detail(body);
        return LocalRedirect($"/Vendors/{Id}");
    }

    /// <summary>Issues a one-time enrolment invitation and shows it once: the annotator redeems it for their own key,
    /// which nobody else sees.</summary>
    public async Task<IActionResult> OnPostInviteAsync(Guid principalId, string handle, CancellationToken ct)
    {
        var (ok, body) = await gateway.PostAsync(User, $"/v1/principals/{principalId}/invitations", new { }, ct);
        if (!ok)
        {
            Error = GatewayClient.Detail(body);
            return await OnGetAsync(ct);
        }
        Invitation = (handle, body.GetProperty("invitation").GetString()!, body.GetProperty("expiresAt").GetDateTimeOffset());
        return await OnGetAsync(ct);
    }

    public async Task<IActionResult> OnPostVerifyAsync(Guid evidenceId, CancellationToken ct)
    {
        var (ok, body) = await gateway.PostAsync(User, $"/v1/vendors/{Id}/evidence/{evidenceId}/verification", new { }, ct);
        Message = ok ? $"Verified {body.GetProperty("kind").GetString()}." : GatewayClient.Detail(body);
        return LocalRedirect($"/Vendors/{Id}");
    }

    /// <summary>Grants a time-boxed exception (procurement): the vendor may upload until the chosen day.</summary>
    public async Task<IActionResult> OnPostExceptionAsync(string reason, DateOnly expiresOn, CancellationToken ct)
    {
        var expiresAt = new DateTimeOffset(expiresOn.ToDateTime(new TimeOnly(23, 59)), TimeSpan.Zero);
        var (ok, body) = await gateway.PostAsync(User, $"/v1/vendors/{Id}/exceptions", new { reason, expiresAt }, ct);
        Message = ok ? $"Exception granted until {expiresAt:yyyy-MM-dd HH:mm} UTC." : GatewayClient.Detail(body);
        return LocalRedirect($"/Vendors/{Id}");
    }

    /// <summary>Records procurement's review of the vendor's revocations, which ends the at-risk they caused.</summary>
    public async Task<IActionResult> OnPostReviewAsync(string note, CancellationToken ct)
    {
        var (ok, body) = await gateway.PostAsync(User, $"/v1/vendors/{Id}/revocation-reviews", new { note }, ct);
        Message = ok ? "Revocations reviewed." : GatewayClient.Detail(body);
        return LocalRedirect($"/Vendors/{Id}");
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            var vendor = await gateway.GetAsync(User, $"/v1/vendors/{Id}", ct);
            var compliance = await gateway.GetAsync(User, $"/v1/vendors/{Id}/compliance", ct);
            Name = vendor.GetProperty("name").GetString()!;
            Status = compliance.GetProperty("status").GetString()!;
            AssessedAt = compliance.GetProperty("assessedAt").GetDateTimeOffset().ToString("yyyy-MM-dd HH:mm 'UTC'");
            Requirements = compliance.GetProperty("requirements").EnumerateArray().ToList();
            Permitted = compliance.GetProperty("permitted").GetBoolean();
            UnreviewedRevocations = compliance.GetProperty("unreviewedRevocations").GetInt32();
            Exceptions = (await gateway.GetAsync(User, $"/v1/vendors/{Id}/exceptions?limit=100", ct)).GetProperty("items").EnumerateArray().ToList();
            Roster = (await gateway.GetAsync(User, $"/v1/vendors/{Id}/annotators?limit=500", ct)).GetProperty("items").EnumerateArray()
                .OrderBy(p => p.GetProperty("handle").GetString(), StringComparer.Ordinal).ToList();
            Evidence = (await gateway.GetAsync(User, $"/v1/vendors/{Id}/evidence?limit=100", ct)).GetProperty("items").EnumerateArray().ToList();
            var batches = (await gateway.GetAsync(User, $"/v1/batches?vendorId={Id}&limit=500", ct)).GetProperty("items").EnumerateArray().ToList();
            BatchesChart = WeeklyOutcomes(batches);
            Batches = batches.Take(50).ToList();
            var history = (await gateway.GetAsync(User, $"/v1/vendors/{Id}/compliance/history?days=90", ct)).EnumerateArray()
                .Select(d => (Day: d.GetProperty("day").GetString()!, Status: d.GetProperty("status").GetString()!)).ToList();
            StatusChanges = history.Where((d, i) => i == 0 || history[i - 1].Status != d.Status).ToList();
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            string? current = null;
            var strip = new List<(DateOnly, string?)>();
            for (var day = today.AddDays(-89); day <= today; day = day.AddDays(1))
            {
                current = history.LastOrDefault(h => h.Day == day.ToString("yyyy-MM-dd")).Status ?? current;
                strip.Add((day, current));
            }
            StatusChart = Charts.StatusStrip("Compliance status per day, last 90 days", strip);
            FindingsByCode = batches.SelectMany(b => b.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()!).Distinct())
                .GroupBy(c => c).Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
            return Page();
        }
        catch (GatewayException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            return NotFound();
        }
    }
}
