import Foundation
import GRDB

extension SQLiteTraceStore {
  /// First runs SQLite's own integrity check of the file (pages, indexes, constraints).
  /// Then reads the log in order in one snapshot, streaming, so memory stays bounded whatever
  /// its length. For each event: its sequence number follows the last, its body is
  /// canonical and names that number, its `prev` is the last event's hash, its issuer is
  /// trusted at its time and its signature verifies, its stored hash is right; and the
  /// rows derived from it are exactly the rows the derived tables hold for it. Derived
  /// rows that no event accounts for are found at the end.
  public func audit(trustList: TrustList, expectedHead: (sequence: Int64, hash: String)?)
    throws(TraceError) -> AuditReport
  {
    try read { db in
      var auditor = Auditor(trustList: trustList)
      let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check(20)")
      if integrity != ["ok"] {
        return auditor.report(
          AuditFailure(
            sequence: nil, record: "file \(path)",
            reason: "fails SQLite's integrity check: " + integrity.joined(separator: "; ")))
      }
      let cursors = try Projection.tables.map { table in
        try Row.fetchCursor(db, sql: table.auditSQL)
      }
      var derived = try cursors.map { try DerivedTableReader(cursor: $0) }
      let events = try Row.fetchCursor(
        db, sql: "SELECT seq, kind, body, signature, hash FROM events ORDER BY seq")
      while let row = try events.next() {
        if let failure = try auditor.check(row, derived: &derived, expectedHead: expectedHead) {
          return auditor.report(failure)
        }
      }
      for (index, reader) in derived.enumerated() {
        if let orphan = reader.pending {
          return auditor.report(
            AuditFailure(
              sequence: nil, record: "\(Projection.tables[index].name) row \(orphan.description)",
              reason: "no event in the log accounts for it"))
        }
      }
      if let expectedHead, auditor.checked < expectedHead.sequence {
        return auditor.report(
          AuditFailure(
            sequence: expectedHead.sequence, record: "event \(expectedHead.sequence)",
            reason: "is missing: the log ends at event \(auditor.checked), it has been cut short"))
      }
      return auditor.report(nil)
    }
  }
}

/// The next stored row of one derived table, read in audit order.
struct DerivedTableReader {
  let cursor: RowCursor
  var pending: [Cell]?

  init(cursor: RowCursor) throws {
    self.cursor = cursor
    pending = try Self.cells(cursor.next())
  }

  mutating func advance() throws { pending = try Self.cells(cursor.next()) }

  private static func cells(_ row: Row?) -> [Cell]? {
    row.map { row in (0..<row.count).map { Cell(row[$0] as DatabaseValue) } }
  }
}

extension [Cell] {
  var description: String { "(" + map(\.description).joined(separator: ", ") + ")" }
}

/// The audit's running state: the last good event and its hash.
struct Auditor {
  let trustList: TrustList
  var checked: Int64 = 0
  var previousHash = Event.genesisHash

  init(trustList: TrustList) { self.trustList = trustList }

  func report(_ failure: AuditFailure?) -> AuditReport {
    AuditReport(
      eventsChecked: checked, headSequence: checked, headHash: ByteText.hex(previousHash),
      failure: failure)
  }

  mutating func check(
    _ row: Row, derived: inout [DerivedTableReader], expectedHead: (sequence: Int64, hash: String)?
  ) throws -> AuditFailure? {
    let sequence: Int64 = row[0]
    let expected = checked + 1
    func fail(_ reason: String) -> AuditFailure {
      AuditFailure(sequence: expected, record: "event \(expected)", reason: reason)
    }
    if sequence != expected {
      return fail("is missing: the log jumps from event \(checked) to event \(sequence)")
    }
    let body = Array(row[2] as Data)
    let signature = Array(row[3] as Data)
    let event: Event
    do { event = try Event(body: body, signature: signature) } catch {
      return fail("its body cannot be read: \(error)")
    }
    if event.sequence != sequence {
      return fail("its body says it is event \(event.sequence): events have been moved")
    }
    if row[1] as String != event.kind.rawValue {
      return fail("its kind column says \(row[1] as String), its body says \(event.kind.rawValue)")
    }
    if event.previousHash != previousHash {
      return fail("does not follow event \(checked): its previous-hash link is broken")
    }
    if let problem = trustList.check(
      kid: event.kid, signature: signature, message: event.signedMessage, at: event.recordedAt)
    {
      return fail("signature refused: \(problem)")
    }
    let hash = Event.hash(body: body)
    if Array(row[4] as Data) != hash { return fail("its stored hash is not the hash of its body") }
    if let expectedHead, expectedHead.sequence == sequence,
      ByteText.hex(hash) != expectedHead.hash.lowercased()
    {
      return fail(
        "its hash is not the one noted earlier (\(expectedHead.hash)): the log was rewritten")
    }
    for wanted in try Projection.rows(for: event) {
      let table = Projection.tables[wanted.table]
      let record = "\(table.name) row for event \(sequence)"
      guard let stored = derived[wanted.table].pending else {
        return AuditFailure(sequence: sequence, record: record, reason: "is missing")
      }
      if case .integer(let storedSequence) = stored.first, storedSequence < sequence {
        return AuditFailure(
          sequence: storedSequence, record: "\(table.name) row \(stored.description)",
          reason: "does not match what event \(storedSequence) records")
      }
      if stored != wanted.cells {
        let difference = zip(table.columns, zip(stored, wanted.cells)).first { $0.1.0 != $0.1.1 }
        let detail =
          difference.map { "column \($0.0) holds \($0.1.0), the log says \($0.1.1)" }
          ?? "it differs from the log"
        return AuditFailure(sequence: sequence, record: record, reason: detail)
      }
      try derived[wanted.table].advance()
    }
    checked = sequence
    previousHash = hash
    return nil
  }
}
