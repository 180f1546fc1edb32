import Foundation
import GRDB
import TestSupport
import Testing
import TraceStoreConformance
import TraceStoreSQLite
import Traceability

/// What only a store in a file can get wrong: a missing file, a file that is not a store,
/// and SQLite's own guard on the append-only tables.
@Suite("SQLite store file")
struct SQLiteFileTests {
  @Test func aMissingFileIsReportedByPath() throws {
    let folder = TemporaryFolder()
    #expect(
      throws: TraceError.store(path: folder.file("missing.sqlite"), reason: "does not exist")
    ) {
      try SQLiteTraceStore(path: folder.file("missing.sqlite"), signer: nil)
    }
  }

  @Test func aFileThatIsNotADatabaseIsReportedByPath() throws {
    let folder = TemporaryFolder()
    let path = folder.file("notes.sqlite")
    try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: TraceError.self) { try SQLiteTraceStore(path: path, signer: nil) }
    #expect(error?.description.contains(path) == true)
  }

  @Test func theStoreRefusesUpdatesAndDeletesThroughSQLite() async throws {
    let fixture = try await StoreFixture.populated(SQLiteBackend())
    let queue = try DatabaseQueue(path: SQLiteBackend.path(fixture.folder))
    #expect(throws: (any Error).self) {
      try queue.write { try $0.execute(sql: "DELETE FROM events WHERE seq = 9") }
    }
    #expect(throws: (any Error).self) {
      try queue.write { try $0.execute(sql: "UPDATE batches SET expiry_date = '2030-01-01'") }
    }
  }

  @Test func aStoreMadeBeforeImportsIsUpgradedByItsFirstWriterOnly() async throws {
    let fixture = try await StoreFixture.populated(SQLiteBackend())
    let path = SQLiteBackend.path(fixture.folder)
    // As an earlier ocop left it: no table of imported events, one migration recorded.
    let queue = try DatabaseQueue(path: path)
    try await queue.write { db in
      try db.execute(sql: "DROP TABLE imported_events")
      try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v2 imports'")
    }
    try queue.close()
    let error = #expect(throws: TraceError.self) {
      try SQLiteTraceStore(path: path, signer: nil, readers: .concurrent)
    }
    #expect(error?.description.contains("open it once with a command that writes") == true)
    let writer = try SQLiteTraceStore(path: path, signer: fixture.key)
    #expect(try await writer.audit(trustList: fixture.trustList).passed)
    _ = try await writer.recall(StoreFixture.lot(StoreFixture.sugar, "A"), reason: "Kiểm tra")
    #expect(try await writer.importedLogs().isEmpty)
    _ = try SQLiteTraceStore(path: path, signer: nil, readers: .concurrent)
  }
}
