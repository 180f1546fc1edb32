import GS1
import Testing

/// A URI that every Digital Link reader must accept, named after the rule it exercises.
struct ValidLinkCase: CustomTestStringConvertible, Sendable {
  let rule: String
  let uri: String
  /// The element string the link carries.
  let elements: String
  /// The canonical URI when it differs from the input (percent-encoding normalised).
  let canonical: String?
  var testDescription: String { rule }

  init(_ rule: String, _ uri: String, _ elements: String, canonical: String? = nil) {
    self.rule = rule
    self.uri = uri
    self.elements = elements
    self.canonical = canonical
  }
}

private let gtin = "08931234567897"
private let root = "https://id.gs1.org"

let validLinks: [ValidLinkCase] = [
  .init("GTIN alone is a complete link", "\(root)/01/\(gtin)", "(01)\(gtin)"),
  .init("lot qualifier after GTIN", "\(root)/01/\(gtin)/10/LOT-A", "(01)\(gtin)(10)LOT-A"),
  .init(
    "serial may follow GTIN without a lot", "\(root)/01/\(gtin)/21/1001", "(01)\(gtin)(21)1001"),
  .init(
    "all three qualifiers in the order 22, 10, 21", "\(root)/01/\(gtin)/22/V1/10/L1/21/S1",
    "(01)\(gtin)(22)V1(10)L1(21)S1"),
  .init("consumer product variant alone", "\(root)/01/\(gtin)/22/2A", "(01)\(gtin)(22)2A"),
  .init(
    "variant then serial, skipping the lot", "\(root)/01/\(gtin)/22/V/21/9", "(01)\(gtin)(22)V(21)9"
  ),
  .init(
    "third-party serial (235) is the alternative qualifier", "\(root)/01/\(gtin)/235/TPX123",
    "(01)\(gtin)(235)TPX123"),
  .init(
    "path stem of one segment", "https://resolver.example/trace/01/\(gtin)/10/A", "(01)\(gtin)(10)A"
  ),
  .init(
    "path stem of several segments", "https://resolver.example/an-giang/ocop/v1/01/\(gtin)",
    "(01)\(gtin)"
  ),
  .init(
    "numeric stem segments before the key", "https://resolver.example/2026/07/01/\(gtin)",
    "(01)\(gtin)"),
  .init("stem segment equal to an AI", "https://resolver.example/01/01/\(gtin)", "(01)\(gtin)"),
  .init(
    "stem with sub-delimiters and percent-encoding",
    "https://resolver.example/a%20b/c;v=1/01/\(gtin)",
    "(01)\(gtin)"),
  .init("http scheme", "http://id.gs1.org/01/\(gtin)", "(01)\(gtin)"),
  .init("scheme and host all upper case", "HTTPS://ID.GS1.ORG/01/\(gtin)", "(01)\(gtin)"),
  .init("host with a port", "https://localhost:8080/01/\(gtin)", "(01)\(gtin)"),
  .init("IPv4 host", "http://127.0.0.1/01/\(gtin)", "(01)\(gtin)"),
  .init("IPv6 host with port", "http://[::1]:8080/01/\(gtin)", "(01)\(gtin)"),
  .init("slash in a lot is percent-encoded", "\(root)/01/\(gtin)/10/A%2FB", "(01)\(gtin)(10)A/B"),
  .init(
    "lower-case hex escapes are read and written upper case", "\(root)/01/\(gtin)/10/A%2fB",
    "(01)\(gtin)(10)A/B", canonical: "\(root)/01/\(gtin)/10/A%2FB"),
  .init(
    "escaped unreserved characters are written bare", "\(root)/01/\(gtin)/10/%41%2D1",
    "(01)\(gtin)(10)A-1", canonical: "\(root)/01/\(gtin)/10/A-1"),
  .init(
    "every character-set-82 symbol percent-encoded",
    "\(root)/01/\(gtin)/10/%21%22%25%26%27%28%29%2A%2B%2C/21/%3A%3B%3C%3D%3E%3F_.-",
    "(01)\(gtin)(10)!\"%&'\\()*+,(21):;<=>?_.-"),
  .init(
    "lot of 20 characters, the maximum", "\(root)/01/\(gtin)/10/ABCDEFGHIJ0123456789",
    "(01)\(gtin)(10)ABCDEFGHIJ0123456789"),
  .init("lower-case lot", "\(root)/01/\(gtin)/10/dt-2026-a", "(01)\(gtin)(10)dt-2026-a"),
  .init(
    "expiry date as a query attribute", "\(root)/01/\(gtin)/10/A?17=271231",
    "(01)\(gtin)(10)A(17)271231"),
  .init(
    "expiry day 00 means end of month", "\(root)/01/\(gtin)?17=270200", "(01)\(gtin)(17)270200"),
  .init("29 February in a leap year", "\(root)/01/\(gtin)?11=280229", "(01)\(gtin)(11)280229"),
  .init(
    "production date, expiry and net weight together",
    "\(root)/01/\(gtin)/10/A?11=260101&17=270101&3103=000500",
    "(01)\(gtin)(10)A(11)260101(17)270101(3103)000500"),
  .init(
    "net weight with five decimals", "\(root)/01/\(gtin)?3105=012345", "(01)\(gtin)(3105)012345"),
  .init(
    "best before and expiry may both be given", "\(root)/01/\(gtin)?15=270101&17=270201",
    "(01)\(gtin)(15)270101(17)270201"),
  .init(
    "attribute order is kept as given", "\(root)/01/\(gtin)?17=270101&11=260101",
    "(01)\(gtin)(17)270101(11)260101"),
  .init(
    "country of origin (422) as an attribute", "\(root)/01/\(gtin)?422=704", "(01)\(gtin)(422)704"),
  .init("non-numeric parameter is kept", "\(root)/01/\(gtin)/10/A?s=ABC123", "(01)\(gtin)(10)A"),
  .init(
    "non-numeric parameter with an empty value is kept", "\(root)/01/\(gtin)?utm_source=",
    "(01)\(gtin)"),
  .init("linkType parameter is kept", "\(root)/01/\(gtin)?linkType=gs1%3Apip", "(01)\(gtin)"),
  .init(
    "attributes and parameters interleaved", "\(root)/01/\(gtin)?17=270101&s=X&3103=000250",
    "(01)\(gtin)(17)270101(3103)000250", canonical: "\(root)/01/\(gtin)?17=270101&3103=000250&s=X"),
  .init(
    "SSCC is a primary key without qualifiers", "\(root)/00/008931234500000018",
    "(00)008931234500000018"),
  .init(
    "SSCC with content and count attributes that require each other",
    "\(root)/00/008931234500000018?02=\(gtin)&37=12", "(00)008931234500000018(02)\(gtin)(37)12"),
  .init(
    "GLN with its extension qualifier", "\(root)/414/8931234000011/254/KHO-1",
    "(414)8931234000011(254)KHO-1"),
  .init("GLN alone", "\(root)/414/8931234000011", "(414)8931234000011"),
  .init(
    "ITIP with piece of total and qualifiers", "\(root)/8006/\(gtin)0102/10/A",
    "(8006)\(gtin)0102(10)A"),
  .init("GTIN-8 written as 14 digits", "\(root)/01/00000012345670", "(01)00000012345670"),
  .init(
    "GMN with a valid check character pair", "\(root)/8013/1987654Ad4X4bL5ttr2310c2K",
    "(8013)1987654Ad4X4bL5ttr2310c2K"),
  .init(
    "GDTI with its optional serial component", "\(root)/253/8931234000011ABC",
    "(253)8931234000011ABC"),
  .init(
    "four-digit AI in the query", "\(root)/01/\(gtin)?7003=2701011230",
    "(01)\(gtin)(7003)2701011230"),
  .init(
    "query name percent-encoded to digits is an AI", "\(root)/01/\(gtin)?%31%37=270101",
    "(01)\(gtin)(17)270101", canonical: "\(root)/01/\(gtin)?17=270101"),
]

