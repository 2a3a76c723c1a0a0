namespace Workflow.Isolation.Tests.Harness;

/// <summary>Every test class of the suite shares one <see cref="HostileServer"/> and runs one after another.</summary>
[CollectionDefinition(Name)]
public sealed class HostileServerCollection : ICollectionFixture<HostileServer>
{
    public const string Name = "hostile server";
}
