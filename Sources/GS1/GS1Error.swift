/// A rejected GS1 input: which identifier or Application Identifier, the offending value,
/// and the rule it broke.
///
/// The description reads as one line a producer can act on, for example
/// `GTIN 08931234567892: check digit should be 7`.
public struct GS1Error: Error, Equatable, Sendable, CustomStringConvertible {
  /// What was being read: `GTIN`, `GLN`, `AI (10)`, `Digital Link`, `element string`…
  public var subject: String
  /// The offending value, exactly as it was given.
  public var value: String
  /// The rule that the value broke.
  public var rule: Rule

  /// Creates an error about `value`, read as `subject`, that broke `rule`.
  public init(_ subject: String, _ value: String, _ rule: Rule) {
    self.subject = subject
    self.value = value
    self.rule = rule
  }

  /// The one-line message: subject, value and the rule it broke.
  public var description: String {
    let needsQuotes = value.isEmpty || value.contains(where: { $0 == " " || $0 == "\t" })
    let clipped = value.clippedForMessage
    let shown = needsQuotes ? "\"\(clipped)\"" : clipped
    return "\(subject) \(shown): \(rule.message)"
  }

  /// Creates an error about the value of Application Identifier `ai`.
  static func ai(_ ai: String, _ value: String, _ rule: Rule) -> GS1Error {
    GS1Error("AI (\(ai))", value, rule)
  }

  /// The rules a GS1 input can break, one case per cause.
  public enum Rule: Equatable, Sendable {
    /// The check digit is wrong; `expected` is the digit that would be right.
    case checkDigit(expected: Character)
    /// The value has the wrong number of characters; `allowed` says how many are allowed.
    case length(allowed: String)
    /// A numeric value contains a character that is not a digit.
    case notNumeric(position: Int)
    /// A character lies outside the GS1 character set the AI allows.
    case characterSet(name: String, character: Character, position: Int)
    /// A date, time or other component failed one of GS1's content checks.
    case content(String)
    /// The Application Identifier is not in GS1's syntax dictionary.
    case unknownAI
    /// The value is empty where GS1 requires at least one character.
    case emptyValue
    /// The same Application Identifier appears twice.
    case repeated
    /// The AI may not be used as a Digital Link primary key.
    case notPrimaryKey
    /// The AI is not a qualifier of the primary key in use.
    case notQualifier(primaryKey: String, allowed: String)
    /// Qualifiers are present but not in GS1's order for this primary key.
    case qualifierOrder(primaryKey: String, order: String)
    /// A qualifier of the primary key was put in the query string.
    case qualifierInQuery(primaryKey: String)
    /// The AI may not be carried as a Digital Link query attribute.
    case notDataAttribute
    /// An AI that requires the presence of another AI came without it.
    case requires(String)
    /// Two AIs that must not appear together.
    case excludes(String)
    /// An item reference too long for the company prefix it is allocated under.
    case itemReference(allowedDigits: Int)
    /// A GS1 company prefix that cannot be used.
    case companyPrefix(String)
    /// The URI or element string is not well formed; the text says where and why.
    case syntax(String)

    /// What each of GS1's character sets allows, in words, for messages.
    static let allowed = [
      "GS1 character set 82":
        "letters A–Z and a–z without accents, digits 0–9 and ! \" % & ' ( ) * + , - . / : ; < = > ? _ (no space)",
      "GS1 character set 39": "capital letters A–Z, digits 0–9 and # - / (no space)",
    ]

    /// The rule as a short sentence.
    public var message: String {
      switch self {
      case .checkDigit(let expected): "check digit should be \(expected)"
      case .length(let allowed): "must be \(allowed)"
      case .notNumeric(let position): "must be digits only (position \(position) is not a digit)"
      case .characterSet(let name, let character, let position):
        "character \(Self.quoted(character)) at position \(position) is outside \(name)"
          + (Self.allowed[name].map { ", which allows only \($0)" } ?? "")
      case .content(let text): text
      case .unknownAI: "is not a GS1 Application Identifier"
      case .emptyValue: "value must not be empty"
      case .repeated: "appears more than once; each AI may be given once"
      case .notPrimaryKey: "is not a GS1 Digital Link primary key"
      case .notQualifier(let key, let allowed):
        allowed.isEmpty
          ? "(\(key)) takes no key qualifiers in the path; data attributes go in the query string"
          : "is not a key qualifier of (\(key)) (those are \(allowed)); "
            + "data attributes go in the query string"
      case .qualifierOrder(let key, let order):
        "qualifiers of (\(key)) must come in the order \(order)"
      case .qualifierInQuery(let key):
        "is a key qualifier of (\(key)) and belongs in the path, not the query string"
      case .notDataAttribute: "may not be a Digital Link query attribute"
      case .requires(let text): "requires \(text)"
      case .excludes(let other): "must not appear together with (\(other))"
      case .itemReference(let digits):
        "does not fit: the company prefix leaves room for \(digits) "
          + "digit\(digits == 1 ? "" : "s")"
      case .companyPrefix(let text): text
      case .syntax(let text): text
      }
    }

    private static func quoted(_ character: Character) -> String {
      if let ascii = character.asciiValue, ascii < 0x20 || ascii == 0x7F {
        return "0x" + String(ascii, radix: 16, uppercase: true)
      }
      if character == " " { return "' ' (space)" }
      return "'\(character)'"
    }
  }
}

extension String {
  /// The value as a message shows it: whole up to 200 characters, else its first 200 and
  /// how long it is, so a huge cell or scan cannot flood a terminal or a log.
  package var clippedForMessage: String {
    var index = startIndex
    for _ in 0..<200 {
      guard index < endIndex else { return self }
      index = self.index(after: index)
    }
    guard index < endIndex else { return self }
    return String(self[..<index]) + "… (\(count) characters)"
  }
}
