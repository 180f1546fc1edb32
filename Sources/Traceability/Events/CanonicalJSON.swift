import Foundation

/// A JSON value and its one canonical byte encoding, the bytes that are hashed and signed.
///
/// The canonical form, byte exact and independent of field order and platform:
/// - UTF-8 without a byte order mark, and no white space outside strings.
/// - Object members sorted by the UTF-8 bytes of their names; names unique.
/// - Strings in Unicode NFC; `"` and `\` escaped as `\"` and `\\`, the control characters
///   U+0000–U+001F as `\u00xx` (lower-case hex); every other character written as itself.
/// - Integers from -2⁶³ to 2⁶³-1 in decimal, without `+`, leading zeros or `-0`. There are
///   no fractions or exponents: decimal quantities and coordinates are strings.
/// - `true`, `false`, `null`.
public enum CanonicalJSON: Hashable, Sendable {
  case null
  case bool(Bool)
  case integer(Int64)
  case string(String)
  case array([CanonicalJSON])
  case object([String: CanonicalJSON])

  /// The canonical bytes.
  public func encoded() -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(256)
    encode(into: &out)
    return out
  }

  func encode(into out: inout [UInt8]) {
    switch self {
    case .null: out.append(contentsOf: "null".utf8)
    case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
    case .integer(let value): out.append(contentsOf: String(value).utf8)
    case .string(let value): Self.encodeString(value, into: &out)
    case .array(let values):
      out.append(UInt8(ascii: "["))
      for (index, value) in values.enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        value.encode(into: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      out.append(UInt8(ascii: "{"))
      let sorted = members.map { (Self.nfc($0.key), $0.value) }
        .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
      for (index, member) in sorted.enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        Self.encodeString(utf8: member.0.utf8, into: &out)
        out.append(UInt8(ascii: ":"))
        member.1.encode(into: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  /// `text` in Unicode NFC. Text whose every character lies below U+0300 or in Latin
  /// Extended Additional (U+1E00–U+1EFF), which covers every precomposed Vietnamese letter,
  /// is already NFC (no character there has an NFC quick-check value other than Yes) and
  /// is returned as it is; anything else goes through Foundation's normalisation.
  static func nfc(_ text: String) -> String {
    if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
    let alreadyComposed = text.unicodeScalars.allSatisfy { scalar in
      scalar.value < 0x300 || (0x1E00...0x1EFF).contains(scalar.value)
    }
    return alreadyComposed ? text : text.precomposedStringWithCanonicalMapping
  }

  private static func encodeString(_ value: String, into out: inout [UInt8]) {
    encodeString(utf8: nfc(value).utf8, into: &out)
  }

  private static let hex = Array("0123456789abcdef".utf8)

  private static func encodeString(utf8 bytes: String.UTF8View, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for byte in bytes {
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"):
        out.append(UInt8(ascii: "\\"))
        out.append(byte)
      case 0..<0x20:
        out.append(contentsOf: "\\u00".utf8)
        out.append(hex[Int(byte >> 4)])
        out.append(hex[Int(byte & 0xF)])
      default: out.append(byte)
      }
    }
    out.append(UInt8(ascii: "\""))
  }
}

extension CanonicalJSON {
  /// Parses bytes that must already be in canonical form; anything else is refused.
  public init(canonical bytes: [UInt8]) throws(CanonicalJSONError) {
    let value = try CanonicalJSON(strict: bytes)
    guard value.encoded() == bytes else {
      throw CanonicalJSONError(offset: 0, reason: "not in canonical form")
    }
    self = value
  }

  /// Parses the grammar of the canonical form (no white space, integers only, only the
  /// canonical escapes) without checking member order or normalisation. The audit reads
  /// signed bodies this way: the signature already fixes every byte.
  init(strict bytes: [UInt8]) throws(CanonicalJSONError) {
    var parser = Parser(bytes: bytes)
    let value = try parser.value(depth: 0)
    guard parser.index == bytes.count else { throw parser.error("trailing bytes") }
    self = value
  }

  /// The member `name` of an object, or nil.
  public subscript(name: String) -> CanonicalJSON? {
    if case .object(let members) = self { return members[name] }
    return nil
  }

  /// The string value, or nil.
  public var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  /// The integer value, or nil.
  public var integerValue: Int64? {
    if case .integer(let value) = self { return value }
    return nil
  }

  /// The array's elements, or nil.
  public var arrayValue: [CanonicalJSON]? {
    if case .array(let values) = self { return values }
    return nil
  }

  /// The boolean value, or nil.
  public var boolValue: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }
}

/// Bytes that are not canonical JSON, and where.
public struct CanonicalJSONError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The byte offset where reading stopped.
  public let offset: Int
  /// What was wrong there.
  public let reason: String
  public var description: String { "canonical JSON, byte \(offset): \(reason)" }
}

