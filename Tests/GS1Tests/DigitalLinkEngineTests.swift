import Testing

@testable import GS1

/// How GS1's own engine reads Digital Link URIs: every case of the `test_parseDLuri` tests
/// of GS1's reference implementation (github.com/gs1/gs1-syntax-engine, `src/c-lib/dl.c`,
/// commit 50657db), written here as a table: each URI with the element string the engine
/// gives (its notation: `^` for FNC1, leading and between elements) or nil where it refuses.
/// Cases the engine runs with an option on carry it; the engine's option to accept unknown
/// AIs as data attributes is not offered, so its one case is left out.
struct EngineCase: Sendable, CustomTestStringConvertible {
  enum Option: Sendable {
    case alphas, zeroSuppressed
  }

  let uri: String
  let expected: String?
  let options: [Option]

  init(_ uri: String, _ expected: String?, options: [Option] = []) {
    self.uri = uri
    self.expected = expected
    self.options = options
  }

  var readOptions: DigitalLink.ReadOptions {
    DigitalLink.ReadOptions(
      convenienceAlphas: options.contains { if case .alphas = $0 { true } else { false } },
      zeroSuppressedGTINs: options.contains {
        if case .zeroSuppressed = $0 { true } else { false }
      })
  }

  var testDescription: String {
    (expected == nil ? "refuses " : "reads ") + uri
      + (options.isEmpty ? "" : " (with \(options))")
  }

