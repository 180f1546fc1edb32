import GS1
import Testing

@testable import Label

@Suite("QR symbols")
struct QRTests {
  static let link =
    "https://truyxuat.angiang.example/01/08936059000017/10/DTN-2611-01/21/1001?17=271101"

  @Test func encodingIsCaseSensitiveAndReadsBack() throws {
    let symbol = try QRSymbol.encode(Self.link)
    #expect(symbol.width == 17 + 4 * symbol.version)
    #expect(symbol.level == .medium)
    let image = try symbol.bitmap(dotsPerModule: 4)
    #expect(try ZBarDecoder.decode(image) == [Self.link])
  }

  @Test(arguments: ErrorCorrection.allCases)
  func higherLevelsNeedNoSmallerSymbols(_ level: ErrorCorrection) throws {
    let symbol = try QRSymbol.encode(Self.link, level: level)
    #expect(try ZBarDecoder.decode(symbol.bitmap(dotsPerModule: 3)) == [Self.link])
    if level != .low {
      #expect(try symbol.version >= QRSymbol.encode(Self.link, level: .low).version)
    }
  }

  @Test func aMinimumVersionIsHonoured() throws {
    #expect(try QRSymbol.encode("A", minimumVersion: 7).version == 7)
  }

  @Test func aStrictMaximumVersionIsEnforcedWithTheCapacity() throws {
    let error = #expect(throws: LabelError.self) {
      try QRSymbol.encode(Self.link, level: .high, maximumVersion: 3)
    }
    guard case .tooLong(let bytes, let level, let capacity, let version) = error else {
      Issue.record("unexpected \(String(describing: error))")
      return
    }
    #expect(bytes == Self.link.utf8.count)
    #expect(level == .high)
    #expect(version == 3)
    #expect(capacity == 24)  // QR version 3-H: 24 bytes (ISO/IEC 18004 table 7)
    #expect(error?.description.contains("the URL has \(Self.link.utf8.count) bytes") == true)
  }

  @Test func textTooLongForAnySymbolSaysHowMuchFits() throws {
    let text = String(repeating: "x", count: 3000)
    let error = #expect(throws: LabelError.self) { try QRSymbol.encode(text, level: .medium) }
    #expect(error == .tooLong(bytes: 3000, level: .medium, capacity: 2331, maximumVersion: 40))
  }

  @Test func badOptionsAreRefused() {
    #expect(throws: LabelError.emptyText) { try QRSymbol.encode("") }
    #expect(throws: LabelError.self) { try QRSymbol.encode("A", minimumVersion: 0) }
    #expect(throws: LabelError.self) {
      try QRSymbol.encode("A", minimumVersion: 5, maximumVersion: 4)
    }
  }

  @Test func upperCaseSchemeAndHostAreChosenWhenTheyGiveASmallerSymbol() throws {
    let link = try DigitalLink(
      parsing: "https://truyxuat.angiang.example/01/08936059000017/21/10012345678901234567")
    let chosen = try LinkSymbol.smallest(for: link, level: .medium)
    let lower = try QRSymbol.encode(link.uri, level: .medium)
    let upper = try QRSymbol.encode(link.withSchemeAndHost(uppercased: true).uri, level: .medium)
    #expect(chosen.symbol.version == min(lower.version, upper.version))
    if upper.version < lower.version {
      #expect(chosen.uppercasedSchemeAndHost)
      #expect(chosen.text.hasPrefix("HTTPS://TRUYXUAT.ANGIANG.EXAMPLE/01/"))
    }
    // The path and query are never touched.
    #expect(chosen.text.hasSuffix("/01/08936059000017/21/10012345678901234567"))
    #expect(try ZBarDecoder.decode(chosen.symbol.bitmap(dotsPerModule: 3)) == [chosen.text])
  }

  @Test func onATieTheLinkStaysInLowerCase() throws {
    let link = try DigitalLink(parsing: "https://a.vn/01/08936059000017")
    let chosen = try LinkSymbol.smallest(for: link)
    #expect(chosen.text == "https://a.vn/01/08936059000017")
    #expect(!chosen.uppercasedSchemeAndHost)
  }
}

@Suite("Print sizes")
struct ModuleSizeTests {
  @Test(arguments: [
    (0.5, 203, 4, "0.500"), (0.423, 300, 5, "0.423"), (0.4, 300, 5, "0.423"),
    (0.4, 600, 10, "0.423"),
    (0.396, 203, 4, "0.500"), (0.8, 300, 9, "0.762"), (0.99, 600, 23, "0.974"),
  ])
  func modulesSnapToWholeDots(millimetres: Double, dpi: Int, dots: Int, actual: String) throws {
    let size = try ModuleSize(millimetres: millimetres, dpi: dpi)
    #expect(size.dots == dots)
    #expect(ModuleSize.format(size.millimetres) == actual)
    #expect(size.warning == nil)
  }

  @Test func modulesBelowGS1sMinimumAreRefusedUnlessAllowed() throws {
    let error = #expect(throws: LabelError.self) { try ModuleSize(millimetres: 0.375, dpi: 203) }
    #expect(error?.description.contains("below GS1's 0.396 mm minimum") == true)
    #expect(error?.description.contains("4 dots (0.500 mm)") == true)
    let allowed = try ModuleSize(millimetres: 0.375, dpi: 203, allowBelowMinimum: true)
    #expect(allowed.dots == 3)
    #expect(allowed.warning != nil)
  }

  @Test func pixelsPerMetreFollowTheResolution() throws {
    #expect(try ModuleSize(millimetres: 0.5, dpi: 300).pixelsPerMetre == 11811)
    #expect(try ModuleSize(millimetres: 0.5, dpi: 203).pixelsPerMetre == 7992)
    #expect(try ModuleSize(millimetres: 0.5, dpi: 600).pixelsPerMetre == 23622)
  }

  @Test func badResolutionsAndSizesAreRefused() {
    #expect(throws: LabelError.self) { try ModuleSize(millimetres: 0.5, dpi: 10) }
    #expect(throws: LabelError.self) { try ModuleSize(millimetres: 0, dpi: 300) }
    #expect(throws: LabelError.self) { try ModuleSize(millimetres: -1, dpi: 300) }
  }
}
