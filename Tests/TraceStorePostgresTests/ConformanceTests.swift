import TestSupport
import Testing
import TraceStoreConformance
import TraceStorePostgres

/// The conformance suite, run on the PostgreSQL store of the test cluster.
@Suite("Conformance: the PostgreSQL store")
struct ConformanceTests {
  @Test(arguments: StoreConformance.cases)
  func conformance(_ check: ConformanceCase) async throws {
    try await check.run(on: PostgresBackend(cluster: PostgresCluster.shared()))
  }
}

/// The scan log's conformance, in a database of the test cluster.
@Suite("Conformance: the PostgreSQL scan log")
struct ScanLogConformanceTests {
  @Test func scanLog() async throws {
    let cluster = try await PostgresCluster.shared()
    let database = try cluster.createDatabase()
    try await ScanLogConformance.check(
      PostgresScanLog.open(PostgresLocation(cluster.url(database))))
  }
}
