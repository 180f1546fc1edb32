import Foundation
import GS1
import TestSupport
import Testing
import Traceability

private typealias F = StoreFixture

/// Many issuers: producers' logs taken in by a province with their own signatures, within
/// the prefixes and roles their trust-list entries give them.
enum FederationCases {
  /// The sap cooperative's product, under its prefix 8935481.
  static let sap = try! GTIN("8935481001012")
  static let sapPrefix = "8935481"
  /// The sugar maker's prefix (``StoreFixture``'s products).
  static let sugarPrefix = "8936059"

  /// Three stores on one backend: the sap cooperative (one lot of sap), the sugar maker
  /// (``StoreFixture``, which took in the cooperative's log and made a lot of sugar from its
  /// sap, claiming 4 stars it certified itself) and the province, which trusts both within
  /// their prefixes, for batches only.
  struct Federation {
    let sap: StoreFixture
    let sugar: StoreFixture
    let province: StoreFixture
    let provinceTrust: TrustList

    static let sapLot = try! LotReference(gtin: FederationCases.sap, lot: "NTN-1")
    static let sugarLot = try! LotReference(gtin: F.sugar, lot: "DTN-1")

    static func make(_ backend: any ConformanceBackend) async throws -> Federation {
      let sap = try await cooperative(backend)
      let sugar = try await F.make(backend, seed: 7)
      var sugarTrust = sugar.trustList
      sugarTrust.set(scoped(sap, [sapPrefix]))
      _ = try await sugar.store.importLog(try await sap.store.events(), trustList: sugarTrust)
      try await sugar.certify(F.sugar, stars: 4)
      _ = try await sugar.store.issueBatch(F.request(F.sugar, "DTN-1", inputs: [sapLot]))
      let province = try await bare(backend, seed: 21, name: "Văn phòng OCOP An Giang")
      var trust = province.trustList
      trust.set(scoped(sap, [sapPrefix]))
      trust.set(scoped(sugar, [sugarPrefix]))
      return Federation(sap: sap, sugar: sugar, province: province, provinceTrust: trust)
    }

    /// A store with no records yet.
    static func bare(_ backend: any ConformanceBackend, seed: UInt8, name: String) async throws
      -> StoreFixture
    {
      let folder = TemporaryFolder("ocop-federation")
      let key = try IssuerKey(seed: [UInt8](repeating: seed, count: 32), name: name)
      let clock = TestClock(start: "2026-11-10T08:00:00Z")
      let store = try await backend.makeStore(in: folder, signer: key, clock: { clock.now() })
      return StoreFixture(
        backend: backend, folder: folder, key: key, store: store,
        trustList: TrustList([key.trustedIssuer(validFrom: try Timestamp("2026-01-01"))]),
        clock: clock)
    }

    /// A store whose producer makes palm sap under prefix 8935481.
    static func cooperative(_ backend: any ConformanceBackend) async throws -> StoreFixture {
      let folder = TemporaryFolder("ocop-federation")
      let key = try IssuerKey(seed: [UInt8](repeating: 11, count: 32), name: "HTX Lê Trì")
      let clock = TestClock(start: "2026-10-01T08:00:00Z")
      let store = try await backend.makeStore(in: folder, signer: key, clock: { clock.now() })
      _ = try await store.apply([
        .registerProducer(
          Producer(
            taxCode: "1601389958", kind: .cooperative, name: "Hợp tác xã Thốt nốt Lê Trì",
            address: Address(commune: "Xã Lê Trì", district: "Tri Tôn", province: "An Giang"))),
        .registerProduct(
          Product(
            gtin: FederationCases.sap, producerTaxCode: "1601389958",
            nameVietnamese: "Nước thốt nốt tươi", group: .drinks,
            netContent: Quantity(amount: "1", unit: UnitCode("LTR")))),
        .issueBatch(
          BatchRequest(
            lot: sapLot, productionDate: F.date("2026-10-25"), expiryDate: F.date("2026-10-26"),
            quantity: Quantity(amount: "300", unit: UnitCode("LTR")), origin: F.origin())),
      ])
      return StoreFixture(
        backend: backend, folder: folder, key: key, store: store,
        trustList: TrustList([key.trustedIssuer(validFrom: try Timestamp("2026-01-01"))]),
        clock: clock)
    }

    static func scoped(_ fixture: StoreFixture, _ prefixes: [String]) -> TrustedIssuer {
      fixture.trustList.issuers[fixture.key.kid]!.scoped(prefixes: prefixes, roles: [.batches])
    }
  }

