import GS1
import TestSupport
import Testing

/// Builds random valid Digital Links from a seed.
struct LinkGenerator {
  var random: SeededGenerator
  static let cset82 = Array(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
  static let anything = Array("aZ09-._~ !#$&'()*+,/:;=?@[]%đĐơƯỗ日😀\u{301}")

  mutating func text(from alphabet: [Character], length: ClosedRange<Int>) -> String {
    String(
      (0..<Int.random(in: length, using: &random)).map { _ in
        alphabet.randomElement(using: &random)!
      })
  }

  mutating func gtin() throws -> GTIN {
    let body = (0..<12).map { _ in String(Int.random(in: 0...9, using: &random)) }.joined()
    return try GTIN.allocate(
      companyPrefix: String(body.prefix(7)), itemReference: String(body.dropFirst(7)))
  }

  mutating func date() -> String {
    let month = Int.random(in: 1...12, using: &random)
    let day = Int.random(in: 0...28, using: &random)
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return two(Int.random(in: 0...99, using: &random)) + two(month) + two(day)
  }

  mutating func base() throws -> DigitalLink.Base {
    let scheme = ["https", "http", "HTTPS", "HTTP"].randomElement(using: &random)!
    let host = [
      "id.gs1.org", "truyxuat.angiang.gov.vn", "localhost:8080", "127.0.0.1", "ID.EXAMPLE",
    ]
    .randomElement(using: &random)!
    let stem = (0..<Int.random(in: 0...3, using: &random)).map { _ in
      ["trace", "v1", "an-giang", "2026", "a%20b", "x;y=1"].randomElement(using: &random)!
    }
    return try DigitalLink.Base(scheme + "://" + host + stem.map { "/" + $0 }.joined())
  }

  mutating func link() throws -> DigitalLink {
    func maybe(_ generator: inout LinkGenerator) -> Bool { Bool.random(using: &generator.random) }
    let cpv = maybe(&self) ? text(from: Self.cset82, length: 1...20) : nil
    let lot = maybe(&self) ? text(from: Self.cset82, length: 1...20) : nil
    let serial = maybe(&self) ? text(from: Self.cset82, length: 1...20) : nil
    var attributes: [AIElement] = []
    for ai in ["11", "13", "15", "16", "17"].shuffled(using: &random) where maybe(&self) {
      attributes.append(AIElement(ai: ai, value: date()))
    }
    if maybe(&self) {
      let digits = (0..<6).map { _ in String(Int.random(in: 0...9, using: &random)) }.joined()
      attributes.append(AIElement(ai: "310\(Int.random(in: 0...5, using: &random))", value: digits))
    }
    var parameters: [DigitalLink.Parameter] = []
    for name in ["s", "linkType", "lang", "x y", "ký"] where maybe(&self) {
      parameters.append(.init(name: name, value: text(from: Self.anything, length: 0...12)))
    }
    return try DigitalLink(
      base: base(), gtin: gtin(), consumerProductVariant: cpv, lot: lot, serial: serial,
      attributes: attributes.shuffled(using: &random), parameters: parameters)
  }
}

@Suite("Digital Link round trip")
struct RoundTripPropertyTests {
  @Test(arguments: 0..<8)
  func randomValidLinksParseBackEqual(batch: Int) throws {
    for index in 0..<250 {
      let seed = UInt64(batch * 1000 + index)
      var generator = LinkGenerator(random: SeededGenerator(seed: seed))
      let link = try generator.link()
      let parsed = try DigitalLink(parsing: link.uri)
      #expect(parsed == link, "seed \(seed): \(link.uri)")
      let elements = try ElementString(parsing: link.elementString.description).elements
      #expect(elements == link.elements, "seed \(seed): \(link.elementString)")
      let rebuilt = try DigitalLink(
        base: link.base, elements: elements, parameters: link.parameters)
      #expect(rebuilt == link, "seed \(seed)")
    }
  }

  @Test func uriOnlyLeavesUnreservedCharactersBare() throws {
    for seed in UInt64(0)..<500 {
      var generator = LinkGenerator(random: SeededGenerator(seed: seed))
      let link = try generator.link()
      let afterBase = link.uri.dropFirst(link.base.description.count)
      let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%/?&=")
      #expect(afterBase.allSatisfy { allowed.contains($0) }, "seed \(seed): \(link.uri)")
    }
  }
}
