import Testing

@testable import GS1

@Suite("GS1 syntax dictionary")
struct SyntaxDictionaryTests {
  let dictionary = SyntaxDictionary.gs1

  @Test func everyEntryOfTheShippedFileIsRead() {
    // Count the AIs the file declares, expanding ranges, independently of the parser.
    let text = String(decoding: SyntaxDictionary.embeddedText, as: UTF8.self)
    var declared = 0
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      guard let first = line.split(separator: " ").first else { continue }
      let ends = first.split(separator: "-").compactMap { Int($0) }
      declared += ends.count == 2 ? ends[1] - ends[0] + 1 : 1
    }
    #expect(declared > 500)
    #expect(dictionary.definitions.count == declared)
  }

  @Test func gtinIsAPrimaryKeyWithOrderedQualifiers() throws {
    let gtin = try #require(dictionary.definition(for: "01"))
    #expect(gtin.title == "GTIN")
    #expect(gtin.qualifierSequences == [["22", "10", "21"], ["235"]])
    #expect(gtin.components.first?.linters == [.csum, .gcppos2])
    #expect(gtin.lengthRange == 14...14)
    #expect(gtin.hasPredefinedLength)
  }

  @Test func lotIsVariableLengthCharacterSet82() throws {
    let lot = try #require(dictionary.definition(for: "10"))
    #expect(
      lot.components == [
        .init(isOptional: false, characterSet: .cset82, minLength: 1, maxLength: 20, linters: [])
      ])
    #expect(!lot.isPrimaryKey)
    #expect(lot.requirements == [[["01"], ["02"], ["03"], ["8006"], ["8026"]]])
  }

  @Test func rangesAreExpandedToEachAI() throws {
    for ai in ["3100", "3101", "3102", "3103", "3104", "3105"] {
      let definition = try #require(dictionary.definition(for: ai))
      #expect(definition.title == "NET WEIGHT (kg)")
      #expect(definition.isDataAttribute)
      #expect(definition.exclusions == ["310n"])
    }
    #expect(dictionary.definition(for: "3106") == nil)
    #expect(dictionary.definition(for: "95")?.title == "INTERNAL")
  }

  @Test func dataAttributeFlagFollowsTheFile() {
    #expect(dictionary.definition(for: "17")?.isDataAttribute == true)
    #expect(dictionary.definition(for: "21")?.isDataAttribute == false)
    #expect(dictionary.definition(for: "8200")?.isDataAttribute == false)
  }

  @Test func optionalComponentsAndMultiplePrimaryKeyAlternatives() throws {
    let gdti = try #require(dictionary.definition(for: "253"))
    #expect(gdti.components.count == 2)
    #expect(gdti.components[1].isOptional)
    #expect(gdti.lengthRange == 13...30)
    #expect(dictionary.definition(for: "414")?.qualifierSequences == [["254"], ["7040"]])
    #expect(dictionary.definition(for: "00")?.qualifierSequences == [[]])
  }

  @Test func aiPrefixFindsTwoThreeAndFourDigitAIs() {
    #expect(dictionary.aiPrefix(of: "0108931234567897")?.ai == "01")
    #expect(dictionary.aiPrefix(of: "2351")?.ai == "235")
    #expect(dictionary.aiPrefix(of: "3103000500")?.ai == "3103")
    #expect(dictionary.aiPrefix(of: "14") == nil)
  }

  @Test func malformedDictionaryLinesAreReported() {
    #expect(throws: GS1Error.self) { try SyntaxDictionary(parsing: "10  ?  Q..20  # BAD SET") }
    #expect(throws: GS1Error.self) { try SyntaxDictionary(parsing: "10  ?  X..20,nosuch  # BAD") }
    #expect(throws: GS1Error.self) { try SyntaxDictionary(parsing: "3105-3100  N6  # BAD RANGE") }
    #expect(throws: GS1Error.self) { try SyntaxDictionary(parsing: "10  ?  X..20 weird=1  # BAD") }
  }

  @Test(arguments: Linter.allCases)
  func everyLinterIsUsedByTheDictionary(_ linter: Linter) {
    let used = dictionary.definitions.values.contains { definition in
      definition.components.contains { $0.linters.contains(linter) }
    }
    #expect(used)
  }
}

