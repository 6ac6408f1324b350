using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Tests.Batches;

/// <summary>The batch lifecycle, every status against every transition: what moves, what is refused.</summary>
public sealed class BatchLifecycleTests
{
    /// <summary>Every legal move, written out: a change to the lifecycle changes this list.</summary>
    private static readonly (string From, string Transition, string To)[] Legal =
    [
        ("open", "upload", "received"),
        ("received", "start-scan", "scanning"),
        ("scanning", "quarantine", "quarantined"),
        ("scanning", "to-review", "in-review"),
        ("quarantined", "rescan", "received"),
        ("quarantined", "override", "in-review"),
        ("in-review", "approve", "approved"),
        ("in-review", "reject", "rejected"),
        ("approved", "merge", "merged"),
        ("open", "revoke-undecided", "rejected"),
        ("received", "revoke-undecided", "rejected"),
        ("scanning", "revoke-undecided", "rejected"),
        ("quarantined", "revoke-undecided", "rejected"),
        ("in-review", "revoke-undecided", "rejected"),
        ("approved", "revoke-accepted", "revoked"),
        ("merged", "revoke-accepted", "revoked"),
    ];

    public static TheoryData<string, string> EveryStatusAndTransition()
    {
        var data = new TheoryData<string, string>();
        foreach (var status in BatchStatus.All)
        {
            foreach (var transition in BatchLifecycle.All)
            {
                data.Add(status, transition.Name);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryStatusAndTransition))]
    public void A_transition_moves_a_batch_only_from_its_sources(string status, string name)
    {
        var batch = At(status);
        var transition = BatchLifecycle.All.Single(t => t.Name == name);
        var legal = Legal.Where(m => m.From == status && m.Transition == name).Select(m => m.To).SingleOrDefault();

        if (legal is not null)
        {
            batch.Apply(transition);
            Assert.Equal(legal, batch.Status);
        }
        else
        {
            var refused = Assert.Throws<InvalidOperationException>(() => batch.Apply(transition));
            Assert.Contains($"'{status}'", refused.Message);
            Assert.Equal(status, batch.Status);
        }
    }

    [Fact]
    public void The_lifecycle_is_the_written_list_and_every_status_is_reachable_from_open()
    {
        var table = BatchLifecycle.All.SelectMany(t => t.From.Select(from => (from, t.Name, t.To))).Order().ToList();
        Assert.Equal(Legal.Order(), table);
        Assert.All(BatchStatus.All, status => Assert.Equal(status, At(status).Status));
    }

    [Fact]
    public void Rejected_and_revoked_are_final_and_only_a_revocation_leaves_merged()
    {
        Assert.DoesNotContain(BatchLifecycle.All, t => t.Allows(BatchStatus.Rejected) || t.Allows(BatchStatus.Revoked));
        Assert.Equal(["revoke-accepted"], BatchLifecycle.All.Where(t => t.Allows(BatchStatus.Merged)).Select(t => t.Name));
    }

    [Theory]
    [InlineData("open", "revoke-undecided")]
    [InlineData("in-review", "revoke-undecided")]
    [InlineData("approved", "revoke-accepted")]
    [InlineData("merged", "revoke-accepted")]
    [InlineData("rejected", null)]
    [InlineData("revoked", null)]
    public void A_revocation_rejects_what_is_undecided_and_revokes_what_was_accepted(string status, string? expected) =>
        Assert.Equal(expected, BatchLifecycle.Revocation(status)?.Name);

    /// <summary>A new batch walked to <paramref name="status"/> along the lifecycle's own transitions (breadth first).</summary>
    private static Batch At(string status)
    {
        var paths = new Dictionary<string, List<BatchTransition>> { [BatchStatus.Open] = [] };
        var queue = new Queue<string>([BatchStatus.Open]);
        while (queue.TryDequeue(out var from))
        {
            foreach (var transition in BatchLifecycle.All.Where(t => t.Allows(from) && !paths.ContainsKey(t.To)))
            {
                paths[transition.To] = [.. paths[from], transition];
                queue.Enqueue(transition.To);
            }
        }
        var batch = new Batch { Justification = "test", License = "MIT", Source = BatchSources.Vendor, DeclaredDomains = "general", RequestDigest = "x" };
        Assert.True(paths.ContainsKey(status), $"'{status}' is not reachable from 'open'");
        paths[status].ForEach(batch.Apply);
        return batch;
    }
}
