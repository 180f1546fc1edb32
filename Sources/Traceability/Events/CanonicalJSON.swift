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
  case object(CanonicalMembers)

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
      for (index, member) in members.enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        Self.encodeString(normalized: member.name, into: &out)
        out.append(UInt8(ascii: ":"))
        member.value.encode(into: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  /// Whether `a` sorts before `b` by their UTF-8 bytes.
  static func precedes(_ a: String, _ b: String) -> Bool {
    var a = a
    var b = b
    return a.withUTF8 { x in
      b.withUTF8 { y in
        let common = min(x.count, y.count)
        if common > 0 {
          let order = memcmp(x.baseAddress!, y.baseAddress!, common)
          if order != 0 { return order < 0 }
        }
        return x.count < y.count
      }
    }
  }

  /// `text` in Unicode NFC. Text whose every character lies below U+0300 or in Latin
  /// Extended Additional (U+1E00–U+1EFF), which covers every precomposed Vietnamese letter,
  /// is already NFC (no character there has an NFC quick-check value other than Yes) and
  /// is returned as it is; anything else goes through Foundation's normalisation.
  static func nfc(_ text: String) -> String {
    var copy = text
    if copy.withUTF8({ Self.isASCII($0) }) { return text }
    let alreadyComposed = text.unicodeScalars.allSatisfy { scalar in
      scalar.value < 0x300 || (0x1E00...0x1EFF).contains(scalar.value)
    }
    return alreadyComposed ? text : text.precomposedStringWithCanonicalMapping
  }

  /// Whether every byte is below 0x80, eight bytes at a time.
  private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    var index = 0
    let raw = UnsafeRawPointer(base)
    while index + 8 <= bytes.count {
      if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 {
        return false
      }
      index += 8
    }
    while index < bytes.count {
      if base[index] >= 0x80 { return false }
      index += 1
    }
    return true
  }

  private static func encodeString(_ value: String, into out: inout [UInt8]) {
    encodeString(normalized: nfc(value), into: &out)
  }

  private static let hex = Array("0123456789abcdef".utf8)

  /// Writes `text`, already in NFC, as a JSON string: bytes that need no escape are copied
  /// in runs.
  private static func encodeString(normalized text: String, into out: inout [UInt8]) {
    var text = text
    out.append(UInt8(ascii: "\""))
    text.withUTF8 { bytes in
      var start = 0
      for (index, byte) in bytes.enumerated()
      where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        start = index + 1
        if byte < 0x20 {
          out.append(contentsOf: "\\u00".utf8)
          out.append(hex[Int(byte >> 4)])
          out.append(hex[Int(byte & 0xF)])
        } else {
          out.append(UInt8(ascii: "\\"))
          out.append(byte)
        }
      }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
    }
    out.append(UInt8(ascii: "\""))
  }
}

/// An object's members, kept in canonical order: names in NFC, sorted by their UTF-8
/// bytes, each name once. Sorting when the object is made, not each time it is written,
/// keeps encoding a straight walk.
public struct CanonicalMembers: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
  public struct Member: Hashable, Sendable {
    public let name: String
    public let value: CanonicalJSON
  }

  private var members: [Member] = []

  public init() {}

  /// Members from a literal; like a dictionary literal, a name given twice is a programming
  /// error.
  public init(dictionaryLiteral elements: (String, CanonicalJSON)...) {
    members.reserveCapacity(elements.count)
    for (name, value) in elements {
      precondition(insert(name, value), "duplicate member \(name)")
    }
  }

  /// Members from a dictionary.
  public init(_ dictionary: [String: CanonicalJSON]) {
    members.reserveCapacity(dictionary.count)
    for (name, value) in dictionary { _ = insert(name, value) }
  }

  /// Adds a member in its place; false, and nothing changed, when the name is taken.
  @discardableResult
  public mutating func insert(_ name: String, _ value: CanonicalJSON) -> Bool {
    let name = CanonicalJSON.nfc(name)
    var index = members.count
    while index > 0, CanonicalJSON.precedes(name, members[index - 1].name) { index -= 1 }
    if index > 0, members[index - 1].name.utf8.elementsEqual(name.utf8) { return false }
    members.insert(Member(name: name, value: value), at: index)
    return true
  }

  /// The value of the member `name`, or nil.
  public subscript(name: String) -> CanonicalJSON? {
    for member in members where member.name == name { return member.value }
    return nil
  }

  public var count: Int { members.count }
  public var isEmpty: Bool { members.isEmpty }
  public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }
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
      var members = CanonicalMembers()
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
        guard members.insert(name, try value(depth: depth + 1)) else {
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
