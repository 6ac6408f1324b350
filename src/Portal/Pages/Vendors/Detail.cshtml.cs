using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using VendorGate.Client;

namespace VendorGate.Portal.Pages.Vendors;

public sealed class VendorDetailModel(VendorGateClient gateway, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public string Name { get; private set; } = "";
    public string Status { get; private set; } = "";
    public string AssessedAt { get; private set; } = "";
    public IReadOnlyList<Requirement> Requirements { get; private set; } = [];
    public IReadOnlyList<PrincipalView> Roster { get; private set; } = [];
    public IReadOnlyList<EvidenceView> Evidence { get; private set; } = [];
    public IReadOnlyList<BatchView> Batches { get; private set; } = [];
    public IReadOnlyList<ExceptionView> Exceptions { get; private set; } = [];
    public bool Permitted { get; private set; }
    public int UnreviewedRevocations { get; private set; }

    [TempData]
    public string? Message { get; set; }

    public string? Error { get; private set; }

    public static readonly IReadOnlyList<string> Kinds = EvidenceKinds.All;
    public string BatchesChart { get; private set; } = "";
    public string StatusChart { get; private set; } = "";
    public IReadOnlyList<(string Day, string Status)> StatusChanges { get; private set; } = [];
    public IReadOnlyList<(string Code, int Count)> FindingsByCode { get; private set; } = [];

    public static readonly string[] Outcomes = ["accepted", "rejected", "revoked", "pending"];

    /// <summary>The last twelve weeks (Mondays, oldest first) and, per outcome, how many batches opened that week
    /// ended up so: the chart's numbers, shown as a table too.</summary>
    public IReadOnlyList<DateTime> Weeks { get; private set; } = [];
    public IReadOnlyDictionary<string, int[]> WeeklyOutcomes { get; private set; } = new Dictionary<string, int[]>();

    private void CountWeeks(List<BatchView> batches)
    {
        var today = time.GetUtcNow().UtcDateTime.Date;
        var thisWeek = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var weeks = Enumerable.Range(0, 12).Select(i => thisWeek.AddDays(-7 * (11 - i))).ToList();
        var series = Outcomes.ToDictionary(o => o, _ => new int[weeks.Count]);
        foreach (var batch in batches)
        {
            var week = weeks.FindLastIndex(w => w <= batch.CreatedAt.UtcDateTime);
            if (week < 0)
            {
                continue;
            }
            var outcome = batch.Status switch
            {
                "approved" or "merged" => "accepted",
                "rejected" => "rejected",
                "revoked" => "revoked",
                _ => "pending",
            };
            series[outcome][week]++;
        }
        (Weeks, WeeklyOutcomes) = (weeks, series);
        BatchesChart = Charts.StackedColumns("Batches per week by outcome, last twelve weeks", weeks.Select(w => w.ToString("MM-dd")).ToList(), series);
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
        var (filed, refusal) = await Gateway.AttemptAsync(gateway.UploadEvidenceAsync(Id, form, ct));
        if (filed is null)
        {
            Error = refusal;
            return await OnGetAsync(ct);
        }
        Message = $"Filed {kind} ({filed.Digest}); it counts once verified.";
        return LocalRedirect($"/Vendors/{Id}");
    }

    /// <summary>An enrolment invitation just issued: shown on this response only, never stored by the Portal.</summary>
    public (string Handle, string Invitation, DateTimeOffset ExpiresAt)? Invitation { get; private set; }

    /// <summary>Whether the viewer manages the roster (a vendor-admin of this vendor; the Gateway decides, the page offers).</summary>
    public bool ManagesRoster => User.IsInRole(Roles.VendorAdmin) || User.IsInRole(Roles.Admin);

    /// <summary>Adds an annotator to the roster (vendor-admin, admin); they enrol through an invitation.</summary>
    public async Task<IActionResult> OnPostAnnotatorAsync(string handle, string? displayName, CancellationToken ct)
    {
        var (added, refusal) = await Gateway.AttemptAsync(gateway.CreateAnnotatorAsync(Id,
            new() { Handle = handle ?? "", DisplayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName }, ct));
        Message = added is not null ? $"Added {added.Handle}: send them an enrolment invitation." : refusal;
        return LocalRedirect($"/Vendors/{Id}");
    }

    /// <summary>Issues a one-time enrolment invitation and shows it once: the annotator redeems it for their own key,
    /// which nobody else sees.</summary>
    public async Task<IActionResult> OnPostInviteAsync(Guid principalId, string handle, CancellationToken ct)
    {
        var (invitation, refusal) = await Gateway.AttemptAsync(gateway.CreateInvitationAsync(principalId, new(), ct));
        if (invitation is null)
        {
            Error = refusal;
            return await OnGetAsync(ct);
        }
        Invitation = (handle, invitation.Invitation, invitation.ExpiresAt);
        return await OnGetAsync(ct);
    }

    public async Task<IActionResult> OnPostVerifyAsync(Guid evidenceId, CancellationToken ct)
    {
        var (verified, refusal) = await Gateway.AttemptAsync(gateway.VerifyEvidenceAsync(Id, evidenceId, ct));
        Message = verified is not null ? $"Verified {verified.Kind}." : refusal;
        return LocalRedirect($"/Vendors/{Id}");
    }

    /// <summary>Grants a time-boxed exception (procurement): the vendor may upload until the chosen day.</summary>
    public async Task<IActionResult> OnPostExceptionAsync(string reason, DateOnly expiresOn, CancellationToken ct)
    {
        var expiresAt = new DateTimeOffset(expiresOn.ToDateTime(new TimeOnly(23, 59)), TimeSpan.Zero);
        var (granted, refusal) = await Gateway.AttemptAsync(gateway.GrantComplianceExceptionAsync(Id, new() { Reason = reason ?? "", ExpiresAt = expiresAt }, ct));
        Message = granted is not null ? $"Exception granted until {expiresAt:yyyy-MM-dd HH:mm} UTC." : refusal;
        return LocalRedirect($"/Vendors/{Id}");
    }

    /// <summary>Records procurement's review of the vendor's revocations, which ends the at-risk they caused.</summary>
    public async Task<IActionResult> OnPostReviewAsync(string note, CancellationToken ct)
    {
        var (reviewed, refusal) = await Gateway.AttemptAsync(gateway.ReviewRevocationsAsync(Id, new() { Note = note ?? "" }, ct));
        Message = reviewed is not null ? "Revocations reviewed." : refusal;
        return LocalRedirect($"/Vendors/{Id}");
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            var vendor = await gateway.GetVendorAsync(Id, ct);
            var compliance = await gateway.GetComplianceAsync(Id, ct);
            Name = vendor.Name;
            Status = compliance.Status;
            AssessedAt = compliance.AssessedAt.ToString("yyyy-MM-dd HH:mm 'UTC'");
            Requirements = compliance.Requirements;
            Permitted = compliance.Permitted;
            UnreviewedRevocations = compliance.UnreviewedRevocations;
            Exceptions = await gateway.ListComplianceExceptionsAsync(Id, ct).Take(100).ToListAsync(ct);
            Roster = (await gateway.ListRosterAsync(Id, ct).ToListAsync(ct)).OrderBy(p => p.Handle, StringComparer.Ordinal).ToList();
            Evidence = await gateway.ListEvidenceAsync(Id, ct).Take(100).ToListAsync(ct);
            // Twelve weeks of the vendor's batches (newest first) for the chart and the findings count.
            var since = time.GetUtcNow().AddDays(-7 * 12 - 7);
            var batches = await gateway.ListBatchesAsync(vendorId: Id, ct: ct).TakeWhile(b => b.CreatedAt >= since).ToListAsync(ct);
            CountWeeks(batches);
            Batches = batches.Take(50).ToList();
            var history = (await gateway.GetComplianceHistoryAsync(Id, days: 90, ct: ct)).Select(d => (d.Day, d.Status)).ToList();
            StatusChanges = history.Where((d, i) => i == 0 || history[i - 1].Status != d.Status).ToList();
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            string? current = null;
            var strip = new List<(DateOnly, string?)>();
            for (var day = today.AddDays(-89); day <= today; day = day.AddDays(1))
            {
                current = history.LastOrDefault(h => h.Day == day.ToString("yyyy-MM-dd")).Status ?? current;
                strip.Add((day, current));
            }
            StatusChart = Charts.StatusStrip("Compliance status per day, last 90 days", strip);
            FindingsByCode = batches.SelectMany(b => b.Findings.Select(f => f.Code).Distinct())
                .GroupBy(c => c).Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
            return Page();
        }
        catch (VendorGateProblemException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            return NotFound();
        }
    }
}
