import Foundation
import TestSupport
import TraceStoreConformance
import TraceStorePostgres
import Traceability

/// The server store under the conformance suite: one database of the test cluster per
/// test, named after the test's folder.
struct PostgresBackend: ConformanceBackend {
  let cluster: PostgresCluster

  static func database(_ folder: TemporaryFolder) -> String {
    let name = URL(fileURLWithPath: folder.path).lastPathComponent.lowercased()
    return String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
  }

  func location(_ folder: TemporaryFolder) throws -> PostgresLocation {
    try PostgresLocation(cluster.url(Self.database(folder)))
  }

  func makeStore(
    in folder: TemporaryFolder, signer: IssuerKey, clock: @escaping @Sendable () -> Timestamp
  ) async throws -> any TraceStore {
    try cluster.psql("postgres", "CREATE DATABASE \(Self.database(folder))")
    return try await PostgresTraceStore.open(
      location(folder), signer: signer, create: true, clock: clock)
  }

  func reopen(in folder: TemporaryFolder, signer: IssuerKey?) async throws -> any TraceStore {
    try await PostgresTraceStore.open(location(folder), signer: signer)
  }

  func tamper(in folder: TemporaryFolder, _ edit: StoreEdit) async throws {
    // As the database's owner would: with triggers switched off for the session.
    try cluster.psql(
      Self.database(folder), "SET session_replication_role = replica; " + Self.sql(edit))
  }

  static func literal(_ text: String) -> String { "$q$" + text + "$q$" }

  static func bytes(_ bytes: [UInt8]) -> String {
    "'\\x" + bytes.map { String(format: "%02x", $0) }.joined() + "'::bytea"
  }

  static func sql(_ edit: StoreEdit) -> String {
    switch edit {
    case .replaceInEventBody(let sequence, let text, let replacement):
      return """
        UPDATE events SET body = convert_to(replace(convert_from(body, 'UTF8'), \
        \(literal(text)), \(literal(replacement))), 'UTF8') WHERE seq = \(sequence)
        """
    case .setDerivedColumn(let table, let column, let value, let key, let equals):
      return "UPDATE \(table) SET \(column) = \(literal(value)) WHERE \(key) = \(literal(equals))"
    case .deleteEvent(let sequence):
      return "DELETE FROM events WHERE seq = \(sequence)"
    case .swapEvents(let a, let b):
      return """
        UPDATE events SET seq = -1 WHERE seq = \(a); UPDATE events SET seq = \(a) WHERE seq = \(b);
        UPDATE events SET seq = \(b) WHERE seq = -1
        """
    case .copySignature(let from, let to):
      return
        "UPDATE events SET signature = (SELECT signature FROM events WHERE seq = \(from)) WHERE seq = \(to)"
    case .replaceEvent(let sequence, let body, let signature, let hash):
      return """
        UPDATE events SET body = \(bytes(body)), signature = \(bytes(signature)), \
        hash = \(bytes(hash)) WHERE seq = \(sequence)
        """
    case .zeroHash(let sequence):
      return
        "UPDATE events SET hash = \(bytes(Array(repeating: 0, count: 32))) WHERE seq = \(sequence)"
    case .setKind(let sequence, let kind):
      return "UPDATE events SET kind = \(literal(kind)) WHERE seq = \(sequence)"
    case .insertDerivedRow(let table, let cells):
      let values = cells.map { cell in
        switch cell {
        case .integer(let value): String(value)
        case .text(let value): literal(value)
        case .null, .other: "NULL"
        }
      }
      let columns = Projection.tables.first { $0.name == table }?.columns ?? []
      return
        "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))"
    case .deleteDerivedRows(let table, let sequence?):
      return "DELETE FROM \(table) WHERE event_seq = \(sequence)"
    case .deleteDerivedRows(let table, nil):
      return "DELETE FROM \(table)"
    }
  }
}
