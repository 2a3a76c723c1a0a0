namespace Workflow.Persistence.Tests;

/// <summary>The database a test class runs on: each store test class has one concrete subclass per kind.</summary>
public enum StoreKind { Sqlite, Postgres }