@Suite("Digital Link: URIs that must be accepted")
struct DigitalLinkValidTests {
  @Test(arguments: validLinks)
  func accepted(_ testCase: ValidLinkCase) throws {
    let link = try DigitalLink(parsing: testCase.uri)
    #expect(link.elementString.description == testCase.elements)
    #expect(link.uri == (testCase.canonical ?? testCase.uri))
    // The canonical form parses back to the same value.
    #expect(try DigitalLink(parsing: link.uri) == link)
  }

  @Test func nonNumericParametersAreExposedInOrder() throws {
    let link = try DigitalLink(parsing: "\(root)/01/\(gtin)?b=2&17=270101&a=%20x")
    #expect(link.parameters.map(\.name) == ["b", "a"])
    #expect(link.parameter("a") == " x")
    #expect(link.parameter("missing") == nil)
  }

  @Test func stemAndHostAreKeptAsWritten() throws {
    let link = try DigitalLink(parsing: "HTTPS://Example.VN:8443/Trace/v1/01/\(gtin)")
    #expect(link.base.scheme == "HTTPS")
    #expect(link.base.host == "Example.VN:8443")
    #expect(link.base.stem == ["Trace", "v1"])
  }

  @Test func upperCasingSchemeAndHostLeavesPathAndQuery() throws {
    let link = try DigitalLink(parsing: "https://id.example/trace/01/\(gtin)/10/lot?s=abc")
    #expect(
      link.withSchemeAndHost(uppercased: true).uri
        == "HTTPS://ID.EXAMPLE/trace/01/\(gtin)/10/lot?s=abc")
  }

  @Test func builderMakesTheCanonicalURI() throws {
    let base = try DigitalLink.Base("https://truyxuat.example/")
    let link = try DigitalLink(
      base: base, gtin: GTIN("8931234567897"), lot: "DT/01", serial: "0001",
      attributes: [AIElement(ai: "17", value: "271231")],
      parameters: [.init(name: "s", value: "K1.ABC")])
    #expect(
      link.uri == "https://truyxuat.example/01/\(gtin)/10/DT%2F01/21/0001?17=271231&s=K1.ABC")
    #expect(link.gtin?.digits == gtin)
    #expect(link.value(of: "10") == "DT/01")
  }

  @Test func elementsInAnyOrderBecomePathAndQuery() throws {
    let base = try DigitalLink.Base(root)
    let elements = try ElementString(parsing: "(17)271231(21)9(01)\(gtin)(10)A").elements
    let link = try DigitalLink(base: base, elements: elements)
    #expect(link.uri == "\(root)/01/\(gtin)/10/A/21/9?17=271231")
  }

  @Test func settingAParameterReplacesOneOfTheSameName() throws {
    let link = try DigitalLink(parsing: "\(root)/01/\(gtin)?s=old&t=1")
    #expect(try link.setting(.init(name: "s", value: "new")).uri == "\(root)/01/\(gtin)?t=1&s=new")
  }
}
