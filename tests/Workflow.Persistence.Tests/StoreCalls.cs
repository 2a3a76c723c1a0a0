namespace Workflow.Persistence.Tests;

/// <summary>
/// Which methods a store test's calls to the request-path operations reach: the synchronous ones the
/// workers use, or their Async namesakes the REST API uses (through AsyncCallsStore), so that one
/// test class shows both give the same results.
/// </summary>
public enum StoreCalls { Sync, Async }
