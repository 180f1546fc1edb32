import TestSupport
import Testing
import TraceStoreConformance
import TraceStoreSQLite

/// The conformance suite, run on the SQLite store.
@Suite("Conformance: the SQLite store")
struct ConformanceTests {
  @Test(arguments: StoreConformance.cases)
  func conformance(_ check: ConformanceCase) async throws {
    try await check.run(on: SQLiteBackend())
  }
}

/// The scan log's conformance, on its SQLite file.
@Suite("Conformance: the SQLite scan log")
struct ScanLogConformanceTests {
  @Test func scanLog() async throws {
    let folder = TemporaryFolder()
    try await ScanLogConformance.check(SQLiteScanLog(path: folder.file("scans.sqlite")))
  }
}
