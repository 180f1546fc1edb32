import GRDB
import GRDBSQLite
import TraceStoreSQL
import Traceability

/// Inserts rows (and asks whether one exists) through SQLite's C interface on a statement GRDB prepared and caches.
///
/// The derived rows are the store's hot path, and binding twenty values one by one
/// straight to SQLite costs a fraction of going through `StatementArguments`. This file is
/// the only one that calls SQLite directly; pointers never leave it.
enum RawInsert {
  private static let transient = unsafeBitCast(
    OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

  /// Inserts one event row (sequence, kind, body, signature, hash).
  static func insertEvent(_ event: StoredEvent, in db: Database) throws {
    try runEvent(
      db.cachedStatement(
        sql: "INSERT INTO events (seq, kind, body, signature, hash) VALUES (?, ?, ?, ?, ?)"),
      sequence: event.sequence, kind: event.kind, body: event.body, signature: event.signature,
      hash: event.hash, in: db)
  }

  /// Inserts derived rows, each into its table.
  static func insert(_ rows: [Projection.Row], in db: Database) throws {
    for row in rows {
      try run(db.cachedStatement(sql: insertSQL[row.table]), row.cells, in: db)
    }
  }

  /// The statement that inserts one row of each derived table, by table; made once, since
  /// it is on the hot path.
  static let insertSQL = Projection.tables.map(\.insertStatement)

  /// Binds `cells` to `statement` and runs it once.
  static func run(_ statement: Statement, _ cells: [Cell], in db: Database) throws {
    let handle = statement.sqliteStatement
    sqlite3_reset(handle)
    for (offset, cell) in cells.enumerated() {
      let index = Int32(offset + 1)
      let code: Int32
      switch cell {
      case .null, .other: code = sqlite3_bind_null(handle, index)
      case .integer(let value): code = sqlite3_bind_int64(handle, index, value)
      case .text(var value):
        code = value.withUTF8 { text in
          sqlite3_bind_text(handle, index, text.baseAddress, Int32(text.count), transient)
        }
      }
      try check(code, statement, db)
    }
    try finish(handle, statement, db)
  }

  /// Binds `texts` to a query and says whether it returns a row.
  static func exists(_ statement: Statement, _ texts: [String], in db: Database) throws -> Bool {
    let handle = statement.sqliteStatement
    sqlite3_reset(handle)
    for (offset, var text) in texts.enumerated() {
      try check(
        text.withUTF8 {
          sqlite3_bind_text(handle, Int32(offset + 1), $0.baseAddress, Int32($0.count), transient)
        }, statement, db)
    }
    let code = sqlite3_step(handle)
    sqlite3_reset(handle)
    sqlite3_clear_bindings(handle)
    switch code {
    case SQLITE_ROW: return true
    case SQLITE_DONE: return false
    default:
      throw DatabaseError(
        resultCode: ResultCode(rawValue: code),
        message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
    }
  }

  /// Binds an event row (sequence, kind, body, signature, hash) and runs it once.
  static func runEvent(
    _ statement: Statement, sequence: Int64, kind: String, body: [UInt8], signature: [UInt8],
    hash: [UInt8], in db: Database
  ) throws {
    let handle = statement.sqliteStatement
    sqlite3_reset(handle)
    try check(sqlite3_bind_int64(handle, 1, sequence), statement, db)
    var kind = kind
    try check(
      kind.withUTF8 { sqlite3_bind_text(handle, 2, $0.baseAddress, Int32($0.count), transient) },
      statement, db)
    for (index, blob) in [(Int32(3), body), (4, signature), (5, hash)] {
      try check(
        blob.withUnsafeBytes {
          sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), transient)
        },
        statement, db)
    }
    try finish(handle, statement, db)
  }

  private static func finish(_ handle: OpaquePointer, _ statement: Statement, _ db: Database) throws
  {
    let code = sqlite3_step(handle)
    sqlite3_reset(handle)
    sqlite3_clear_bindings(handle)
    guard code == SQLITE_DONE else {
      throw DatabaseError(
        resultCode: ResultCode(rawValue: code),
        message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
    }
  }

  private static func check(_ code: Int32, _ statement: Statement, _ db: Database) throws {
    guard code == SQLITE_OK else {
      throw DatabaseError(
        resultCode: ResultCode(rawValue: code),
        message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
    }
  }
}
