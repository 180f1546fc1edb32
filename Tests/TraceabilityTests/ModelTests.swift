import Foundation
import GS1
import Testing

@testable import Traceability

@Suite("Record rules")
struct ModelTests {
  @Test func expiryBeforeProductionIsRefused() throws {
    #expect(
      throws: TraceError.invalidField(
        record: "batch 08936059000017/A", field: "expiry date", value: "2026-01-01",
        reason: "is before the production date 2026-02-01")
    ) {
      try Fixture.request(Fixture.sugar, "A", produced: "2026-02-01", expires: "2026-01-01")
    }
  }

  @Test(arguments: ["", "LÔ 1", "A B", "ABCDEFGHIJKLMNOPQRSTU", "A#1"])
  func lotCodesMustBeValidGS1AI10(_ code: String) {
    #expect(throws: TraceError.self) { try LotReference(gtin: Fixture.sugar, lot: code) }
  }

  @Test(arguments: ["0", "0.000", "-1", "1e3", "1,5", "", ".5", "5."])
  func quantitiesMustBePositiveDecimals(_ amount: String) {
    #expect(throws: TraceError.self) { try Quantity(amount: amount, unit: UnitCode("KGM")) }
  }

  @Test(arguments: ["1.500", "1,500", "0.5", "1.0", "2,5"])
  func countsMustBeWholeNumbers(_ amount: String) {
    #expect(throws: TraceError.self) { try Quantity(amount: amount, unit: UnitCode("H87")) }
  }

  @Test func aFractionOfAPieceAlreadyInTheLogStillReads() throws {
    let stored = try Quantity(json: .object(["amount": .string("1.5"), "unit": .string("H87")]))
    #expect(stored.amount == "1.5")
    #expect(try Quantity(amount: "1500", unit: UnitCode("H87")).amount == "1500")
  }

  @Test func quantitiesAreWrittenCanonically() throws {
    #expect(try Quantity(amount: "007.500", unit: UnitCode("KGM")).amount == "7.5")
    #expect(try Quantity(amount: "0.25", unit: UnitCode("LTR")).description == "0.25 LTR")
    #expect(throws: TraceError.self) { try UnitCode("KG") }
  }

  @Test(arguments: ["123456789", "12345678901", "1234567890-1", "123456789A", "1234567890-0012"])
  func taxCodesAreTenDigitsOrABranch(_ code: String) throws {
    #expect(throws: TraceError.self) {
      try Producer(
        taxCode: code, kind: .household, name: "Hộ bà Nguyễn Thị A",
        address: Address(commune: "Xã An Phú", province: "Tỉnh An Giang"))
    }
  }

  @Test func addressesBeforeAndAfterJuly2025AreBothHeld() throws {
    let before = try Address(
      commune: "Xã Lê Trì", district: "Huyện Tri Tôn", province: "Tỉnh An Giang")
    let after = try Address(commune: "Xã Ba Chúc", province: "Tỉnh An Giang")
    #expect(before.line == "Xã Lê Trì, Huyện Tri Tôn, Tỉnh An Giang")
    #expect(after.district == nil)
    #expect(after.line == "Xã Ba Chúc, Tỉnh An Giang")
  }

  @Test func textIsTrimmedAndComposed() throws {
    let producer = try Producer(
      taxCode: "1600123456", kind: .household, name: "  Ho\u{302}\u{300} Văn A ",
      address: Address(commune: "Xã A", province: "Tỉnh B"))
    #expect(producer.name.unicodeScalars.count == "Hồ Văn A".unicodeScalars.count)
  }

  @Test func ratingRules() throws {
    let provincial = try Decision(
      number: "12/QĐ-UBND", date: Fixture.date("2024-05-02"), level: .provincial)
    let central = try Decision(
      number: "99/QĐ-BNN", date: Fixture.date("2024-05-02"), level: .central)
    #expect(throws: TraceError.self) {
      try OCOPRating(stars: 5, status: .certified, decision: provincial)
    }
    #expect(throws: TraceError.self) {
      try OCOPRating(stars: 2, status: .certified, decision: provincial)
    }
    #expect(throws: TraceError.self) {
      try OCOPRating(stars: 4, status: .revoked, decision: provincial)
    }
    #expect(throws: TraceError.self) {
      try OCOPRating(stars: 4, status: .proposedCentral, decision: provincial)
    }
    let five = try OCOPRating(stars: 5, status: .certified, decision: central)
    #expect(five.validUntil == Fixture.date("2027-05-01"))
    let short = try OCOPRating(
      stars: 3, status: .certified, decision: provincial, validUntil: Fixture.date("2025-05-01"))
    #expect(short.validUntil == Fixture.date("2025-05-01"))
  }

  @Test func certificatesRunThirtySixMonthsLessADay() {
    #expect(OCOPRating.defaultEnd(from: Fixture.date("2022-02-21")) == Fixture.date("2025-02-20"))
    #expect(OCOPRating.defaultEnd(from: Fixture.date("2024-03-01")) == Fixture.date("2027-02-28"))
    #expect(OCOPRating.defaultEnd(from: Fixture.date("2021-02-28")) == Fixture.date("2024-02-27"))
  }

  @Test func ratingInForceOnAnyDay() throws {
    func decision(_ number: String, _ date: String, _ level: DecisionLevel = .provincial) throws
      -> Decision
    {
      try Decision(number: number, date: Fixture.date(date), level: level)
    }
    let history = RatingHistory([
      try OCOPRating(stars: 3, status: .certified, decision: decision("1/QĐ", "2021-03-01")),
      try OCOPRating(stars: 4, status: .certified, decision: decision("2/QĐ", "2023-06-01")),
      try OCOPRating(stars: 5, status: .proposedCentral, decision: decision("3/QĐ", "2024-01-10")),
      try OCOPRating(stars: nil, status: .revoked, decision: decision("4/QĐ", "2025-01-15")),
      try OCOPRating(
        stars: 5, status: .certified, decision: decision("5/QĐ", "2025-08-01", .central)),
    ])
    #expect(history.inForce(on: Fixture.date("2021-02-28")) == nil)
    #expect(history.inForce(on: Fixture.date("2021-03-01"))?.stars == 3)
    #expect(history.inForce(on: Fixture.date("2023-05-31"))?.stars == 3)
    #expect(history.inForce(on: Fixture.date("2023-06-01"))?.stars == 4)
    #expect(history.inForce(on: Fixture.date("2024-06-01"))?.stars == 4)  // proposal keeps it
    #expect(history.inForce(on: Fixture.date("2025-01-15")) == nil)  // revoked
    #expect(history.inForce(on: Fixture.date("2025-08-01"))?.stars == 5)
    #expect(history.inForce(on: Fixture.date("2028-07-31"))?.stars == 5)
    #expect(history.inForce(on: Fixture.date("2028-08-01")) == nil)  // lapsed after 36 months
  }

  @Test func originHarvestMustNotEndBeforeItStarts() throws {
    #expect(throws: TraceError.self) {
      try Origin(
        areaName: "Ao cá", address: Address(commune: "Xã A", province: "Tỉnh B"),
        harvestStart: Fixture.date("2026-05-02"), harvestEnd: Fixture.date("2026-05-01"))
    }
    #expect(throws: TraceError.self) { try Coordinates(latitude: "91", longitude: "105") }
    #expect(throws: TraceError.self) { try Coordinates(latitude: "10.5", longitude: "1e2") }
    #expect(try Coordinates(latitude: "-10.4167", longitude: "104.98").latitude == "-10.4167")
  }

  @Test func timestampsAreFixedWidthUTC() throws {
    #expect(try Timestamp("2026-01-02").text == "2026-01-02T00:00:00.000Z")
    #expect(try Timestamp("2026-01-02T03:04:05Z").text == "2026-01-02T03:04:05.000Z")
    #expect(
      Timestamp(Date(timeIntervalSince1970: 1_790_000_000.123)).text == "2026-09-21T14:13:20.123Z")
    #expect(throws: TraceError.self) { try Timestamp("2026-1-02") }
    #expect(throws: TraceError.self) { try Timestamp("2026-01-02T03:04:05+07:00") }
  }
}