  static let all: [ConformanceCase] = [
    ConformanceCase(
      "federation: a province takes in two producers' logs once, and later only what is new"
    ) {
      let f = try await Federation.make($0)
      let province = f.province.store
      let first = try await province.importLog(
        try await f.sugar.store.events(), trustList: f.provinceTrust)
      // The sugar maker's 9 events, and the 3 of the cooperative's it carries.
      #expect(first.eventsAdded == 12)
      #expect(first.logs.map(\.added).sorted() == [3, 9])
      let again = try await province.importLog(
        try await f.sap.store.events(), trustList: f.provinceTrust)
      #expect(again.eventsAdded == 0)
      #expect(again.logs.first?.alreadyHeld == 3)
      let head = try await province.headSequence()
      let same = try await province.importLog(
        try await f.sugar.store.events(), trustList: f.provinceTrust)
      #expect(same.eventsAdded == 0)
      #expect(try await province.headSequence() == head)
      // The cooperative recalls its sap: a later log adds only the recall.
      _ = try await f.sap.store.recall(Federation.sapLot, reason: "Nhiễm khuẩn E. coli")
      let later = try await province.importLog(
        try await f.sap.store.events(), trustList: f.provinceTrust)
      #expect(later.eventsAdded == 1)
      #expect(try await province.headSequence() == head + 1)
      // The recall reaches the sugar made from the sap, across producers.
      let evidence = try #require(try await province.scanEvidence(Federation.sugarLot, serial: nil))
      #expect(evidence.backward.firstRecall?.lot == Federation.sapLot)
      #expect(evidence.issuer == f.sugar.key.kid)
      let forward = try await province.traceForward(Federation.sapLot)
      #expect(forward.children.map(\.batch.lot) == [Federation.sugarLot])
      let report = try await province.audit(trustList: f.provinceTrust)
      #expect(report.passed, "\(String(describing: report.failure))")
      #expect(try await province.importedLogs().count == 2)
      // Without the producers in the trust list, the province's own audit refuses them.
      let failure = try #require(try await province.audit(trustList: f.province.trustList).failure)
      #expect(failure.reason.contains("is not in the trust list"))
    },
    ConformanceCase(
      "federation: a record outside its issuer's prefixes is refused, and nothing is stored"
    ) {
      let f = try await Federation.make($0)
      // The cooperative registers a product under the sugar maker's prefix.
      _ = try await f.sap.store.apply([
        .registerProduct(
          Product(
            gtin: try GTIN("8936059000031"), producerTaxCode: "1601389958",
            nameVietnamese: "Giả mạo", group: .food,
            netContent: Quantity(amount: "1", unit: UnitCode("KGM"))))
      ])
      let before = try await f.province.store.headSequence()
      let error = await #expect(throws: TraceError.self) {
        try await f.province.store.importLog(
          try await f.sap.store.events(), trustList: f.provinceTrust)
      }
      #expect(
        error?.description.contains(
          "may sign only for company prefix 8935481, and GTIN 08936059000031 is outside it") == true
      )
      #expect(try await f.province.store.headSequence() == before)
      // Nor does an audit or a bundle accept such an event where it stands.
      var loose = f.sap.trustList
      loose.set(Federation.scoped(f.sap, [sapPrefix]))
      let failure = try #require(try await f.sap.store.audit(trustList: loose).failure)
      #expect(failure.reason.contains("outside it"))
    },
    ConformanceCase("federation: an event re-signed by another key, or changed, is refused") {
      let f = try await Federation.make($0)
      var events = try await f.sap.store.events()
      let intruder = try IssuerKey(seed: [UInt8](repeating: 99, count: 32), name: "Intruder")
      let original = events[1]
      events[1] = try Event.make(
        sequence: 2, kind: original.kind, data: original.data, at: original.recordedAt,
        previousHash: original.previousHash, signer: intruder)
      var trust = f.provinceTrust
      trust.set(intruder.trustedIssuer(validFrom: try Timestamp("2026-01-01")))
      let before = try await f.province.store.headSequence()
      // Even a trusted key cannot stand in for another in the middle of its log: the next
      // event's link breaks.
      await #expect(throws: TraceError.self) {
        try await f.province.store.importLog(events, trustList: trust)
      }
      // A changed body breaks the signature.
      var changed = try await f.sap.store.events()
      let text = String(decoding: changed[2].body, as: UTF8.self).replacingOccurrences(
        of: "\"300\"", with: "\"3000\"")
      changed[2] = try Event(body: Array(text.utf8), signature: changed[2].signature)
      let error = await #expect(throws: TraceError.self) {
        try await f.province.store.importLog(changed, trustList: f.provinceTrust)
      }
      #expect(error?.description.contains("signature does not verify") == true)
      #expect(try await f.province.store.headSequence() == before)
    },
    ConformanceCase("federation: a forked log is refused") {
      let f = try await Federation.make($0)
      let province = f.province.store
      _ = try await province.importLog(try await f.sap.store.events(), trustList: f.provinceTrust)
      // The cooperative signs another event 3 (from a copy of its store made before it).
      var fork = Array(try await f.sap.store.events().prefix(2))
      fork.append(
        try Event.make(
          sequence: 3, kind: .shipping,
          data: .object([
            "lot": .object(["gtin": .string(sap.digits), "lot": .string("NTN-1")]),
            "party": .string("Chợ Tri Tôn"), "gln": .null, "date": .string("2026-10-26"),
            "quantity": .null,
          ]), at: try Timestamp("2026-10-02T00:00:00Z"), previousHash: fork[1].hash,
          signer: f.sap.key))
      let error = await #expect(throws: TraceError.self) {
        try await province.importLog(fork, trustList: f.provinceTrust)
      }
      #expect(error?.description.contains("forked") == true)
    },
    ConformanceCase("federation: a revoked issuer's events count up to the revocation's date") {
      let f = try await Federation.make($0)
      let events = try await f.sap.store.events()
      let entry = Federation.scoped(f.sap, [sapPrefix])
      // Revoked after its events were signed: they stay valid.
      var after = f.provinceTrust
      after.set(entry.revoking(from: try Timestamp("2026-10-02")))
      // Revoked from the moment its events were signed.
      var before = f.provinceTrust
      before.set(entry.revoking(from: events[2].recordedAt))
      let error = await #expect(throws: TraceError.self) {
        try await f.province.store.importLog(events, trustList: before)
      }
      #expect(error?.description.contains("was revoked from") == true)
      #expect(try await f.province.store.importLog(events, trustList: after).eventsAdded == 3)
      #expect(try await f.province.store.audit(trustList: after).passed)
      #expect(try await f.province.store.audit(trustList: before).failure != nil)
    },
    ConformanceCase("federation: stars count only when an issuer trusted for ratings decided them")
    {
      let f = try await Federation.make($0)
      let province = f.province.store
      _ = try await province.importLog(try await f.sugar.store.events(), trustList: f.provinceTrust)
      let link = "https://truyxuat.example/01/\(F.sugar.digits)/10/DTN-1"
      let today = F.date("2026-11-20")
      var verifier = Verifier(sources: [province], trustList: f.provinceTrust, today: today)
      let lapsed = await verifier.check(link)
      #expect(lapsed.verdict == .ratingLapsed)
      #expect(lapsed.detail.contains("which is not trusted for ratings"))
      // The office records the decision under its own key.
      try await f.province.certify(F.sugar, stars: 4)
      var again = Verifier(sources: [province], trustList: f.provinceTrust, today: today)
      #expect(await again.check(link).verdict == .valid)
      // Trusted for ratings, the producer's own decision would have counted too.
      var both = f.provinceTrust
      both.set(
        f.provinceTrust.issuers[f.sugar.key.kid]!.scoped(
          prefixes: [sugarPrefix], roles: [.batches, .ratings]))
      let producerStore = f.sugar.store
      var direct = Verifier(sources: [producerStore], trustList: both, today: today)
      #expect(await direct.check(link).verdict == .valid)
    },
    ConformanceCase("federation: a store holding producers' logs copies whole to a new store") {
      let f = try await Federation.make($0)
      _ = try await f.province.store.importLog(
        try await f.sugar.store.events(), trustList: f.provinceTrust)
      let copy = try await Federation.bare($0, seed: 21, name: "Văn phòng OCOP An Giang")
      let target = try #require(copy.store as? any TraceStoreBackend)
      let report = try await target.copyLog(from: f.province.store, trustList: f.provinceTrust)
      #expect(report.passed)
      #expect(report.eventsChecked == 12)
      #expect(try await copy.store.importedLogs() == (try await f.province.store.importedLogs()))
      let evidence = try #require(
        try await copy.store.scanEvidence(Federation.sugarLot, serial: nil))
      #expect(evidence.issuer == f.sugar.key.kid)
    },
    ConformanceCase("federation: an imported event changed behind the store's back is found") {
      let f = try await Federation.make($0)
      let province = f.province.store
      _ = try await province.importLog(try await f.sap.store.events(), trustList: f.provinceTrust)
      try await f.province.tamper(
        .replaceInEventBody(sequence: 3, text: "NTN-1", replacement: "NTN-2"))
      let failure = try #require(try await province.audit(trustList: f.provinceTrust).failure)
      #expect(failure.record == "event 3")
    },
  ]
}
