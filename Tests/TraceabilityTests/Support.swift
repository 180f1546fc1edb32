import Foundation
import GS1

@testable import Traceability

/// A fresh folder for one test's files, removed when the test ends.
final class TemporaryFolder {
  let path: String

  init() {
    path = NSTemporaryDirectory() + "ocop-trace-tests-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  func file(_ name: String) -> String { path + "/" + name }

  deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A clock that starts at a fixed moment and ticks one second per reading.
final class TestClock: @unchecked Sendable {
  private let lock = NSLock()
  private var seconds: TimeInterval

  init(start: String = "2026-11-01T08:00:00Z") {
    let formatter = ISO8601DateFormatter()
    seconds = formatter.date(from: start)!.timeIntervalSince1970
  }

  func now() -> Timestamp {
    lock.lock()
    defer { lock.unlock() }
    seconds += 1
    return Timestamp(Date(timeIntervalSince1970: seconds))
  }
}

/// A store with a producer and two products, the issuer key that signs it, and a trust list.
struct Fixture {
  let folder = TemporaryFolder()
  let key: IssuerKey
  let store: SQLiteTraceStore
  let trustList: TrustList
  let clock = TestClock()

  static let taxCode = "1600123456"
  static let sugar = try! GTIN("8936059000017")
  static let cake = try! GTIN("8936059000024")

  init(seed: UInt8 = 7) throws {
    key = try IssuerKey(seed: [UInt8](repeating: seed, count: 32), name: "HTX Thốt Nốt Tri Tôn")
    let clock = self.clock
    store = try SQLiteTraceStore(
      path: folder.file("trace.sqlite"), signer: key, create: true, clock: { clock.now() })
    trustList = TrustList([key.trustedIssuer(validFrom: try Timestamp("2026-01-01"))])
    _ = try store.apply([
      .registerProducer(
        Producer(
          taxCode: Self.taxCode, kind: .cooperative, name: "Hợp tác xã Thốt Nốt Tri Tôn",
          address: Address(
            commune: "Xã Lê Trì", district: "Huyện Tri Tôn", province: "Tỉnh An Giang"))),
      .registerProduct(
        Product(
          gtin: Self.sugar, producerTaxCode: Self.taxCode, nameVietnamese: "Đường thốt nốt Tri Tôn",
          group: .food, netContent: Quantity(amount: "500", unit: UnitCode("GRM")))),
      .registerProduct(
        Product(
          gtin: Self.cake, producerTaxCode: Self.taxCode, nameVietnamese: "Bánh bò thốt nốt",
          group: .food, netContent: Quantity(amount: "250", unit: UnitCode("GRM")))),
    ])
  }

  static func date(_ text: String) -> GS1Date { try! GS1Date(iso: text) }

  static func lot(_ gtin: GTIN, _ code: String) -> LotReference {
    try! LotReference(gtin: gtin, lot: code)
  }

  /// The palm-sugar garden; harvested in October 2026, so a batch made earlier names no
  /// harvest.
  static func origin(harvested: Bool = true) throws -> Origin {
    try Origin(
      areaName: "Vườn thốt nốt ấp Tà Lọt",
      address: Address(commune: "Xã Lê Trì", district: "Huyện Tri Tôn", province: "Tỉnh An Giang"),
      coordinates: Coordinates(latitude: "10.4167", longitude: "104.9833"),
      harvestStart: harvested ? date("2026-10-01") : nil,
      harvestEnd: harvested ? date("2026-10-20") : nil)
  }

  static func request(
    _ gtin: GTIN = sugar, _ code: String, produced: String = "2026-11-02",
    expires: String = "2027-11-01",
    inputs: [LotReference] = []
  ) throws -> BatchRequest {
    try BatchRequest(
      lot: lot(gtin, code), productionDate: date(produced), expiryDate: date(expires),
      quantity: Quantity(amount: "120", unit: UnitCode("KGM")),
      origin: origin(harvested: produced >= "2026-10-20"), inputs: inputs)
  }

  func certify(_ gtin: GTIN = sugar, stars: Int = 4, on date: String = "2025-03-10") throws {
    _ = try store.apply([
      .recordRating(
        gtin: gtin,
        rating: OCOPRating(
          stars: stars, status: .certified,
          decision: Decision(number: "436/QĐ-UBND", date: Self.date(date), level: .provincial)))
    ])
  }

  func eventCount() throws -> Int64 { try store.audit(trustList: trustList).eventsChecked }
}
