import GS1
import Testing

/// A URI that must be rejected, with what the rejection must name.
struct InvalidLinkCase: CustomTestStringConvertible, Sendable {
  let rule: String
  let uri: String
  /// The subject the error must name: `Digital Link`, `AI (10)`…
  let subject: String
  /// The offending value the error must carry, when it is an AI value.
  let value: String?
  let expectation: Expectation
  var testDescription: String { rule }

  enum Expectation: Sendable {
    case rule(GS1Error.Rule)
    case messageContains(String)
  }

  init(
    _ rule: String, _ uri: String, _ subject: String, _ value: String? = nil,
    _ expectation: Expectation
  ) {
    self.rule = rule
    self.uri = uri
    self.subject = subject
    self.value = value
    self.expectation = expectation
  }
}

private let gtin = "08931234567897"
private let root = "https://id.gs1.org"
private let link = "Digital Link"

let invalidLinks: [InvalidLinkCase] = [
  // Scheme, host and overall shape.
  .init(
    "scheme other than http or https", "ftp://id.gs1.org/01/\(gtin)", link, nil,
    .messageContains("is not http or https")),
  .init(
    "scheme in mixed case", "Https://id.gs1.org/01/\(gtin)", link, nil,
    .messageContains("all lower case or all upper case")),
  .init(
    "missing scheme", "id.gs1.org/01/\(gtin)", link, nil,
    .messageContains("not an http or https URI")),
  .init("empty host", "https:///01/\(gtin)", link, nil, .messageContains("has no host")),
  .init(
    "user information before the host", "https://user@id.gs1.org/01/\(gtin)", link, nil,
    .messageContains("'@'")),
  .init(
    "port that is not a number", "https://id.gs1.org:80a/01/\(gtin)", link, nil,
    .messageContains("port")),
  .init(
    "port above 65535", "https://id.gs1.org:70000/01/\(gtin)", link, nil, .messageContains("port")),
  .init(
    "host with an underscore", "https://id_gs1.org/01/\(gtin)", link, nil,
    .messageContains("not a valid host name")),
  .init(
    "host label starting with a hyphen", "https://-id.gs1.org/01/\(gtin)", link, nil,
    .messageContains("not a valid host name")),
  .init(
    "trailing slash after a value", "\(root)/01/\(gtin)/", link, nil,
    .messageContains("must not end with '/'")),
  .init(
    "trailing slash after the qualifiers", "\(root)/01/\(gtin)/10/A/", link, nil,
    .messageContains("must not end with '/'")),
  .init(
    "empty path segment", "\(root)//01/\(gtin)", link, nil, .messageContains("empty path segment")),
  .init("no path at all", "https://id.gs1.org", link, nil, .messageContains("has no path")),
  .init(
    "stem without a primary key", "https://resolver.example/trace/product", link, nil,
    .messageContains("no GS1 primary key")),
  .init(
    "stem segment with a bracket", "https://resolver.example/a[b]/01/\(gtin)", link, nil,
    .messageContains("path segment")),
  .init(
    "AI that is not a primary key alone", "\(root)/17/271231", link, nil,
    .messageContains("no GS1 primary key")),
  // Primary key values.
  .init("primary key without a value", "\(root)/01", "AI (01)", "", .rule(.emptyValue)),
  .init("qualifier without a value", "\(root)/01/\(gtin)/10", "AI (10)", "", .rule(.emptyValue)),
  .init(
    "GTIN-13 not padded to 14 digits", "\(root)/01/8931234567897", "AI (01)", "8931234567897",
    .rule(.length(allowed: "exactly 14 digits"))),
  .init(
    "GTIN of 15 digits", "\(root)/01/089312345678970", "AI (01)", "089312345678970",
    .rule(.length(allowed: "exactly 14 digits"))),
  .init(
    "GTIN with a wrong check digit", "\(root)/01/08931234567892", "AI (01)", "08931234567892",
    .rule(.checkDigit(expected: "7"))),
  .init(
    "GTIN with a letter", "\(root)/01/0893123456789A", "AI (01)", "0893123456789A",
    .rule(.notNumeric(position: 14))),
  .init(
    "SSCC with a wrong check digit", "\(root)/00/008931234500000017", "AI (00)",
    "008931234500000017", .rule(.checkDigit(expected: "8"))),
  .init(
    "GLN with a wrong check digit", "\(root)/414/8931234000012", "AI (414)", "8931234000012",
    .rule(.checkDigit(expected: "1"))),
  .init(
    "GMN with a wrong check character pair", "\(root)/8013/1987654Ad4X4bL5ttr2310cXK", "AI (8013)",
    "1987654Ad4X4bL5ttr2310cXK", .rule(.content("check characters should be 2K"))),
  .init(
    "ITIP piece beyond its total", "\(root)/8006/\(gtin)0302", "AI (8006)", "\(gtin)0302",
    .rule(.content("piece 3 is beyond the total 2"))),
  // Qualifiers.
  .init(
    "lot before variant", "\(root)/01/\(gtin)/10/A/22/V", "AI (22)", "V",
    .rule(.qualifierOrder(primaryKey: "01", order: "(22) (10) (21), or (235)"))),
  .init(
    "serial before lot", "\(root)/01/\(gtin)/21/1/10/A", "AI (10)", "A",
    .rule(.qualifierOrder(primaryKey: "01", order: "(22) (10) (21), or (235)"))),
  .init(
    "third-party serial mixed with lot", "\(root)/01/\(gtin)/10/A/235/T", "AI (235)", "T",
    .rule(.qualifierOrder(primaryKey: "01", order: "(22) (10) (21), or (235)"))),
  .init(
    "expiry date in the path", "\(root)/01/\(gtin)/17/271231", "AI (17)", "271231",
    .rule(.notQualifier(primaryKey: "01", allowed: "(22), (10), (21), (235)"))),
  .init(
    "qualifier of another key", "\(root)/414/8931234000011/10/A", "AI (10)", "A",
    .rule(.notQualifier(primaryKey: "414", allowed: "(254), (7040)"))),
  .init(
    "qualifier after a key that takes none", "\(root)/00/008931234500000018/10/A", "AI (10)", "A",
    .rule(.notQualifier(primaryKey: "00", allowed: ""))),
  .init("repeated qualifier", "\(root)/01/\(gtin)/10/A/10/B", "AI (10)", "B", .rule(.repeated)),
  .init(
    "unknown AI in the path", "\(root)/01/\(gtin)/99999/A", "AI (99999)", "A", .rule(.unknownAI)),
  .init(
    "unassigned two-digit AI in the path", "\(root)/01/\(gtin)/14/A", "AI (14)", "A",
    .rule(.unknownAI)),
  // Query attributes.
  .init(
    "lot in the query", "\(root)/01/\(gtin)?10=A", "AI (10)", "A",
    .rule(.qualifierInQuery(primaryKey: "01"))),
  .init(
    "serial in the query", "\(root)/01/\(gtin)/10/A?21=5", "AI (21)", "5",
    .rule(.qualifierInQuery(primaryKey: "01"))),
  .init(
    "variant in the query", "\(root)/01/\(gtin)?22=V", "AI (22)", "V",
    .rule(.qualifierInQuery(primaryKey: "01"))),
  .init(
    "AI that may not be a data attribute", "\(root)/01/\(gtin)?8200=http", "AI (8200)", "http",
    .rule(.notDataAttribute)),
  .init(
    "primary key repeated in the query", "\(root)/01/\(gtin)?01=\(gtin)", "AI (01)", gtin,
    .rule(.repeated)),
  .init(
    "path qualifier repeated in the query", "\(root)/01/\(gtin)/10/A?10=B", "AI (10)", "B",
    .rule(.repeated)),
  .init(
    "attribute repeated", "\(root)/01/\(gtin)?17=271231&17=281231", "AI (17)", "281231",
    .rule(.repeated)),
  .init(
    "unknown numeric query key", "\(root)/01/\(gtin)?999=1", "AI (999)", "1", .rule(.unknownAI)),
  .init(
    "unassigned AI in a range", "\(root)/01/\(gtin)?3106=000100", "AI (3106)", "000100",
    .rule(.unknownAI)),
  .init("empty attribute value", "\(root)/01/\(gtin)?17=", "AI (17)", "", .rule(.emptyValue)),
  .init(
    "query parameter without a name", "\(root)/01/\(gtin)?=x", link, nil,
    .messageContains("without a name")),
  .init(
    "repeated non-numeric parameter", "\(root)/01/\(gtin)?s=1&s=2", "query parameter", "s",
    .rule(.repeated)),
  // Values: length, character set, encoding.
  .init(
    "lot of 21 characters", "\(root)/01/\(gtin)/10/ABCDEFGHIJ01234567890", "AI (10)",
    "ABCDEFGHIJ01234567890", .rule(.length(allowed: "1 to 20 characters"))),
  .init(
    "variant of 21 characters", "\(root)/01/\(gtin)/22/ABCDEFGHIJ01234567890", "AI (22)",
    "ABCDEFGHIJ01234567890", .rule(.length(allowed: "1 to 20 characters"))),
  .init(
    "space in a lot", "\(root)/01/\(gtin)/10/A%20B", "AI (10)", "A B",
    .rule(.characterSet(name: "GS1 character set 82", character: " ", position: 2))),
  .init(
    "Vietnamese letter in a lot", "\(root)/01/\(gtin)/10/L%C3%B4", "AI (10)", "Lô",
    .rule(.characterSet(name: "GS1 character set 82", character: "ô", position: 2))),
  .init(
    "hash sign in a serial", "\(root)/01/\(gtin)/21/A%23", "AI (21)", "A#",
    .rule(.characterSet(name: "GS1 character set 82", character: "#", position: 2))),
  .init(
    "percent not followed by hex", "\(root)/01/\(gtin)/10/A%G1", "AI (10)", nil,
    .messageContains("not followed by two hexadecimal digits")),
  .init(
    "truncated percent escape", "\(root)/01/\(gtin)/10/A%2", "AI (10)", nil,
    .messageContains("not followed by two hexadecimal digits")),
  .init(
    "escapes that are not UTF-8", "\(root)/01/\(gtin)/10/A%FF", "AI (10)", nil,
    .messageContains("not UTF-8")),
  // Dates and numbers.
  .init(
    "expiry month 13", "\(root)/01/\(gtin)?17=271301", "AI (17)", "271301",
    .rule(.content("month 13 is not 01–12"))),
  .init(
    "expiry day 32", "\(root)/01/\(gtin)?17=270132", "AI (17)", "270132",
    .rule(.content("day 32 does not exist in month 1"))),
  .init(
    "30 February", "\(root)/01/\(gtin)?17=280230", "AI (17)", "280230",
    .rule(.content("day 30 does not exist in month 2"))),
  .init(
    "29 February outside a leap year", "\(root)/01/\(gtin)?11=270229", "AI (11)", "270229",
    .rule(.content("day 29 does not exist in month 2"))),
  .init(
    "31 April", "\(root)/01/\(gtin)?15=270431", "AI (15)", "270431",
    .rule(.content("day 31 does not exist in month 4"))),
  .init(
    "day 00 where the dictionary forbids it", "\(root)/01/\(gtin)?7006=270100", "AI (7006)",
    "270100", .rule(.content("day 00 is not allowed here"))),
  .init(
    "expiry of five digits", "\(root)/01/\(gtin)?17=27123", "AI (17)", "27123",
    .rule(.length(allowed: "exactly 6 digits"))),
  .init(
    "expiry with a letter", "\(root)/01/\(gtin)?17=27123A", "AI (17)", "27123A",
    .rule(.notNumeric(position: 6))),
  .init(
    "net weight of seven digits", "\(root)/01/\(gtin)?3103=0005000", "AI (3103)", "0005000",
    .rule(.length(allowed: "exactly 6 digits"))),
  .init(
    "expiry time with hour 24", "\(root)/01/\(gtin)?7003=2701012400", "AI (7003)", "2701012400",
    .rule(.content("hour 24 is outside 0–23"))),
  // Associations from the dictionary's req= and ex= attributes.
  .init(
    "two net weights with different decimals", "\(root)/01/\(gtin)?3101=000005&3103=000500",
    "AI (3101)", "000005", .rule(.excludes("3103"))),
  .init(
    "ship-to company needs an SSCC", "\(root)/01/\(gtin)?4300=ACME", "AI (4300)", "ACME",
    .rule(.requires("(00)"))),
  .init(
    "secondary serial needs a serial", "\(root)/01/\(gtin)?250=X", "AI (250)", "X",
    .rule(.requires("(21)"))),
  .init(
    "count needs content or ITIP content", "\(root)/00/008931234500000018?37=12", "AI (37)", "12",
    .rule(.requires("one of (02), (8026)"))),
  .init(
    "lot as an attribute of an SSCC needs a trade item", "\(root)/00/008931234500000018?10=A",
    "AI (10)", "A", .rule(.requires("one of (01), (02), (03), (8006), (8026)"))),
]

