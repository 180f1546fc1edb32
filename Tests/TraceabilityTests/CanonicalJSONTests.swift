import Foundation
import Testing

@testable import Traceability

@Suite("Canonical encoding")
struct CanonicalJSONTests {
  @Test func membersAreSortedWhateverTheOrderTheyWereGiven() {
    let a = CanonicalJSON.object(["b": .integer(2), "a": .integer(1), "é": .null, "Z": .bool(true)])
    let b = CanonicalJSON.object(["Z": .bool(true), "é": .null, "a": .integer(1), "b": .integer(2)])
    #expect(String(decoding: a.encoded(), as: UTF8.self) == #"{"Z":true,"a":1,"b":2,"é":null}"#)
    #expect(a.encoded() == b.encoded())
  }

  @Test func stringsEscapeOnlyQuoteBackslashAndControlCharacters() {
    let value = CanonicalJSON.string("a\"b\\c\n\u{1}/é\u{7F}")
    #expect(Array(value.encoded()) == Array("\"a\\\"b\\\\c\\u000a\\u0001/é\u{7F}\"".utf8))
  }

  @Test func memberNamesAreNormalisedBeforeTheyAreSorted() {
    var members = CanonicalMembers()
    let first = members.insert("o\u{302}", .integer(1))  // "ô" typed with a combining mark
    let second = members.insert("p", .integer(2))
    let again = members.insert("ô", .integer(3))
    #expect(first && second)
    #expect(!again, "the same name once composed")
    #expect(members["ô"] == .integer(1))
    let value = CanonicalJSON.object(members)
    #expect(String(decoding: value.encoded(), as: UTF8.self) == #"{"p":2,"ô":1}"#)
    #expect(throws: CanonicalJSONError.self) {
      try CanonicalJSON(canonical: Array(#"{"o\#u{302}":1,"ô":2}"#.utf8))
    }
  }

  @Test func longTextIsEscapedInRuns() {
    let text = String(repeating: "Mỗi xã một sản phẩm \"OCOP\"\t", count: 40)
    let expected =
      "\"" + String(repeating: #"Mỗi xã một sản phẩm \"OCOP\"\u0009"#, count: 40) + "\""
    #expect(CanonicalJSON.string(text).encoded() == Array(expected.utf8))
  }

  @Test func textIsWrittenInNFC() {
    let decomposed = "Đo\u{302}\u{301}c"  // "Đốc" typed with combining marks
    let composed = "Đốc"
    #expect(CanonicalJSON.string(decomposed).encoded() == CanonicalJSON.string(composed).encoded())
    #expect(CanonicalJSON.string(decomposed).encoded() == Array("\"Đốc\"".utf8))
  }

  @Test func integersAndNesting() {
    let value = CanonicalJSON.array([
      .integer(-9_223_372_036_854_775_808), .integer(0), .array([]), .object([:]),
    ])
    #expect(String(decoding: value.encoded(), as: UTF8.self) == "[-9223372036854775808,0,[],{}]")
  }

  @Test(arguments: [
    #"{"b":1,"a":2}"#, #"{"a": 1}"#, #"{"a":1,"a":2}"#, "1.5", "01", "-0", #""\n""#, #""\u00E9""#,
    "[1,]", "{", #"{"a":1}x"#, "tru", " 1",
  ])
  func nonCanonicalBytesAreRefused(_ text: String) {
    #expect(throws: CanonicalJSONError.self) { try CanonicalJSON(canonical: Array(text.utf8)) }
  }

  @Test func canonicalBytesReadBackToTheSameValue() throws {
    let value = CanonicalJSON.object([
      "name": .string("Mắm thái Châu Đốc"), "n": .integer(42),
      "list": .array([.null, .bool(false)]),
      "ctl": .string("\u{0}\t"),
    ])
    #expect(try CanonicalJSON(canonical: value.encoded()) == value)
  }

  @Test func goldenEventVector() throws {
    // A fixed key and fixed content give the same bytes, signature and hash on every
    // platform and in every release: a change here breaks every existing store. The kid,
    // signature and hash were checked against an independent Ed25519 and SHA-256
    // implementation (Python cryptography).
    let key = try IssuerKey(seed: [UInt8](repeating: 1, count: 32), name: "Test")
    let event = try Event.make(
      sequence: 1, kind: .recall,
      data: .object([
        "reason": .string("Nhiễm khuẩn"),
        "lot": .object(["lot": .string("A"), "gtin": .string("08936059000017")]),
      ]),
      at: Timestamp("2026-11-01T08:00:00Z"), previousHash: Event.genesisHash, signer: key)
    #expect(
      String(decoding: event.body, as: UTF8.self)
        == #"{"at":"2026-11-01T08:00:00.000Z","data":{"lot":{"gtin":"08936059000017","lot":"A"},"reason":"Nhiễm khuẩn"},"kid":"\#(key.kid)","kind":"recall","prev":"0000000000000000000000000000000000000000000000000000000000000000","seq":1,"v":1}"#
    )
    #expect(key.kid == "GR2Q7GF5")
    #expect(ByteText.hex(event.signature).prefix(32) == "d59d2e41a38d947bc4d5724a55cecff9")
    #expect(ByteText.hex(event.hash).prefix(32) == "cf89c24d3d04e4b2773bf7d3c2c5f6d6")
  }

  @Test func base32RoundTripsAndRefusesNonCanonicalText() {
    for length in 0..<70 {
      let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
      #expect(ByteText.bytes(base32: ByteText.base32(bytes)) == bytes)
    }
    #expect(ByteText.base32(Array("foobar".utf8)) == "MZXW6YTBOI")
    #expect(ByteText.bytes(base32: "MZXW6YTBOJ") == nil)  // non-zero padding bits
    #expect(ByteText.bytes(base32: "mzxw6ytboi") == nil)
    #expect(ByteText.hex([0, 255, 16]) == "00ff10")
    #expect(ByteText.decimal([0x01, 0x00], width: 5) == "00256")
    #expect(ByteText.decimal([], width: 3) == "000")
    #expect(
      ByteText.decimal([UInt8](repeating: 0xFF, count: 64), width: 155).hasPrefix(
        "134078079299425970995740249982058461274793658205923933777235614437217640300735"))
    for length in [1, 5, 13, 64] {
      let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 91 &+ 7) }
      #expect(ByteText.bytes(decimal: ByteText.decimal(bytes, width: 0), count: length) == bytes)
    }
    #expect(ByteText.bytes(decimal: "256", count: 1) == nil)
    #expect(ByteText.bytes(decimal: "12a", count: 4) == nil)
    #expect(ByteText.bytes(hex: "00FF10") == [0, 255, 16])
  }
}
