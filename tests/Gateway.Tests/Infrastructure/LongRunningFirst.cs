using Xunit.Abstractions;
using Xunit.Sdk;

namespace VendorGate.Gateway.Tests.Infrastructure;

/// <summary>Marks a test class that takes a minute or more (the evaluation cases, the big scans), so that it starts
/// before the short ones instead of running alone at the end.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class RunsLongAttribute : Attribute;

/// <summary>Runs the classes marked <see cref="RunsLongAttribute"/> first, the others after them in their usual
/// order: with classes in parallel, the suite then ends when its short tests do.</summary>
public sealed class LongRunningFirst : ITestCollectionOrderer
{
    private const string Prefix = "Test collection for ";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(c => RunsLong(c) ? 0 : 1);

    private static bool RunsLong(ITestCollection collection) =>
        collection.DisplayName.StartsWith(Prefix, StringComparison.Ordinal)
        && typeof(LongRunningFirst).Assembly.GetType(collection.DisplayName[Prefix.Length..]) is { } type
        && type.IsDefined(typeof(RunsLongAttribute), inherit: true);
}
