import Foundation
import GS1
import TestSupport
import Testing

@testable import Traceability

@Suite("Scoped entries, dated revocations, signed trust lists and their anchors")
struct SignedTrustListTests {
  let root = try! IssuerKey(seed: [UInt8](repeating: 1, count: 32), name: "Văn phòng OCOP An Giang")
  let producer = try! IssuerKey(seed: [UInt8](repeating: 2, count: 32), name: "HTX Lê Trì")
  let start = try! Timestamp("2026-01-01")

  func list() -> TrustList {
    TrustList([
      producer.trustedIssuer(validFrom: start).scoped(prefixes: ["8935481"], roles: [.batches])
    ])
  }

  @Test func aScopedEntryCoversOnlyItsPrefixesAfterTheIndicatorDigit() throws {
    let entry = list().issuers[producer.kid]!
    #expect(entry.covers(try GTIN("8935481001012")))
    #expect(entry.covers(try GTIN("18935481001019")))
    #expect(!entry.covers(try GTIN("8932301001016")))
    #expect(producer.trustedIssuer(validFrom: start).covers(try GTIN("8932301001016")))
    #expect(throws: TraceError.self) { try TrustedIssuer.checkedPrefix("893") }
    #expect(throws: TraceError.self) { try TrustedIssuer.checkedPrefix("89354a1") }
  }