@Suite("Digital Link: URIs that must be rejected")
struct DigitalLinkInvalidTests {
  @Test(arguments: invalidLinks)
  func rejected(_ testCase: InvalidLinkCase) {
    do {
      let link = try DigitalLink(parsing: testCase.uri)
      Issue.record("accepted \(testCase.uri) as \(link.elementString)")
    } catch {
      #expect(error.subject == testCase.subject, "\(error)")
      if let value = testCase.value { #expect(error.value == value, "\(error)") }
      switch testCase.expectation {
      case .rule(let rule): #expect(error.rule == rule, "\(error)")
      case .messageContains(let text): #expect(error.description.contains(text), "\(error)")
      }
    }
  }

  @Test func everyRejectionNamesItsSubjectValueAndRule() throws {
    let error = #expect(throws: GS1Error.self) {
      try DigitalLink(parsing: "\(root)/01/\(gtin)/10/A%20B")
    }
    #expect(
      error?.description
        == "AI (10) \"A B\": character ' ' (space) at position 2 is outside GS1 character set 82, which allows only letters A–Z and a–z without accents, digits 0–9 and ! \" % & ' ( ) * + , - . / : ; < = > ? _ (no space)"
    )
  }

  @Test func builderAppliesTheSameRulesAsTheParser() throws {
    let base = try DigitalLink.Base(root)
    let key = AIElement(ai: "01", value: gtin)
    #expect(
      throws: GS1Error(
        "AI (10)", "A", .qualifierOrder(primaryKey: "01", order: "(22) (10) (21), or (235)"))
    ) {
      try DigitalLink(
        base: base, primaryKey: key,
        qualifiers: [AIElement(ai: "21", value: "1"), AIElement(ai: "10", value: "A")])
    }
    #expect(throws: GS1Error("AI (10)", "A", .qualifierInQuery(primaryKey: "01"))) {
      try DigitalLink(base: base, primaryKey: key, attributes: [AIElement(ai: "10", value: "A")])
    }
    #expect(throws: GS1Error("AI (17)", "", .emptyValue)) {
      try DigitalLink(base: base, primaryKey: key, attributes: [AIElement(ai: "17", value: "")])
    }
    #expect(throws: GS1Error("AI (10)", "A", .notPrimaryKey)) {
      try DigitalLink(base: base, primaryKey: AIElement(ai: "10", value: "A"))
    }
  }

  @Test func numericParameterNamesAreRefusedByTheBuilder() throws {
    let base = try DigitalLink.Base(root)
    #expect(throws: GS1Error.self) {
      try DigitalLink(base: base, gtin: GTIN(gtin), parameters: [.init(name: "17", value: "x")])
    }
  }

  @Test(arguments: [
    "ftp://x.vn", "https://", "https://x.vn?q=1", "https://x.vn/a//b", "Https://x.vn",
  ])
  func badBasesAreRefused(_ text: String) {
    #expect(throws: GS1Error.self) { try DigitalLink.Base(text) }
  }
}
