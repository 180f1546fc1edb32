/// Percent-encoding as GS1 Digital Link uses it: only RFC 3986's unreserved characters
/// (`A–Z a–z 0–9 - . _ ~`) are left bare; every other byte is written `%XX`, upper case.
public enum PercentEncoding {
  /// Whether `byte` is an RFC 3986 unreserved character.
  public static func isUnreserved(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: true
    default: false
    }
  }

  /// Encodes `text`, leaving only unreserved characters bare.
  public static func encode(_ text: String) -> String {
    if text.utf8.allSatisfy(isUnreserved) { return text }
    let hex = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count * 3)
    for byte in text.utf8 {
      if isUnreserved(byte) {
        out.append(byte)
      } else {
        out += [0x25, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Decodes `text`. Throws if a `%` is not followed by two hex digits, if a character
  /// other than an unreserved one stands bare, or if the bytes are not UTF-8.
  ///
  /// With `plusIsSpace` (true in a query, false in a path), reads as GS1's engine does:
  /// any character a URI may hold may stand bare (the caller has checked there is no
  /// other), and `+` is a space in a query and itself in a path.
  public static func decode(_ text: Substring, subject: String, plusIsSpace: Bool? = nil)
    throws(GS1Error) -> String
  {
    if text.utf8.allSatisfy(isUnreserved) { return String(text) }
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count)
    let bytes = Array(text.utf8)
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      if byte == 0x25 {
        guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]),
          let low = hexValue(bytes[index + 2])
        else {
          throw GS1Error(
            subject, String(text),
            .syntax("'%' at position \(index + 1) is not followed by two hexadecimal digits"))
        }
        out.append(high << 4 | low)
        index += 3
      } else if isUnreserved(byte) {
        out.append(byte)
        index += 1
      } else if let plusIsSpace {
        out.append(byte == 0x2B && plusIsSpace ? 0x20 : byte)
        index += 1
      } else {
        let shown = byte < 0x80 ? "'\(Character(UnicodeScalar(byte)))'" : "a non-ASCII byte"
        throw GS1Error(
          subject, String(text),
          .syntax("\(shown) at position \(index + 1) must be percent-encoded"))
      }
    }
    guard let decoded = String(validating: out, as: UTF8.self) else {
      throw GS1Error(subject, String(text), .syntax("percent-encoded bytes are not UTF-8"))
    }
    return decoded
  }

  /// Whether every `%` in `bytes` is followed by two hexadecimal digits.
  static func hasWellFormedEscapes<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
    var remaining = bytes[...]
    while let percent = remaining.firstIndex(of: 0x25) {
      let escape = remaining[remaining.index(after: percent)...].prefix(2)
      guard escape.count == 2, escape.allSatisfy({ hexValue($0) != nil }) else { return false }
      remaining = remaining[escape.endIndex...]
    }
    return true
  }

  static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 0x30...0x39: byte - 0x30
    case 0x41...0x46: byte - 0x41 + 10
    case 0x61...0x66: byte - 0x61 + 10
    default: nil
    }
  }
}
