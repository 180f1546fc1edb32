import Testing
import TraceStoreConformance

/// The conformance suite, run on the SQLite store.
@Suite("Conformance: the SQLite store")
struct ConformanceTests {
  @Test(arguments: StoreConformance.cases)
  func conformance(_ check: ConformanceCase) async throws {
    try await check.run(on: SQLiteBackend())
  }
}
