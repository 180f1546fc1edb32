import Foundation

/// Text fields of records: trimmed, in Unicode NFC (so Vietnamese diacritics compare and
/// render the same whichever keyboard typed them), without control characters.
enum Text {
  static func required(_ text: String, record: String, field: String, maxLength: Int)
    throws(TraceError) -> String
  {
    let cleaned = text.trimmingCharacters(in: .whitespacesAndNewlines)
      .precomposedStringWithCanonicalMapping
    guard !cleaned.isEmpty else {
      throw .invalidField(record: record, field: field, value: text, reason: "must not be empty")
    }
    guard cleaned.count <= maxLength else {
      throw .invalidField(
        record: record, field: field, value: text,
        reason: "is longer than \(maxLength) characters")
    }
    if cleaned.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
      throw .invalidField(
        record: record, field: field, value: text, reason: "contains a control character")
    }
    return cleaned
  }

  static func optional(_ text: String?, record: String, field: String, maxLength: Int)
    throws(TraceError) -> String?
  {
    guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
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
