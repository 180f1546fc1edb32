import Crypto
import Foundation

/// Text encodings of bytes used in records, key ids and signed links.
public enum ByteText {
  private static let hexDigits = Array("0123456789abcdef".utf8)
  private static let base32Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

  /// The SHA-256 of the file at `path`, read a megabyte at a time, in lower-case
  /// hexadecimal; nil when it cannot be read.
  public static func sha256Hex(file path: String) -> String? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    var hasher = SHA256()
    while true {
      // Nil or empty at the end of the file; an error is a file that cannot be read.
      let chunk: Data?
      do { chunk = try handle.read(upToCount: 1 << 20) } catch { return nil }
      guard let chunk, !chunk.isEmpty else { break }
      hasher.update(data: chunk)
    }
    return hex(hasher.finalize())
  }

  /// The SHA-256 of `bytes`, in lower-case hexadecimal.
  public static func sha256Hex(_ bytes: some DataProtocol) -> String {
    hex(SHA256.hash(data: bytes))
  }

  /// Lower-case hexadecimal.
  public static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
    var out: [UInt8] = []
    for byte in bytes {
      out.append(hexDigits[Int(byte >> 4)])
      out.append(hexDigits[Int(byte & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Decodes hexadecimal (either case); nil if it is not.
  public static func bytes(hex text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard digits.count.isMultiple(of: 2) else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(digits.count / 2)
    var index = 0
    while index < digits.count {
      guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else {
        return nil
      }
      out.append(high << 4 | low)
      index += 2
    }
    return out
  }

  private static func nibble(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 0x30...0x39: byte - 0x30
    case 0x41...0x46: byte - 0x41 + 10
    case 0x61...0x66: byte - 0x61 + 10
    default: nil
    }
  }

  /// RFC 4648 base32 without padding: upper-case letters and the digits 2–7, all of them
  /// in a QR code's alphanumeric mode and none needing percent-encoding in a URL.
  public static func base32<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
    var out: [UInt8] = []
    var buffer: UInt32 = 0
    var bits = 0
    for byte in bytes {
      buffer = buffer << 8 | UInt32(byte)
      bits += 8
      while bits >= 5 {
        bits -= 5
        out.append(base32Alphabet[Int((buffer >> UInt32(bits)) & 31)])
      }
    }
    if bits > 0 { out.append(base32Alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
    return String(decoding: out, as: UTF8.self)
  }

  /// Decodes unpadded base32 (upper case only); nil if it is not, or if the unused bits
  /// at the end are not zero (so that each byte string has exactly one encoding).
  public static func bytes(base32 text: String) -> [UInt8]? {
    var out: [UInt8] = []
    var buffer: UInt32 = 0
    var bits = 0
    for character in text.utf8 {
      let value: UInt8
      switch character {
      case 0x41...0x5A: value = character - 0x41
      case 0x32...0x37: value = character - 0x32 + 26
      default: return nil
      }
      buffer = (buffer << 5 | UInt32(value)) & 0xFFFF
      bits += 5
      if bits >= 8 {
        bits -= 8
        out.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
      }
    }
    guard bits < 5, buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
    return out
  }

  /// `bytes` as one big-endian unsigned number in decimal, left-padded with zeros to
  /// `width` digits. Digits are what a QR code packs most densely (numeric mode, 3.33
  /// bits a digit), whatever the case of the rest of the link.
  public static func decimal(_ bytes: [UInt8], width: Int) -> String {
    // Repeatedly divide the number, held as base-2^32 limbs, by 10^9.
    var limbs: [UInt32] = []
    var index = bytes.count % 4 == 0 ? 0 : -(4 - bytes.count % 4)
    while index < bytes.count {
      var limb: UInt32 = 0
      for offset in 0..<4 {
        let position = index + offset
        limb = limb << 8 | (position >= 0 ? UInt32(bytes[position]) : 0)
      }
      limbs.append(limb)
      index += 4
    }
    var chunks: [UInt32] = []
    while limbs.contains(where: { $0 != 0 }) {
      var remainder: UInt64 = 0
      for position in limbs.indices {
        let value = remainder << 32 | UInt64(limbs[position])
        limbs[position] = UInt32(value / 1_000_000_000)
        remainder = value % 1_000_000_000
      }
      chunks.append(UInt32(remainder))
    }
    var digits = ""
    for (position, chunk) in chunks.reversed().enumerated() {
      let text = String(chunk)
      digits += position == 0 ? text : String(repeating: "0", count: 9 - text.count) + text
    }
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }

  /// Reads a decimal number back into `count` big-endian bytes; nil if the text holds
  /// anything but digits or the number does not fit.
  public static func bytes(decimal text: String, count: Int) -> [UInt8]? {
    guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
    var result = [UInt8](repeating: 0, count: count)
    for digit in text.utf8 {
      var carry = UInt32(digit - 0x30)
      for position in result.indices.reversed() {
        let value = UInt32(result[position]) * 10 + carry
        result[position] = UInt8(value & 0xFF)
        carry = value >> 8
      }
      if carry != 0 { return nil }
    }
    return result
  }
}
