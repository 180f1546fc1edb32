import GS1
import Traceability

/// What a SQL backend supplies inside one snapshot or transaction: queries that return
/// plain cells, and the few reads and writes whose values are not cells (the log's blobs,
/// the database's own checks, streamed rows, the hot inserts).
///
/// Statements are written once, in this module, with `?` placeholders; a backend whose
/// database numbers its parameters rewrites them.
package protocol SQLConnection {
  /// Every row `sql` returns for `arguments`, each row's cells in select-list order.
  func rows(_ sql: String, _ arguments: [Cell]) throws -> [[Cell]]
  /// Whether `sql` returns a row for `arguments` (a hot path: nothing is decoded).
  func exists(_ sql: String, _ arguments: [String]) throws -> Bool

  /// The last event's sequence number and hash, nil for an empty log.
  func head() throws -> (sequence: Int64, hash: [UInt8])?
  /// Up to `limit` events after `sequence`, in order.
  func events(after sequence: Int64, limit: Int) throws -> [Event]
  /// What the database's own physical check of its storage finds wrong; empty when nothing.
  func integrityProblems() throws -> [String]
  /// The stored event rows as they are, in sequence order.
  func storedEvents(after sequence: Int64) throws -> any StoredEventCursor
  /// A derived table's stored rows as they are, in the order they were written.
  func derivedRows(of table: Projection.Table, after sequence: Int64) throws
    -> any DerivedRowCursor
  /// Appends a sealed event row.
  func insert(_ event: StoredEvent) throws
  /// Appends derived rows, each to its table.
  func insert(_ rows: [Projection.Row]) throws

  /// Says which lots ``batchExists(_:)`` is about to be asked about, and which queries
  /// ``rows(_:_:)`` is about to be given, each with its arguments (after the same checks
  /// the transaction's first read makes).
  func prefetch(lots: [LotReference], queries: [PlannedQuery]) throws
  /// Whether a batch exists, counting this transaction's appends.
  func batchExists(_ lot: LotReference) throws -> Bool
  /// Whether a product exists, counting this transaction's appends.
  func productExists(_ gtin: GTIN) throws -> Bool
  /// The highest serial allocated under a lot, 0 when none, counting this transaction's
  /// appends.
  func lastSerial(_ lot: LotReference) throws -> Int64
}

/// The existence questions, for a backend that answers them its own way.
package enum ExistenceQuery {
  /// Whether a lot exists: its GTIN and lot as arguments.
  package static let batch = "SELECT 1 FROM batches WHERE gtin = ? AND lot = ?"
  /// Whether a product exists: its GTIN as argument.
  package static let product = "SELECT 1 FROM products WHERE gtin = ?"
}

/// A query a transaction is about to run, with its arguments.
package struct PlannedQuery: Hashable, Sendable {
  package let sql: String
  package let arguments: [Cell]

  package init(sql: String, arguments: [Cell]) {
    self.sql = sql
    self.arguments = arguments
  }
}

/// The highest serial allocated under a lot: its GTIN and lot as arguments.
package enum LastSerialQuery {
  package static let sql = "SELECT MAX(last) FROM serial_ranges WHERE gtin = ? AND lot = ?"
}

extension SQLConnection {
  package func prefetch(lots: [LotReference], queries: [PlannedQuery]) throws {}

  package func batchExists(_ lot: LotReference) throws -> Bool {
    try exists(ExistenceQuery.batch, [lot.gtin.digits, lot.lot])
  }

  package func productExists(_ gtin: GTIN) throws -> Bool {
    try exists(ExistenceQuery.product, [gtin.digits])
  }

  package func lastSerial(_ lot: LotReference) throws -> Int64 {
    try integer(LastSerialQuery.sql, [.text(lot.gtin.digits), .text(lot.lot)]) ?? 0
  }

  /// The first row `sql` returns, if any.
  package func row(_ sql: String, _ arguments: [Cell]) throws -> [Cell]? {
    try rows(sql, arguments).first
  }

  /// The integer in the first column of the first row, nil for no row or NULL.
  package func integer(_ sql: String, _ arguments: [Cell]) throws -> Int64? {
    guard let cell = try row(sql, arguments)?.first else { return nil }
    switch cell {
    case .integer(let value): return value
    case .null: return nil
    default:
      throw TraceError.malformed(what: "store", reason: "\(sql) returned \(cell), not an integer")
    }
  }
}

extension Projection.Table {
  /// The table's columns as a select list, qualified by the table's name.
  package var selectList: String {
    columns.map { "\(name).\($0)" }.joined(separator: ", ")
  }

  /// The statement that inserts one row, with `?` placeholders.
  package var insertStatement: String {
    "INSERT INTO \(name) (\(columns.joined(separator: ", "))) VALUES ("
      + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
  }
}
