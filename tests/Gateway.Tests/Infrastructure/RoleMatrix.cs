using System.Net;

namespace VendorGate.Gateway.Tests.Infrastructure;

/// <summary>One endpoint of a role matrix: the roles allowed, and what they get (the rest get 403, anonymous 401).</summary>
public sealed record MatrixRow(string Name, Func<HttpClient, Task<HttpResponseMessage>> Call, string[] Allowed, HttpStatusCode AllowedStatus)
{
    /// <summary>Roles for which the resource does not exist (404): another's batch to a contributor, say.</summary>
    public string[] Hidden { get; init; } = [];
}

public static class RoleMatrix
{
    public static readonly string[] StaffRoles = ["contributor", "maintainer", "security", "procurement", "auditor"];

    /// <summary>A caller per role: anonymous, the vendor's annotator and vendor-admin, the admin and one staff member per role.</summary>
    public static async Task<Dictionary<string, HttpClient>> CallersAsync(GatewayApplication app, Actors actors, VendorActors vendor)
    {
        var vendorAdmin = await actors.Admin.PostOk($"/v1/vendors/{vendor.VendorId}/admins", new { handle = Actors.Unique("va") });
        var callers = new Dictionary<string, HttpClient>
        {
            ["anonymous"] = app.ClientFor(null),
            ["annotator"] = vendor.Annotator,
            ["vendor-admin"] = app.ClientFor(await actors.NewTokenAsync(vendorAdmin.GetProperty("id").GetGuid())),
            ["admin"] = actors.Admin,
        };
        foreach (var role in StaffRoles)
        {
            callers[role] = (await actors.NewStaffAsync(role)).Client;
        }
        return callers;
    }

    /// <summary>Calls every row as every caller and fails listing each answer that differs from the matrix.</summary>
    public static async Task AssertAsync(Dictionary<string, HttpClient> callers, IEnumerable<MatrixRow> rows)
    {
        var wrong = new List<string>();
        foreach (var row in rows)
        {
            var (name, call, allowed, allowedStatus) = row;
            foreach (var (role, client) in callers)
            {
                var expected = allowed.Contains(role) ? allowedStatus : row.Hidden.Contains(role) ? HttpStatusCode.NotFound
                    : role == "anonymous" ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden;
                var response = await call(client);
                if (response.StatusCode != expected)
                {
                    wrong.Add($"{name} as {role}: {(int)response.StatusCode}, expected {(int)expected}");
                }
                else if (expected is HttpStatusCode.Unauthorized && !allowed.Contains(role))
                {
                    await response.AssertProblem(expected, "unauthorized");
                }
                else if (expected is HttpStatusCode.Forbidden && !allowed.Contains(role))
                {
                    // A refusal is a problem that says why: "forbidden" from the role policy, or a rule's own code (owner-only, …).
                    var body = await response.Content.ReadAsStringAsync();
                    var code = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("code").GetString();
                    Assert.False(string.IsNullOrEmpty(code), $"{name} as {role}: {body}");
                }
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
