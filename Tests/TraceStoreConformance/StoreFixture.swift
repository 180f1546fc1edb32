import GS1
import TestSupport
import Traceability

/// A store with a producer and two products, the issuer key that signs it, and a trust
/// list, on the backend under test.
package struct StoreFixture: Sendable {
  package let backend: any ConformanceBackend
  package let folder: TemporaryFolder
  package let key: IssuerKey
  package let store: any TraceStore
  package let trustList: TrustList
  package let clock: TestClock

  package static let taxCode = "1600123456"
  package static let sugar = try! GTIN("8936059000017")
  package static let cake = try! GTIN("8936059000024")

  /// A fresh store on `backend`, its key made from `seed`.
  package static func make(_ backend: any ConformanceBackend, seed: UInt8 = 7) async throws
    -> StoreFixture
  {
    let folder = TemporaryFolder("ocop-conformance")
    let key = try IssuerKey(seed: [UInt8](repeating: seed, count: 32), name: "HTX Thốt Nốt Tri Tôn")
    let clock = TestClock()
    let store = try await backend.makeStore(in: folder, signer: key, clock: { clock.now() })
    let fixture = StoreFixture(
      backend: backend, folder: folder, key: key, store: store,
      trustList: TrustList([key.trustedIssuer(validFrom: try Timestamp("2026-01-01"))]),
      clock: clock)
    _ = try await store.apply([
      .registerProducer(
        Producer(
          taxCode: taxCode, kind: .cooperative, name: "Hợp tác xã Thốt Nốt Tri Tôn",
          address: Address(
            commune: "Xã Lê Trì", district: "Huyện Tri Tôn", province: "Tỉnh An Giang"))),
      .registerProduct(
        Product(
          gtin: sugar, producerTaxCode: taxCode, nameVietnamese: "Đường thốt nốt Tri Tôn",
          group: .food, netContent: Quantity(amount: "500", unit: UnitCode("GRM")))),
      .registerProduct(
        Product(
          gtin: cake, producerTaxCode: taxCode, nameVietnamese: "Bánh bò thốt nốt",
          group: .food, netContent: Quantity(amount: "250", unit: UnitCode("GRM")))),
    ])
    return fixture
  }

  package static func date(_ text: String) -> GS1Date { try! GS1Date(iso: text) }

  package static func lot(_ gtin: GTIN, _ code: String) -> LotReference {
    try! LotReference(gtin: gtin, lot: code)
  }

  /// The palm-sugar garden; harvested in October 2026, so a batch made earlier names no
  /// harvest.
  package static func origin(harvested: Bool = true) throws -> Origin {
    try Origin(
      areaName: "Vườn thốt nốt ấp Tà Lọt",
      address: Address(commune: "Xã Lê Trì", district: "Huyện Tri Tôn", province: "Tỉnh An Giang"),
      coordinates: Coordinates(latitude: "10.4167", longitude: "104.9833"),
      harvestStart: harvested ? date("2026-10-01") : nil,
      harvestEnd: harvested ? date("2026-10-20") : nil)
  }

  package static func request(
    _ gtin: GTIN = sugar, _ code: String, produced: String = "2026-11-02",
    expires: String = "2027-11-01", inputs: [LotReference] = []
  ) throws -> BatchRequest {
    try BatchRequest(
      lot: lot(gtin, code), productionDate: date(produced), expiryDate: date(expires),
      quantity: Quantity(amount: "120", unit: UnitCode("KGM")),
      origin: origin(harvested: produced >= "2026-10-20"), inputs: inputs)
  }

  /// Records a council's certification of `gtin`.
  package func certify(_ gtin: GTIN = sugar, stars: Int = 4, on date: String = "2025-03-10")
    async throws
  {
    _ = try await store.apply([
      .recordRating(
        gtin: gtin,
        rating: OCOPRating(
          stars: stars, status: .certified,
          decision: Decision(number: "436/QĐ-UBND", date: Self.date(date), level: .provincial)))
    ])
  }

  /// How many events the store holds, by auditing it.
  package func eventCount() async throws -> Int64 {
    try await store.audit(trustList: trustList).eventsChecked
  }

  /// A store with 9 events: producer, 2 products, rating, 3 batches (the third made from
  /// the first two, so 2 events), serials.
  package static func populated(_ backend: any ConformanceBackend) async throws -> StoreFixture {
    let fixture = try await make(backend)
    try await fixture.certify()
    _ = try await fixture.store.apply([
      .issueBatch(request(sugar, "A")),
      .issueBatch(request(sugar, "B")),
    ])
    _ = try await fixture.store.issueBatch(
      request(cake, "C", inputs: [lot(sugar, "A"), lot(sugar, "B")]))
    _ = try await fixture.store.allocateSerials(lot(cake, "C"), count: 100)
    return fixture
  }

  /// Edits the store behind its back.
  package func tamper(_ edit: StoreEdit) async throws {
    try await backend.tamper(in: folder, edit)
  }
}
