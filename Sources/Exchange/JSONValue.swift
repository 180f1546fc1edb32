import Traceability

/// JSON for export files: members kept in the order they are given, decimal numbers
/// written as their numerals, output indented for people. (Signed data uses the canonical
/// form instead.)
public indirect enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  /// A decimal numeral, written as it is: `12`, `0.5`.
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): true
    case (.bool(let a), .bool(let b)): a == b
    case (.number(let a), .number(let b)): a == b
    case (.string(let a), .string(let b)): a == b
    case (.array(let a), .array(let b)): a == b
    case (.object(let a), .object(let b)):
      a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: false
    }
  }

  /// A canonical JSON value, members in canonical order.
  public init(_ value: CanonicalJSON) {
    switch value {
    case .null: self = .null
    case .bool(let flag): self = .bool(flag)
    case .integer(let number): self = .number(String(number))
    case .string(let text): self = .string(text)
    case .array(let values): self = .array(values.map(JSONValue.init))
    case .object(let members): self = .object(members.map { ($0.name, JSONValue($0.value)) })
    }
  }

  /// The value written with two-space indentation and a final line break.
  public func rendered() -> String {
    var out = ""
    write(into: &out, indent: "")
    return out + "\n"
  }

  /// The value written as it is inside a document at `indent`, without a line break.
  func rendered(indent: String) -> String {
    var out = ""
    write(into: &out, indent: indent)
    return out
  }

  private func write(into out: inout String, indent: String) {
    switch self {
    case .null: out += "null"
    case .bool(let flag): out += flag ? "true" : "false"
    case .number(let numeral): out += numeral
    case .string(let text): Self.quote(text, into: &out)
    case .array(let values):
      guard !values.isEmpty else {
        out += "[]"
        return
      }
      out += "[\n"
      for (index, value) in values.enumerated() {
        out += indent + "  "
        value.write(into: &out, indent: indent + "  ")
        out += index < values.count - 1 ? ",\n" : "\n"
      }
      out += indent + "]"
    case .object(let members):
      guard !members.isEmpty else {
        out += "{}"
        return
      }
      out += "{\n"
      for (index, (name, value)) in members.enumerated() {
        out += indent + "  "
        Self.quote(name, into: &out)
        out += ": "
        value.write(into: &out, indent: indent + "  ")
        out += index < members.count - 1 ? ",\n" : "\n"
      }
      out += indent + "}"
    }
  }

  private static func quote(_ text: String, into out: inout String) {
    out += "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }
}