@Suite("Trimming text")
struct TrimmingTests {
  /// The trimming records and import cells get is Foundation's, without NSString: for
  /// samples, and for every scalar of the Basic Multilingual Plane at either end.
  @Test func trimmingIsFoundations() {
    for value in 0...0xFFFF {
      guard let scalar = Unicode.Scalar(value) else { continue }
      let text = String(scalar) + "x" + String(scalar)
      #expect(text.trimmed() == text.trimmingCharacters(in: .whitespacesAndNewlines))
      #expect(text.trimmed(newlines: false) == text.trimmingCharacters(in: .whitespaces))
    }
    let samples = [
      "", " ", "\t\n", "Xã Lê Trì", "  Xã Lê Trì \t", "\u{00A0}Đường thốt nốt\u{3000}",
      "\n\r Hợp tác xã \u{2028}", "a\u{0085}", "\u{2029}b", "x y", " \u{200B}zero-width\u{200B} ",
      "line\nbreak", "\u{1680}ogham\u{202F}", " \u{301}x", "x\u{301} ", "\u{3000}\u{301}",
    ]
    for sample in samples {
      #expect(
        sample.trimmed() == sample.trimmingCharacters(in: .whitespacesAndNewlines),
        "\(sample.unicodeScalars.map { String($0.value, radix: 16) })")
      #expect(
        sample.trimmed(newlines: false) == sample.trimmingCharacters(in: .whitespaces),
        "\(sample.unicodeScalars.map { String($0.value, radix: 16) })")
    }
  }
}