private struct Parser {
  let bytes: [UInt8]
  var index = 0

  func error(_ reason: String) -> CanonicalJSONError {
    CanonicalJSONError(offset: index, reason: reason)
  }

  mutating func expect(_ literal: String) throws(CanonicalJSONError) {
    for byte in literal.utf8 {
      guard index < bytes.count, bytes[index] == byte else { throw error("expected \(literal)") }
      index += 1
    }
  }

  mutating func value(depth: Int) throws(CanonicalJSONError) -> CanonicalJSON {
    guard depth < 64 else { throw error("nested too deeply") }
    guard index < bytes.count else { throw error("unexpected end") }
    switch bytes[index] {
    case UInt8(ascii: "n"):
      try expect("null")
      return .null
    case UInt8(ascii: "t"):
      try expect("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expect("false")
      return .bool(false)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "["):
      index += 1
      var values: [CanonicalJSON] = []
      if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
        index += 1
        return .array(values)
      }
      while true {
        values.append(try value(depth: depth + 1))
        guard index < bytes.count else { throw error("unterminated array") }
        index += 1
        if bytes[index - 1] == UInt8(ascii: "]") { return .array(values) }
        guard bytes[index - 1] == UInt8(ascii: ",") else { throw error("expected , or ]") }
      }
    case UInt8(ascii: "{"):
      index += 1
      var members: [String: CanonicalJSON] = [:]
      if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
        index += 1
        return .object(members)
      }
      while true {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
          throw error("expected a member name")
        }
        let name = try string()
        try expect(":")
        guard members.updateValue(try value(depth: depth + 1), forKey: name) == nil else {
          throw error("duplicate member \(name)")
        }
        guard index < bytes.count else { throw error("unterminated object") }
        index += 1
        if bytes[index - 1] == UInt8(ascii: "}") { return .object(members) }
        guard bytes[index - 1] == UInt8(ascii: ",") else { throw error("expected , or }") }
      }
    default:
      return .integer(try integer())
    }
  }

  mutating func integer() throws(CanonicalJSONError) -> Int64 {
    let start = index
    if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
    while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
    guard let value = Int64(String(decoding: bytes[start..<index], as: UTF8.self)) else {
      index = start
      throw error("expected a value")
    }
    return value
  }

  mutating func string() throws(CanonicalJSONError) -> String {
    index += 1
    var out: [UInt8] = []
    while index < bytes.count {
      let byte = bytes[index]
      index += 1
      switch byte {
      case UInt8(ascii: "\""):
        guard let text = String(validating: out, as: UTF8.self) else {
          throw error("string is not UTF-8")
        }
        return text
      case UInt8(ascii: "\\"):
        guard index < bytes.count else { throw error("unterminated escape") }
        let escaped = bytes[index]
        index += 1
        if escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") {
          out.append(escaped)
        } else if escaped == UInt8(ascii: "u"), index + 4 <= bytes.count,
          let code = UInt8(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
        {
          out.append(code)
          index += 4
        } else {
          throw error("unsupported escape")
        }
      default: out.append(byte)
      }
    }
    throw error("unterminated string")
  }
}
