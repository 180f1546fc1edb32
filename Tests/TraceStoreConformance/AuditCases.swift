import Foundation
import GS1
import Testing
import Traceability

private typealias F = StoreFixture

/// The audit: every edit made behind the store's back is found, and named.
enum AuditCases {
  static func failure(_ fixture: StoreFixture, trustList: TrustList? = nil) async throws
    -> AuditFailure?
  {
    try await fixture.store.audit(trustList: trustList ?? fixture.trustList).failure
  }

  static let all: [ConformanceCase] = [
    ConformanceCase("audit: an untouched store passes") {
      let fixture = try await F.populated($0)
      let report = try await fixture.store.audit(trustList: fixture.trustList)
      #expect(report.passed)
      #expect(report.eventsChecked == 9)
      #expect(report.headSequence == 9)
      #expect(report.headHash.count == 64)
    },
    ConformanceCase("audit: an edited field in an event is found") {
      let fixture = try await F.populated($0)
      try await fixture.tamper(
        .replaceInEventBody(sequence: 5, text: "2027-11-01", replacement: "2028-11-01"))
      let failure = try #require(try await failure(fixture))
      #expect(failure.sequence == 5)
      #expect(failure.record == "event 5")
      #expect(failure.reason.contains("signature does not verify"))
    },
    ConformanceCase("audit: an edited derived row is found and named") {
      let fixture = try await F.populated($0)
      try await fixture.tamper(
        .setDerivedColumn(
          table: "batches", column: "expiry_date", to: "2030-01-01", whereColumn: "lot", is: "B"))
      let failure = try #require(try await failure(fixture))
      #expect(failure.record == "batches row for event 6")
      #expect(
        failure.reason == "column expiry_date holds \"2030-01-01\", the log says \"2027-11-01\"")
    },
    ConformanceCase("audit: a letter recomposed in a derived row is found") {
      let fixture = try await F.populated($0)
      try await fixture.tamper(
        .setDerivedColumn(
          table: "products", column: "name_vi",
          to: "Đường thốt nốt Tri Tôn".decomposedStringWithCanonicalMapping,
          whereColumn: "gtin", is: F.sugar.digits))
      #expect(try await failure(fixture)?.record == "products row for event 2")
    },
    ConformanceCase("audit: a deleted event is found") {
      let fixture = try await F.populated($0)
      try await fixture.tamper(.deleteEvent(sequence: 4))
      let failure = try #require(try await failure(fixture))
      #expect(failure.record == "event 4")
      #expect(failure.reason == "is missing: the log jumps from event 3 to event 5")
    },
    ConformanceCase("audit: reordered events are found") {
      let fixture = try await F.populated($0)
      try await fixture.tamper(.swapEvents(5, 6))
      let failure = try #require(try await failure(fixture))
      #expect(failure.record == "event 5")
      #expect(failure.reason.contains("its body says it is event 6"))
    },
    ConformanceCase("audit: a swapped signature is found") {
      let fixture = try await F.populated($0)
      try await fixture.tamper(.copySignature(from: 2, to: 3))
      let failure = try #require(try await failure(fixture))
      #expect(failure.record == "event 3")
      #expect(failure.reason.contains("signature refused"))
    },
    ConformanceCase("audit: an event re-signed with another issuer's key is found") {
      let fixture = try await F.populated($0)
      let intruder = try IssuerKey(seed: [UInt8](repeating: 99, count: 32), name: "Intruder")
      let original = try #require(try await fixture.store.events(after: 3, limit: 1).first)
      let forged = try Event.make(
        sequence: 4, kind: original.kind, data: original.data, at: original.recordedAt,
        previousHash: original.previousHash, signer: intruder)
      try await fixture.tamper(
        .replaceEvent(
          sequence: 4, body: forged.body, signature: forged.signature, hash: forged.hash))
      let failure = try #require(try await failure(fixture))
      #expect(failure.record == "event 4")
      #expect(
        failure.reason == "signature refused: issuer \(intruder.kid) is not in the trust list")
    },
    ConformanceCase("audit: a whole log under another key is refused by the trust list") {
      let fixture = try await F.populated($0)
      let intruder = try IssuerKey(seed: [UInt8](repeating: 42, count: 32), name: "Intruder")
      let intrudersList = TrustList([
        intruder.trustedIssuer(validFrom: try Timestamp("2020-01-01"))
      ])
      #expect(try await failure(fixture, trustList: intrudersList)?.record == "event 1")
    },
    ConformanceCase("audit: a changed stored hash or kind is found") {
      let fixture = try await F.populated($0)
      try await fixture.tamper(.zeroHash(sequence: 7))
      #expect(try await failure(fixture)?.reason == "its stored hash is not the hash of its body")
      let second = try await F.populated($0)
      try await second.tamper(.setKind(sequence: 2, kind: "recall"))
      #expect(try await failure(second)?.record == "event 2")
    },
    ConformanceCase("audit: a derived row that no event accounts for is found") {
      let fixture = try await F.populated($0)
      try await fixture.tamper(
        .insertDerivedRow(
          table: "recalls",
          cells: [
            .integer(9), .text(F.sugar.digits), .text("A"), .text("fake"),
            .text("2026-01-01T00:00:00.000Z"),
          ]))
      let failure = try #require(try await failure(fixture))
      #expect(failure.record.hasPrefix("recalls row"))
      #expect(failure.reason == "no event in the log accounts for it")
    },
    ConformanceCase("audit: a deleted derived row is found") {
      let fixture = try await F.populated($0)
      try await fixture.tamper(.deleteDerivedRows(table: "serial_ranges", eventSequence: nil))
      let failure = try #require(try await failure(fixture))
      #expect(failure.record == "serial_ranges row for event 9")
      #expect(failure.reason == "is missing")
    },
    ConformanceCase("audit: a log cut short is found against a head noted earlier") {
      let fixture = try await F.populated($0)
      let noted = try await fixture.store.audit(trustList: fixture.trustList)
      try await fixture.tamper(.deleteDerivedRows(table: "serial_ranges", eventSequence: 9))
      try await fixture.tamper(.deleteEvent(sequence: 9))
      // Consistent on its own: a cut at the end leaves a shorter valid log...
      #expect(try await fixture.store.audit(trustList: fixture.trustList).passed)
      // ...which the head noted before gives away.
      let report = try await fixture.store.audit(
        trustList: fixture.trustList, expectedHead: (noted.headSequence, noted.headHash))
      #expect(
        report.failure?.reason == "is missing: the log ends at event 8, it has been cut short")
    },
    ConformanceCase("audit: revoked or expired issuers are refused") {
      let fixture = try await F.populated($0)
      let entry = try #require(fixture.trustList.issuers[fixture.key.kid])
      let revoked = TrustList([
        TrustedIssuer(
          kid: entry.kid, name: entry.name, publicKey: entry.publicKey, validFrom: entry.validFrom,
          validUntil: nil, revoked: true)
      ])
      #expect(
        try await failure(fixture, trustList: revoked)?.reason
          == "signature refused: issuer \(entry.kid) has been revoked")
      let expired = TrustList([
        TrustedIssuer(
          kid: entry.kid, name: entry.name, publicKey: entry.publicKey, validFrom: entry.validFrom,
          validUntil: try Timestamp("2026-11-01T08:00:03Z"), revoked: false)
      ])
      let failure = try #require(try await failure(fixture, trustList: expired))
      #expect(failure.sequence == 7)  // the first event recorded after 08:00:03
      #expect(failure.reason.contains("was trusted only until"))
    },
  ]
}
