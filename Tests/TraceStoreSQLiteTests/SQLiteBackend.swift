import Foundation
import GRDB
import TestSupport
import TraceStoreConformance
import TraceStoreSQLite
import Traceability

/// The embedded store under the conformance suite: one SQLite file in the test's folder.
struct SQLiteBackend: ConformanceBackend {
  static func path(_ folder: TemporaryFolder) -> String { folder.file("trace.sqlite") }

  func makeStore(
    in folder: TemporaryFolder, signer: IssuerKey, clock: @escaping @Sendable () -> Timestamp
  ) async throws -> any TraceStore {
    try SQLiteTraceStore(path: Self.path(folder), signer: signer, create: true, clock: clock)
  }

  func reopen(in folder: TemporaryFolder, signer: IssuerKey?) async throws -> any TraceStore {
    try SQLiteTraceStore(path: Self.path(folder), signer: signer)
  }

  func tamper(in folder: TemporaryFolder, _ edit: StoreEdit) async throws {
    try SQLiteFile.tamper(Self.path(folder)) { db in
      switch edit {
      case .replaceInEventBody(let sequence, let text, let replacement):
        let body =
          try Data.fetchOne(db, sql: "SELECT body FROM events WHERE seq = ?", arguments: [sequence])
          ?? Data()
        let edited = String(decoding: body, as: UTF8.self).replacingOccurrences(
          of: text, with: replacement)
        try db.execute(
          sql: "UPDATE events SET body = ? WHERE seq = ?", arguments: [Data(edited.utf8), sequence])
      case .setDerivedColumn(let table, let column, let value, let key, let equals):
        try db.execute(
          sql: "UPDATE \(table) SET \(column) = ? WHERE \(key) = ?", arguments: [value, equals])
      case .deleteEvent(let sequence):
        try db.execute(sql: "DELETE FROM events WHERE seq = ?", arguments: [sequence])
      case .swapEvents(let a, let b):
        try db.execute(sql: "UPDATE events SET seq = -1 WHERE seq = ?", arguments: [a])
        try db.execute(sql: "UPDATE events SET seq = ? WHERE seq = ?", arguments: [a, b])
        try db.execute(sql: "UPDATE events SET seq = ? WHERE seq = -1", arguments: [b])
      case .copySignature(let from, let to):
        try db.execute(
          sql:
            "UPDATE events SET signature = (SELECT signature FROM events WHERE seq = ?) WHERE seq = ?",
          arguments: [from, to])
      case .replaceEvent(let sequence, let body, let signature, let hash):
        try db.execute(
          sql: "UPDATE events SET body = ?, signature = ?, hash = ? WHERE seq = ?",
          arguments: [Data(body), Data(signature), Data(hash), sequence])
      case .zeroHash(let sequence):
        try db.execute(
          sql: "UPDATE events SET hash = zeroblob(32) WHERE seq = ?", arguments: [sequence])
      case .setKind(let sequence, let kind):
        try db.execute(
          sql: "UPDATE events SET kind = ? WHERE seq = ?", arguments: [kind, sequence])
      case .insertDerivedRow(let table, let cells):
        let values: [(any DatabaseValueConvertible)?] = cells.map { cell in
          switch cell {
          case .integer(let value): value
          case .text(let value): value
          case .null, .other: nil
          }
        }
        let marks = Array(repeating: "?", count: values.count).joined(separator: ", ")
        let columns = Projection.tables.first { $0.name == table }?.columns ?? []
        try db.execute(
          sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(marks))",
          arguments: StatementArguments(values))
      case .deleteDerivedRows(let table, let sequence?):
        try db.execute(sql: "DELETE FROM \(table) WHERE event_seq = ?", arguments: [sequence])
      case .deleteDerivedRows(let table, nil):
        try db.execute(sql: "DELETE FROM \(table)")
      }
    }
  }
}
