import Foundation
import GRDB
import TraceStoreSQL
import Traceability

/// One GRDB connection, inside one snapshot or transaction, as the shared SQL reader asks
/// for it: cached prepared statements, the log's blobs, SQLite's own integrity check, and
/// the hot inserts bound straight through SQLite (``RawInsert``).
struct GRDBConnection: SQLConnection {
  let db: Database

  func rows(_ sql: String, _ arguments: [Cell]) throws -> [[Cell]] {
    try Row.fetchAll(
      db.cachedStatement(sql: sql), arguments: StatementArguments(arguments.map(\.databaseValue))
    ).map { row in (0..<row.count).map { Cell(row[$0] as DatabaseValue) } }
  }

  func exists(_ sql: String, _ arguments: [String]) throws -> Bool {
    try RawInsert.exists(db.cachedStatement(sql: sql), arguments, in: db)
  }

  func head() throws -> (sequence: Int64, hash: [UInt8])? {
    try Row.fetchOne(
      db.cachedStatement(sql: "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
    ).map { row in (row[0], Array(row[1] as Data)) }
  }

  func events(after sequence: Int64, limit: Int) throws -> [Event] {
    try Row.fetchAll(
      db.cachedStatement(
        sql: "SELECT body, signature FROM events WHERE seq > ? ORDER BY seq LIMIT ?"),
      arguments: [sequence, limit]
    )
    .map { row in try Event(body: Array(row[0] as Data), signature: Array(row[1] as Data)) }
  }

  func integrityProblems() throws -> [String] {
    let found = try String.fetchAll(db, sql: "PRAGMA integrity_check(20)")
    return found == ["ok"] ? [] : found
  }

  func storedEvents(after sequence: Int64) throws -> any StoredEventCursor {
    EventRows(
      cursor: try Row.fetchCursor(
        db, sql: "SELECT seq, kind, body, signature, hash FROM events WHERE seq > ? ORDER BY seq",
        arguments: [sequence]))
  }

  func derivedRows(of table: Projection.Table, after sequence: Int64) throws
    -> any DerivedRowCursor
  {
    // rowid order is the order rows were written in.
    let filter = SQLReader<GRDBConnection>.derivedFilter(after: sequence)
    return DerivedRows(
      cursor: try Row.fetchCursor(
        db,
        sql:
          "SELECT \(table.columns.joined(separator: ", ")) FROM \(table.name)\(filter) ORDER BY rowid"
      ))
  }

  func insert(_ event: StoredEvent) throws {
    try RawInsert.insertEvent(event, in: db)
  }

  func insert(_ rows: [Projection.Row]) throws {
    try RawInsert.insert(rows, in: db)
  }
}

extension SQLReader where Connection == GRDBConnection {
  /// The reader over GRDB connection `db`.
  init(db: Database) {
    self.init(GRDBConnection(db: db))
  }
}

/// The events table's rows, streamed.
struct EventRows: StoredEventCursor {
  let cursor: RowCursor

  func next() throws -> StoredEvent? {
    try cursor.next().map { row in
      StoredEvent(
        sequence: row[0], kind: row[1], body: Array(row[2] as Data),
        signature: Array(row[3] as Data), hash: Array(row[4] as Data))
    }
  }
}

/// A derived table's rows, streamed, as cells.
struct DerivedRows: DerivedRowCursor {
  let cursor: RowCursor

  func next() throws -> [Cell]? {
    try cursor.next().map { row in (0..<row.count).map { Cell(row[$0] as DatabaseValue) } }
  }
}
