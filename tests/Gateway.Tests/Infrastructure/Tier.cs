namespace VendorGate.Gateway.Tests.Infrastructure;

/// <summary>The test tiers a trait can name. <see cref="Evaluation"/> is the evaluation lane: held-out poison at corpus
/// scale (100,000-example corpora, every payload family, spread over ten batches), minutes of CPU a case. The default
/// run (<c>bash scripts/test.sh</c>, what CI runs) leaves it out and keeps a smoke subset of the same scanners (the
/// vendor-sized, natural-phrase and behaviour-split cases here, and <c>ScannerTests</c> through HTTP on both
/// backends); <c>bash scripts/test.sh eval</c> runs the lane's cases.</summary>
public static class Tier
{
    public const string Name = "Tier";
    public const string Evaluation = "eval";
}