  static let all: [EngineCase] = [
    EngineCase("", nil),
    EngineCase("ftp://", nil),
    EngineCase("http://", nil),
    EngineCase("http:///", nil),
    EngineCase("http://a", nil),
    EngineCase("http://a/", nil),
    EngineCase("http://a/b", nil),
    EngineCase("http://a/b/", nil),
    EngineCase("http://a/00/006141411234567890", "^00006141411234567890"),
    EngineCase("HTTP://a/00/006141411234567890", "^00006141411234567890"),
    EngineCase("https://a/00/006141411234567890", "^00006141411234567890"),
    EngineCase("HTTPS://a/00/006141411234567890", "^00006141411234567890"),
    EngineCase("HtTp://a/b/00/006141411234567890", nil),
    EngineCase("https://00/006141411234567890", nil),
    EngineCase("https://a/01/12312312312333", "^0112312312312333"),
    EngineCase("https://xn--fsq.xn--0zwm56d/01/12312312312333", "^0112312312312333"),
    EngineCase("https://a./01/12312312312333", "^0112312312312333"),
    EngineCase("https://a:65535/01/12312312312333", "^0112312312312333"),
    EngineCase("https://192.0.2.1/01/12312312312333", "^0112312312312333"),
    EngineCase("https://3232235777/01/12312312312333", "^0112312312312333"),
    EngineCase("https://0300.0250.01.01/01/12312312312333", "^0112312312312333"),
    EngineCase("https://0xC0.0xA8.0x01.0x01/01/12312312312333", "^0112312312312333"),
    EngineCase("https://[2001:db8::1]/01/12312312312333", "^0112312312312333"),
    EngineCase("https://[fe80::1%25lo]/01/12312312312333", nil),
    EngineCase("https://$a/006141411234567890", nil),
    EngineCase("https://a$/006141411234567890", nil),
    EngineCase("https://a/01/12312312312333<bad", nil),
    EngineCase("https://a/01/12312312312333>bad", nil),
    EngineCase("https://a/01/12312312312333{bad", nil),
    EngineCase("https://a/01/12312312312333}bad", nil),
    EngineCase("https://a/01/12312312312333\\bad", nil),
    EngineCase("https://a/01/12312312312333^bad", nil),
    EngineCase("https://a/01/12312312312333`bad", nil),
    EngineCase("https://a/stem/00/006141411234567890", "^00006141411234567890"),
    EngineCase("https://a/more/stem/00/006141411234567890", "^00006141411234567890"),
    EngineCase("https://a/00/faux/00/006141411234567890", "^00006141411234567890"),
    EngineCase("https://a/gtin/12312312312333", nil),
    EngineCase("https://a/gtin/12312312312333", "^0112312312312333", options: [.alphas]),
    EngineCase(
      "https://a/gtin/12312312312333/ser/ABC123", "^011231231231233321ABC123", options: [.alphas]),
    EngineCase("https://a/sscc/006141411234567890", "^00006141411234567890", options: [.alphas]),
    EngineCase("https://a/zzz/12312312312333", nil, options: [.alphas]),
    EngineCase("https://a/cps/12312312312333", nil, options: [.alphas]),
    EngineCase("https://a/01/2112345678900", "^0102112345678900", options: [.zeroSuppressed]),
    EngineCase("https://a/01/2112345678900", nil),
    EngineCase("https://a/01/416000336108", "^0100416000336108", options: [.zeroSuppressed]),
    EngineCase("https://a/01/416000336108", nil),
    EngineCase("https://a/01/02345673", "^0100000002345673", options: [.zeroSuppressed]),
    EngineCase("https://a/01/02345673", nil),
    EngineCase(
      "https://a/8004/9520614141234567?01=2112345678900", "^80049520614141234567^0102112345678900",
      options: [.zeroSuppressed]),
    EngineCase("https://a/8004/9520614141234567?01=2112345678900", nil),
    EngineCase(
      "https://a/8004/9520614141234567?01=02345673", "^80049520614141234567^0100000002345673",
      options: [.zeroSuppressed]),
    EngineCase("https://a/8004/9520614141234567?01=02345673", nil),
    EngineCase(
      "https://a/8004/9520614141234567?01=09521234543213", "^80049520614141234567^0109521234543213"),
    EngineCase(
      "https://a/01/12312312312333/22/TEST/10/ABC/21/XYZ", "^011231231231233322TEST^10ABC^21XYZ"),
    EngineCase("https://a/01/12312312312333/235/TEST", "^0112312312312333235TEST"),
    EngineCase("https://a/253/1231231231232", "^2531231231231232"),
    EngineCase(
      "https://a/253/1231231231232TEST5678901234567", "^2531231231231232TEST5678901234567"),
    EngineCase("https://a/253/1231231231232TEST56789012345678", nil),
    EngineCase("https://a/8018/123456789012345675/8019/123", "^8018123456789012345675^8019123"),
    EngineCase("https://a/stem/00/006141411234567890/", nil),
    EngineCase("https://a/stem/00/006141411234567890?", "^00006141411234567890"),
    EngineCase("https://a/stem/00/006141411234567890?99=ABC", "^0000614141123456789099ABC"),
    EngineCase("https://a/stem/401/12345678?99=ABC", "^40112345678^99ABC"),
    EngineCase("https://a/01/12312312312333?99=ABC&98=XYZ", "^011231231231233399ABC^98XYZ"),
    EngineCase("https://a/01/12312312312333?99=", nil),
    EngineCase("https://a/01/12312312312333?99=ABC&999=faux", nil),
    EngineCase(
      "https://a/01/12312312312333?&&&99=ABC&&&&&&98=XYZ&&&", "^011231231231233399ABC^98XYZ"),
    EngineCase(
      "https://a/01/12312312312333?99=ABC&unknown=666&98=XYZ", "^011231231231233399ABC^98XYZ"),
    EngineCase(
      "https://a/01/12312312312333?unknown=666&99=ABC&98=XYZ", "^011231231231233399ABC^98XYZ"),
    EngineCase(
      "https://a/01/12312312312333?99=ABC&98=XYZ&unknown=666", "^011231231231233399ABC^98XYZ"),
    EngineCase(
      "https://a/01/12312312312333?unknown1=555&99=ABC&unknown2=666&98=XYZ&unknown3=777",
      "^011231231231233399ABC^98XYZ"),
    EngineCase(
      "https://a/01/12312312312333?99=ABC&singleton&98=XYZ", "^011231231231233399ABC^98XYZ"),
    EngineCase(
      "https://a/01/12312312312333?singleton&99=ABC&98=XYZ", "^011231231231233399ABC^98XYZ"),
    EngineCase(
      "https://a/01/12312312312333?99=ABC&98=XYZ&singleton", "^011231231231233399ABC^98XYZ"),
    EngineCase(
      "https://a/01/12312312312333?singleton1&99=ABC&singleton2&98=XYZ&singleton3",
      "^011231231231233399ABC^98XYZ"),
    EngineCase(
      "https://a/01/12312312312333?singleton1&unknown1=555&99=ABC&singleton2&unknown2=6666&98=XYZ&unknown3=777&singleton3",
      "^011231231231233399ABC^98XYZ"),
    EngineCase(
      "https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ%2f987",
      "^011231231231233322ABC-123^99ABC^98XYZ/987"),
    EngineCase(
      "https://a/01/12312312312333/22/ABC+123?99=ABC&98=XYZ%2f987",
      "^011231231231233322ABC+123^99ABC^98XYZ/987"),
    EngineCase("https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ+987", nil),
    EngineCase(
      "https://a/01/12312312312333/22/test/10/abc/21/xyz#", "^011231231231233322test^10abc^21xyz"),
    EngineCase(
      "https://a/01/12312312312333/22/test/10/abc/21/xyz#fragment",
      "^011231231231233322test^10abc^21xyz"),
    EngineCase("https://a/stem/00/006141411234567890?99=ABC#", "^0000614141123456789099ABC"),
    EngineCase(
      "https://a/stem/00/006141411234567890?99=ABC#fragment", "^0000614141123456789099ABC"),
    EngineCase("https://id.gs1.org/01/09520123456788", "^0109520123456788"),
    EngineCase(
      "https://brand.example.com/01/9520123456788", "^0109520123456788", options: [.zeroSuppressed]),
    EngineCase(
      "https://brand.example.com/some-extra/pathinfo/01/9520123456788", "^0109520123456788",
      options: [.zeroSuppressed]),
    EngineCase("https://id.gs1.org/01/09520123456788/22/2A", "^0109520123456788222A"),
    EngineCase("https://id.gs1.org/01/09520123456788/10/ABC123", "^010952012345678810ABC123"),
    EngineCase("https://id.gs1.org/01/09520123456788/21/12345", "^01095201234567882112345"),
    EngineCase(
      "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426",
      "^010952012345678810ABC1^2112345^17180426"),
    EngineCase("https://id.gs1.org/01/09520123456788?3103=000195", "^01095201234567883103000195"),
    EngineCase(
      "https://example.com/01/9520123456788?3103=000195&3922=0299&17=201225",
      "^0109520123456788310300019539220299^17201225", options: [.zeroSuppressed]),
    EngineCase(
      "https://example.com/01/09520123456788?3103=000195&3922=0299&17=201225",
      "^0109520123456788310300019539220299^17201225"),
    EngineCase(
      "https://example.com/01/9520123456788?3103=000195&3922=0299&17=201225",
      "^0109520123456788310300019539220299^17201225", options: [.zeroSuppressed]),
    EngineCase(
      "https://example.com/01/09520123456788?3103=000195&3922=0299&17=201225",
      "^0109520123456788310300019539220299^17201225"),
    EngineCase(
      "https://id.gs1.org/01/9520123456788?3103=000195&3922=0299&17=201225",
      "^0109520123456788310300019539220299^17201225", options: [.zeroSuppressed]),
    EngineCase(
      "https://id.gs1.org/01/09520123456788?3103=000195&3922=0299&17=201225",
      "^0109520123456788310300019539220299^17201225"),
    EngineCase(
      "https://id.gs1.org/01/9520123456788?17=201225&3103=000195&3922=0299",
      "^010952012345678817201225310300019539220299", options: [.zeroSuppressed]),
    EngineCase(
      "https://id.gs1.org/01/09520123456788?17=201225&3103=000195&3922=0299",
      "^010952012345678817201225310300019539220299"),
    EngineCase("https://id.gs1.org/00/952012345678912345", "^00952012345678912345"),
    EngineCase(
      "https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123",
      "^0095201234567891234502095201234567883725^10ABC123"),
    EngineCase("https://id.gs1.org/414/9520123456788", "^4149520123456788"),
    EngineCase("https://id.gs1.org/414/9520123456788/254/32a%2Fb", "^414952012345678825432a/b"),
    EngineCase(
      "https://example.com/8004/9520614141234567?01=09520123456788",
      "^80049520614141234567^0109520123456788"),
    EngineCase("https://example.com/01/09520123456788?10=ABC123", nil),
    EngineCase(
      "https://id.gs1.org/01/09520123456788/235/XYZ?10=ABC123", "^0109520123456788235XYZ^10ABC123"),
    EngineCase("https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&01=09520123456788", nil),
    EngineCase("https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&10=ABC123", nil),
    EngineCase("https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&99=XYZ789", nil),
    EngineCase("https://example.com/01/09520123456788/89/ABC123?99=XYZ", nil),
    EngineCase("https://example.com/01/09520123456788?99=XYZ&89=ABC123", nil),
    EngineCase("https://example.com/01/09520123456788?99=XYZ&89=ABC123", nil),
    EngineCase("https://a/01//12312312312333", nil),
    EngineCase("https://a/01/1231231231233%003", nil),
    EngineCase("https://a/01/12312312312333?99=ABC%00DEF", nil),
    EngineCase("https://a/01/12312312312333/10/", nil),
    EngineCase("https://a/01/12312312312333/99/ABC", nil),
  ]
}

