import Foundation
import Synchronization

/// Text fields of records: trimmed, in Unicode NFC (so Vietnamese diacritics compare and
/// render the same whichever keyboard typed them), without control characters.
enum Text {
  static func required(_ text: String, record: String, field: String, maxLength: Int)
    throws(TraceError) -> String
  {
    let trimmed = text.trimmed()
    // NFC leaves ASCII as it is; Foundation is asked only about the rest, once a text.
    let cleaned = trimmed.utf8.allSatisfy { $0 < 0x80 } ? trimmed : NFC.shared.form(of: trimmed)
    guard !cleaned.isEmpty else {
      throw .invalidField(record: record, field: field, value: text, reason: "must not be empty")
    }
    guard cleaned.count <= maxLength else {
      throw .invalidField(
        record: record, field: field, value: text,
        reason: "is longer than \(maxLength) characters")
    }
    if cleaned.unicodeScalars.contains(where: {
      $0.value < 0x20 || ($0.value >= 0x7F && $0.properties.generalCategory == .control)
    }) {
      throw .invalidField(
        record: record, field: field, value: text, reason: "contains a control character")
    }
    return cleaned
  }

  static func optional(_ text: String?, record: String, field: String, maxLength: Int)
    throws(TraceError) -> String?
  {
    guard let text, !text.trimmed().isEmpty else {
      return nil
    }
    return try required(text, record: record, field: field, maxLength: maxLength)
  }
}

/// Reads fields of a record's canonical JSON, with errors that name the missing field.
enum Field {
  static func string(_ json: CanonicalJSON, _ name: String) throws(TraceError) -> String {
    guard let value = json[name]?.stringValue else {
      throw .malformed(what: "record", reason: "field \(name) is missing or not a string")
    }
    return value
  }

  static func integer(_ json: CanonicalJSON, _ name: String) throws(TraceError) -> Int64 {
    guard let value = json[name]?.integerValue else {
      throw .malformed(what: "record", reason: "field \(name) is missing or not an integer")
    }
    return value
  }

  static func object(_ json: CanonicalJSON, _ name: String) throws(TraceError) -> CanonicalJSON {
    guard let value = json[name], case .object = value else {
      throw .malformed(what: "record", reason: "field \(name) is missing or not an object")
    }
    return value
  }
}

extension Optional where Wrapped == String {
  var json: CanonicalJSON { map(CanonicalJSON.string) ?? .null }
}

extension StringProtocol {
  /// The text without the white space at its ends, and with `newlines` (the default)
  /// without the line breaks there either: what Foundation's
  /// `trimmingCharacters(in: .whitespacesAndNewlines)` (or `.whitespaces`) gives, without
  /// going through `NSString`. White space is what Foundation counts as such: a tab, the
  /// space separators (Zs) and the zero-width space U+200B; a line break is U+000A to
  /// U+000D, U+0085, U+2028 or U+2029.
  package func trimmed(newlines: Bool = true) -> String {
    func blank(_ scalar: Unicode.Scalar) -> Bool {
      switch scalar.value {
      case 0x20, 0x09, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: return true
      case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return newlines
      default: return false
      }
    }
    let text = String(self)
    let scalars = text.unicodeScalars
    guard let first = scalars.firstIndex(where: { !blank($0) }) else { return "" }
    let end = scalars.index(after: scalars.lastIndex(where: { !blank($0) })!)
    // Nothing to take off, the most common case: the text as it is.
    if first == scalars.startIndex && end == scalars.endIndex { return text }
    return String(scalars[first..<end])
  }
}

/// Texts put in NFC, remembered: an import repeats the same communes, provinces and areas
/// on row after row, and Foundation's normalisation is slow.
final class NFC: Sendable {
  static let shared = NFC()
  private let known = Mutex<[String: String]>([:])

  /// `text` in NFC.
  func form(of text: String) -> String {
    if let done = known.withLock({ $0[text] }) { return done }
    let normal = text.precomposedStringWithCanonicalMapping
    known.withLock { known in
      // A bound on what is remembered: the texts of a few thousand rows.
      if known.count >= 4096 { known.removeAll(keepingCapacity: true) }
      known[text] = normal
    }
    return normal
  }
}