@Suite("GS1 content checks")
struct LinterTests {
  @Test(arguments: [
    ("1987654Ad4X4bL5ttr2310c2K", true), ("12345678901234567890123NT", true),
    ("12345_ABCDEFGHIJKLMCP", true), ("00000!HV", true), ("1987654Ad4X4bL5ttr2310cXK", false),
    ("1987654Ad4X4bL5ttr2310c2X", false), ("0", false),
  ])
  func alphanumericCheckPair(data: String, valid: Bool) {
    #expect((Linter.csumalpha.problem(in: data[...]) == nil) == valid)
  }

  @Test(arguments: [
    ("260229", Linter.yymmd0, false), ("280229", .yymmd0, true), ("000229", .yymmd0, true),
    ("260200", .yymmd0, true), ("260200", .yymmdd, false), ("261231", .yymmdd, true),
    ("20000229", .yyyymmdd, true), ("21000229", .yyyymmdd, false), ("2359", .hhmi, true),
    ("2360", .hhmi, false), ("GB82WEST12345698765432", .iban, true),
    ("GB82WEST12345698765431", .iban, false), ("0102", .pieceoftotal, true),
    ("0000", .pieceoftotal, false), ("0", .nozeroprefix, true), ("012", .nozeroprefix, false),
    ("1/2", .posinseqslash, true), ("3/2", .posinseqslash, false), ("1234", .hasnondigit, false),
    ("12A4", .hasnondigit, true), ("1800000000", .latitude, true), ("1800000001", .latitude, false),
    ("A%20", .pcenc, true), ("A%2", .pcenc, false), ("0000", .nonzero, false),
    ("1234", .gcppos1, true), ("123", .gcppos1, false), ("91234", .gcppos2, true),
    ("9123A", .gcppos2, false),
  ])
  func contentChecks(data: String, linter: Linter, valid: Bool) {
    #expect((linter.problem(in: data[...]) == nil) == valid)
  }

  @Test func checksThatNeedCodeListsAreMarkedFormatOnly() {
    #expect(
      Linter.allCases.filter(\.isFormatOnly) == [
        .iso4217, .iso3166, .iso3166999, .iso3166alpha2, .packagetype, .mediatype, .couponcode,
        .couponposoffer,
      ])
  }
}

@Suite("What a newer syntax dictionary changes")
struct SyntaxDictionaryChangesTests {
  /// The shipped file, edited as a newer release might be: an AI added, one withdrawn, one
  /// lengthened and retitled.
  static func newer() throws -> String {
    var lines = String(decoding: SyntaxDictionary.embeddedText, as: UTF8.self)
      .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    lines.removeAll { $0.hasPrefix("7040 ") }
    let lot = try #require(lines.firstIndex { $0.hasPrefix("10 ") })
    lines[lot] = lines[lot].replacingOccurrences(of: "X..20", with: "X..30")
      .replacingOccurrences(of: "# BATCH/LOT", with: "# BATCH/LOT NUMBER")
    lines.append(
      "7299          X..20                                                                    # TEST AI"
    )
    return lines.joined(separator: "\n")
  }

  @Test func addedRemovedAndChangedAIsAreListedWithTheirFields() throws {
    let newer = try SyntaxDictionary(parsing: try Self.newer())
    let changes = SyntaxDictionary.gs1.changes(to: newer)
    #expect(changes.added.map(\.ai) == ["7299"])
    #expect(changes.removed.map(\.ai) == ["7040"])
    #expect(changes.changed.map(\.before.ai) == ["10"])
    #expect(changes.changed.first?.fields == ["title", "format"])
    #expect(SyntaxDictionary.gs1.changes(to: SyntaxDictionary.gs1).isEmpty)
    #expect(SyntaxDictionary.release == "2026-01-27")
  }
}