@Suite("Digital Link as GS1's engine reads it")
struct DigitalLinkEngineTests {
  @Test(arguments: EngineCase.all)
  func readsAsGS1sEngine(_ check: EngineCase) throws {
    let read = Result { try DigitalLink(parsing: check.uri, options: check.readOptions) }
    guard let expected = check.expected else {
      #expect(throws: GS1Error.self, "\(check.uri) is refused by GS1's engine") { try read.get() }
      return
    }
    let link = try read.get()
    #expect("^" + link.elementString.unbracketed(separator: "^") == expected)
    // What ocop writes of it is canonical: it reads back the same, with no option.
    #expect(try DigitalLink(parsing: link.uri) == link)
  }

  @Test func theEngineCasesAreAllHere() {
    #expect(EngineCase.all.count == 117)
    #expect(EngineCase.all.filter { $0.options.isEmpty }.count == 101)
  }

  @Test func aValueOf90CharactersIsReadAnd91Refused() throws {
    let base = "https://a/01/12312312312333?99="
    #expect(throws: Never.self) {
      try DigitalLink(parsing: base + String(repeating: "A", count: 90))
    }
    #expect(throws: GS1Error.self) {
      try DigitalLink(parsing: base + String(repeating: "A", count: 91))
    }
  }

  /// Read as GS1 reads them, written canonical.
  @Test(arguments: [
    ("https://id.example/01/08936059000017#top", "https://id.example/01/08936059000017"),
    ("https://id.example/01/08936059000017?17", "https://id.example/01/08936059000017"),
    ("https://id.example/01/08936059000017?", "https://id.example/01/08936059000017"),
    (
      "https://id.example/01/08936059000017?17=271231&&s=1",
      "https://id.example/01/08936059000017?17=271231&s=1"
    ),
    (
      "https://id.example/01/08936059000017/10/A(1)",
      "https://id.example/01/08936059000017/10/A%281%29"
    ),
    (
      "https://id.example/01/08936059000017/10/A+1?s=a+b",
      "https://id.example/01/08936059000017/10/A%2B1?s=a%20b"
    ),
    ("https://id.example./01/08936059000017", "https://id.example./01/08936059000017"),
  ])
  func readLiberallyWrittenCanonically(_ read: String, _ written: String) throws {
    #expect(try DigitalLink(parsing: read).uri == written)
  }

  @Test func aQualifierOfAnotherSequenceIsAnAttribute() throws {
    let elements = try ElementString(parsing: "(01)09520123456788(235)XYZ(10)ABC123").elements
    let link = try DigitalLink(base: DigitalLink.Base("https://id.gs1.org"), elements: elements)
    #expect(link.uri == "https://id.gs1.org/01/09520123456788/235/XYZ?10=ABC123")
  }
}
