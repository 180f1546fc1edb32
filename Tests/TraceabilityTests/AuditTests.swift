import Foundation
import GRDB
import GS1
import Testing

@testable import Traceability

/// Edits the store's file behind the store's back, as any SQLite tool could: the
/// append-only triggers are dropped first.
func tamper(_ path: String, _ edit: (Database) throws -> Void) throws {
  var configuration = Configuration()
  configuration.foreignKeysEnabled = false  // as the sqlite3 shell has it
  let queue = try DatabaseQueue(path: path, configuration: configuration)
  try queue.write { db in
    for name in try String.fetchAll(
      db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'")
    {
      try db.execute(sql: "DROP TRIGGER \(name)")
    }
    try edit(db)
  }
  try queue.close()
}

@Suite("Audit: every edit to the store is found")
struct AuditTests {
  /// A store with 8 events: producer, 2 products, rating, 3 batches (the third made from
  /// the first two, so 2 events), serials.
  static func populated() throws -> Fixture {
    let fixture = try Fixture()
    try fixture.certify()
    _ = try fixture.store.apply([
      .issueBatch(Fixture.request(Fixture.sugar, "A")),
      .issueBatch(Fixture.request(Fixture.sugar, "B")),
    ])
    _ = try fixture.store.issueBatch(
      Fixture.request(
        Fixture.cake, "C",
        inputs: [Fixture.lot(Fixture.sugar, "A"), Fixture.lot(Fixture.sugar, "B")]))
    _ = try fixture.store.allocateSerials(Fixture.lot(Fixture.cake, "C"), count: 100)
    return fixture
  }

  static func failure(_ fixture: Fixture, trustList: TrustList? = nil) throws -> AuditFailure? {
    try fixture.store.audit(trustList: trustList ?? fixture.trustList).failure
  }

  @Test func anUntouchedStorePasses() throws {
    let fixture = try Self.populated()
    let report = try fixture.store.audit(trustList: fixture.trustList)
    #expect(report.passed)
    #expect(report.eventsChecked == 9)
    #expect(report.headHash.count == 64)
  }

  @Test func theStoreRefusesUpdatesAndDeletesThroughSQLite() throws {
    let fixture = try Self.populated()
    let queue = try DatabaseQueue(path: fixture.store.path)
    #expect(throws: (any Error).self) {
      try queue.write { try $0.execute(sql: "DELETE FROM events WHERE seq = 9") }
    }
    #expect(throws: (any Error).self) {
      try queue.write { try $0.execute(sql: "UPDATE batches SET expiry_date = '2030-01-01'") }
    }
  }

  @Test func anEditedFieldInAnEventIsFound() throws {
    let fixture = try Self.populated()
    try tamper(fixture.store.path) { db in
      let body = try Data.fetchOne(db, sql: "SELECT body FROM events WHERE seq = 5")!
      let edited = String(decoding: body, as: UTF8.self).replacingOccurrences(
        of: "2027-11-01", with: "2028-11-01")
      try db.execute(
        sql: "UPDATE events SET body = ? WHERE seq = 5", arguments: [Data(edited.utf8)])
    }
    let failure = try #require(try Self.failure(fixture))
    #expect(failure.sequence == 5)
    #expect(failure.record == "event 5")
    #expect(failure.reason.contains("signature does not verify"))
  }

  @Test func anEditedDerivedRowIsFoundAndNamed() throws {
    let fixture = try Self.populated()
    try tamper(fixture.store.path) { db in
      try db.execute(sql: "UPDATE batches SET expiry_date = '2030-01-01' WHERE lot = 'B'")
    }
    let failure = try #require(try Self.failure(fixture))
    #expect(failure.record == "batches row for event 6")
    #expect(
      failure.reason == "column expiry_date holds \"2030-01-01\", the log says \"2027-11-01\"")
  }

  @Test func recomposingALetterInADerivedRowIsFound() throws {
    let fixture = try Self.populated()
    try tamper(fixture.store.path) { db in
      try db.execute(
        sql: "UPDATE products SET name_vi = ? WHERE gtin = ?",
        arguments: [
          "Đường thốt nốt Tri Tôn".decomposedStringWithCanonicalMapping, Fixture.sugar.digits,
        ])
    }
    #expect(try Self.failure(fixture)?.record == "products row for event 2")
  }

  @Test func aDeletedEventIsFound() throws {
    let fixture = try Self.populated()
    try tamper(fixture.store.path) { db in try db.execute(sql: "DELETE FROM events WHERE seq = 4") }
    let failure = try #require(try Self.failure(fixture))
    #expect(failure.record == "event 4")
    #expect(failure.reason == "is missing: the log jumps from event 3 to event 5")
  }

  @Test func reorderedEventsAreFound() throws {
    let fixture = try Self.populated()
    try tamper(fixture.store.path) { db in
      try db.execute(sql: "UPDATE events SET seq = 100 WHERE seq = 5")
      try db.execute(sql: "UPDATE events SET seq = 5 WHERE seq = 6")
      try db.execute(sql: "UPDATE events SET seq = 6 WHERE seq = 100")
    }
    let failure = try #require(try Self.failure(fixture))
    #expect(failure.record == "event 5")
    #expect(failure.reason.contains("its body says it is event 6"))
  }

  @Test func aSwappedSignatureIsFound() throws {
    let fixture = try Self.populated()
    try tamper(fixture.store.path) { db in
      try db.execute(
        sql:
          "UPDATE events SET signature = (SELECT signature FROM events WHERE seq = 2) WHERE seq = 3"
      )
    }
    let failure = try #require(try Self.failure(fixture))
    #expect(failure.record == "event 3")
    #expect(failure.reason.contains("signature refused"))
  }

  @Test func anEventReSignedWithAnotherIssuersKeyIsFound() throws {
    let fixture = try Self.populated()
    let intruder = try IssuerKey(seed: [UInt8](repeating: 99, count: 32), name: "Intruder")
    try tamper(fixture.store.path) { db in
      let row = try Row.fetchOne(db, sql: "SELECT body, signature FROM events WHERE seq = 4")!
      let original = try Event(
        body: Array(row["body"] as Data), signature: Array(row["signature"] as Data))
      let forged = try Event.make(
        sequence: 4, kind: original.kind, data: original.data, at: original.recordedAt,
        previousHash: original.previousHash, signer: intruder)
      try db.execute(
        sql: "UPDATE events SET body = ?, signature = ?, hash = ? WHERE seq = 4",
        arguments: [Data(forged.body), Data(forged.signature), Data(forged.hash)])
    }
    let failure = try #require(try Self.failure(fixture))
    #expect(failure.record == "event 4")
    #expect(failure.reason == "signature refused: issuer \(intruder.kid) is not in the trust list")
  }

  @Test func aWholeLogRewrittenUnderAnotherKeyIsRefusedByTheTrustList() throws {
    let fixture = try Self.populated()
    let intruder = try IssuerKey(seed: [UInt8](repeating: 42, count: 32), name: "Intruder")
    // The intruder's own trust list accepts nothing of the real issuer's.
    let intrudersList = TrustList([intruder.trustedIssuer(validFrom: try Timestamp("2020-01-01"))])
    #expect(try Self.failure(fixture, trustList: intrudersList)?.record == "event 1")
  }

  @Test func aChangedStoredHashOrKindIsFound() throws {
    let fixture = try Self.populated()
    try tamper(fixture.store.path) { db in
      try db.execute(sql: "UPDATE events SET hash = zeroblob(32) WHERE seq = 7")
    }
    #expect(
      try Self.failure(fixture)?.reason
        == "its stored hash is not the hash of its body")
    let second = try Self.populated()
    try tamper(second.store.path) { db in
      try db.execute(sql: "UPDATE events SET kind = 'recall' WHERE seq = 2")
    }
    #expect(try Self.failure(second)?.record == "event 2")
  }

  @Test func aDerivedRowWithoutAnEventIsFound() throws {
    let fixture = try Self.populated()
    try tamper(fixture.store.path) { db in
      try db.execute(
        sql:
          "INSERT INTO recalls (event_seq, gtin, lot, reason, recorded_at) VALUES (9, ?, 'A', 'fake', '2026-01-01T00:00:00.000Z')",
        arguments: [Fixture.sugar.digits])
    }
    let failure = try #require(try Self.failure(fixture))
    #expect(failure.record.hasPrefix("recalls row"))
    #expect(failure.reason == "no event in the log accounts for it")
  }

  @Test func aDeletedDerivedRowIsFound() throws {
    let fixture = try Self.populated()
    try tamper(fixture.store.path) { db in try db.execute(sql: "DELETE FROM serial_ranges") }
    let failure = try #require(try Self.failure(fixture))
    #expect(failure.record == "serial_ranges row for event 9")
    #expect(failure.reason == "is missing")
  }

  @Test func aLogCutShortIsFoundAgainstAHeadNotedEarlier() throws {
    let fixture = try Self.populated()
    let noted = try fixture.store.audit(trustList: fixture.trustList)
    try tamper(fixture.store.path) { db in
      try db.execute(sql: "DELETE FROM serial_ranges WHERE event_seq = 9")
      try db.execute(sql: "DELETE FROM events WHERE seq = 9")
    }
    // Consistent on its own: a cut at the end leaves a shorter valid log...
    #expect(try fixture.store.audit(trustList: fixture.trustList).passed)
    // ...which the head noted before gives away.
    let report = try fixture.store.audit(
      trustList: fixture.trustList, expectedHead: (noted.headSequence, noted.headHash))
    #expect(report.failure?.reason == "is missing: the log ends at event 8, it has been cut short")
  }

  @Test func revokedOrExpiredIssuersAreRefused() throws {
    let fixture = try Self.populated()
    let entry = try #require(fixture.trustList.issuers[fixture.key.kid])
    let revoked = TrustList([
      TrustedIssuer(
        kid: entry.kid, name: entry.name, publicKey: entry.publicKey, validFrom: entry.validFrom,
        validUntil: nil, revoked: true)
    ])
    #expect(
      try Self.failure(fixture, trustList: revoked)?.reason
        == "signature refused: issuer \(entry.kid) has been revoked")
    let expired = TrustList([
      TrustedIssuer(
        kid: entry.kid, name: entry.name, publicKey: entry.publicKey, validFrom: entry.validFrom,
        validUntil: try Timestamp("2026-11-01T08:00:03Z"), revoked: false)
    ])
    let failure = try #require(try Self.failure(fixture, trustList: expired))
    #expect(failure.sequence == 7)  // the first event recorded after 08:00:03
    #expect(failure.reason.contains("was trusted only until"))
  }
}
