import TestSupport
import Testing
import TraceStoreConformance

/// The conformance suite, run on the PostgreSQL store of the test cluster.
@Suite("Conformance: the PostgreSQL store")
struct ConformanceTests {
  @Test(arguments: StoreConformance.cases)
  func conformance(_ check: ConformanceCase) async throws {
    try await check.run(on: PostgresBackend(cluster: PostgresCluster.shared()))
  }
}