  @Test func scopesRolesAndDatedRevocationsSurviveTheFileAndNeedVersion2() throws {
    var trust = list()
    trust.set(trust.issuers[producer.kid]!.revoking(from: try Timestamp("2026-12-01")))
    let data = trust.json()
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.contains("\"version\" : 2"))
    let read = try TrustList(json: data)
    #expect(read == trust)
    let entry = try #require(read.issuers[producer.kid])
    #expect(entry.prefixes == ["8935481"])
    #expect(entry.roles == [.batches])
    #expect(entry.revokedFrom == (try Timestamp("2026-12-01")))
    // A plain list stays version 1, which older readers know.
    let plain = TrustList([producer.trustedIssuer(validFrom: start)]).json()
    #expect(String(decoding: plain, as: UTF8.self).contains("\"version\" : 1"))
  }

  @Test func aDatedRevocationRefusesOnlyWhatIsSignedFromItsDate() throws {
    var trust = list()
    trust.set(trust.issuers[producer.kid]!.revoking(from: try Timestamp("2026-12-01")))
    let message = Array("m".utf8)
    let signature = try producer.sign(message)
    #expect(
      trust.check(
        kid: producer.kid, signature: signature, message: message,
        at: try Timestamp("2026-11-30T23:59:59Z")) == nil)
    #expect(
      trust.check(
        kid: producer.kid, signature: signature, message: message,
        at: try Timestamp("2026-12-01"))
        == .revoked(kid: producer.kid, from: try Timestamp("2026-12-01")))
    // A revocation without a date refuses everything.
    trust.set(trust.issuers[producer.kid]!.revoking(from: nil))
    #expect(
      trust.check(
        kid: producer.kid, signature: signature, message: message,
        at: try Timestamp("2026-02-01")) == .revoked(kid: producer.kid, from: nil))
  }

  @Test func mergingKeepsTheEarlierRevocationAndTakesTheIncomingScope() throws {
    var here = list()
    here.set(here.issuers[producer.kid]!.revoking(from: try Timestamp("2026-12-01")))
    let incoming = TrustList([
      producer.trustedIssuer(validFrom: start).scoped(
        prefixes: ["8935481", "8935482"], roles: [.batches]
      )
      .revoking(from: try Timestamp("2026-11-01"))
    ])
    try here.merge(incoming)
    let entry = try #require(here.issuers[producer.kid])
    #expect(entry.revokedFrom == (try Timestamp("2026-11-01")))
    #expect(entry.prefixes == ["8935481", "8935482"])
    // A list without the revocation does not undo it.
    try here.merge(list())
    #expect(here.issuers[producer.kid]?.revokedFrom == (try Timestamp("2026-11-01")))
  }

  @Test func aSignedListVerifiesAgainstItsAnchorOnly() throws {
    let signed = try list().signed(
      by: root, sequence: 3, issuedAt: try Timestamp("2026-11-01"),
      expires: try Timestamp("2027-01-01"))
    let read = try TrustList(json: signed.json())
    let now = try Timestamp("2026-11-30")
    let signature = try TrustListSignature.check(
      read, anchors: [TrustAnchor(root)], now: now, lastSequence: nil)
    #expect(signature.sequence == 3)
    #expect(signature.root == root.kid)
    // Another root's anchor.
    let other = try IssuerKey(seed: [UInt8](repeating: 3, count: 32), name: "Another office")
    let wrong = #expect(throws: TraceError.self) {
      try TrustListSignature.check(read, anchors: [TrustAnchor(other)], now: now, lastSequence: nil)
    }
    #expect(wrong?.description.contains("which is not a trust anchor here") == true)
    // An unsigned list, where an anchor is set.
    let unsigned = #expect(throws: TraceError.self) {
      try TrustListSignature.check(
        list(), anchors: [TrustAnchor(root)], now: now, lastSequence: nil)
    }
    #expect(unsigned?.description.contains("is not signed") == true)
  }

  @Test func aChangedExpiredOrOlderSignedListIsRefused() throws {
    let signed = try list().signed(
      by: root, sequence: 3, issuedAt: try Timestamp("2026-11-01"),
      expires: try Timestamp("2027-01-01"))
    let anchors = [TrustAnchor(root)]
    // An entry widened after signing.
    var text = String(decoding: signed.json(), as: UTF8.self)
    text = text.replacingOccurrences(of: "\"8935481\"", with: "\"893\"")
    #expect(throws: TraceError.self) { try TrustList(json: Data(text.utf8)) }
    let widened = String(decoding: signed.json(), as: UTF8.self).replacingOccurrences(
      of: "\"8935481\"", with: "\"8932301\"")
    let changed = #expect(throws: TraceError.self) {
      try TrustListSignature.check(
        try TrustList(json: Data(widened.utf8)), anchors: anchors,
        now: try Timestamp("2026-11-30"), lastSequence: nil)
    }
    #expect(changed?.description.contains("changed after signing") == true)
    let expired = #expect(throws: TraceError.self) {
      try TrustListSignature.check(
        signed, anchors: anchors, now: try Timestamp("2027-01-02"), lastSequence: nil)
    }
    #expect(expired?.description.contains("expired at 2027-01-01") == true)
    let replayed = #expect(throws: TraceError.self) {
      try TrustListSignature.check(
        signed, anchors: anchors, now: try Timestamp("2026-11-30"), lastSequence: 4)
    }
    #expect(replayed?.description.contains("older than list 4 accepted before") == true)
    // The same list again is not a replay.
    #expect(
      try TrustListSignature.check(
        signed, anchors: anchors, now: try Timestamp("2026-11-30"), lastSequence: 3
      ).sequence == 3)
  }

  @Test func anAnchorBookRemembersTheNewestListOfEachRoot() throws {
    let folder = TemporaryFolder()
    let path = folder.file("state/anchors.json")
    var book = try AnchorBook(path: path)
    book.add(TrustAnchor(root))
    let newer = try list().signed(
      by: root, sequence: 5, issuedAt: try Timestamp("2026-11-20"),
      expires: try Timestamp("2027-01-01"))
    book.accepted(try book.check(newer, now: try Timestamp("2026-11-30")))
    try book.write(to: path)
    let again = try AnchorBook(path: path)
    #expect(again.seen[root.kid] == 5)
    let older = try list().signed(
      by: root, sequence: 4, issuedAt: try Timestamp("2026-11-10"),
      expires: try Timestamp("2027-01-01"))
    #expect(throws: TraceError.self) { try again.check(older, now: try Timestamp("2026-11-30")) }
  }

  @Test func aSignedLinkOutsideItsSignersPrefixesIsRefused() throws {
    let base = try DigitalLink.Base("https://truyxuat.example")
    let outside = try DigitalLink(base: base, gtin: GTIN("8932301001016"), lot: "L1")
    let signed = try SignedLink.sign(outside, with: producer)
    #expect(
      SignedLink.verify(signed, trustList: list(), at: try Timestamp("2026-11-30"))
        == .refused(
          .outOfScope(kid: producer.kid, gtin: "08932301001016", prefixes: ["8935481"])))
    let inside = try SignedLink.sign(
      try DigitalLink(base: base, gtin: GTIN("8935481001012"), lot: "L1"), with: producer)
    #expect(
      SignedLink.verify(inside, trustList: list(), at: try Timestamp("2026-11-30"))
        == .valid(kid: producer.kid, issuer: "HTX Lê Trì"))
    // An issuer trusted for ratings only signs no labels.
    let office = TrustList([
      producer.trustedIssuer(validFrom: start).scoped(prefixes: [], roles: [.ratings])
    ])
    #expect(
      SignedLink.verify(inside, trustList: office, at: try Timestamp("2026-11-30"))
        == .refused(.notTrustedFor(kid: producer.kid, role: .batches)))
  }
}
