/// One Application Identifier as GS1's Barcode Syntax Dictionary defines it: its data
/// format, its content checks and its role in a Digital Link.
public struct AIDefinition: Sendable, Equatable {
  /// The AI itself, two to four digits: `01`, `10`, `3103`.
  public let ai: String
  /// GS1's short title: `GTIN`, `BATCH/LOT`, `NET WEIGHT (kg)`.
  public let title: String
  /// Whether the AI has a predefined length and needs no FNC1 separator (flag `*`).
  public let hasPredefinedLength: Bool
  /// Whether the AI may be a Digital Link data attribute in the query string (flag `?`).
  public let isDataAttribute: Bool
  /// The parts of the value, each consuming a prefix of what is left.
  public let components: [Component]
  /// For a Digital Link primary key: the alternative sequences of key qualifiers, in
  /// their required order (`[["22", "10", "21"], ["235"]]` for GTIN). Nil if the AI is not
  /// a primary key; `[[]]` for a key that takes no qualifiers.
  public let qualifierSequences: [[String]]?
  /// Each `req=` attribute: one of its alternatives must be present, and an alternative is
  /// a list of AI patterns that must all be present (`n` matches any digit).
  public let requirements: [[[String]]]
  /// AI patterns that must not appear together with this AI.
  public let exclusions: [String]

  /// Whether the AI is a GS1 Digital Link primary key.
  public var isPrimaryKey: Bool { qualifierSequences != nil }

  /// Every AI that may qualify this primary key, in dictionary order.
  public var allQualifiers: [String] {
    var seen: [String] = []
    for ai in (qualifierSequences ?? []).joined() where !seen.contains(ai) { seen.append(ai) }
    return seen
  }

  /// The shortest and longest value the components allow.
  public var lengthRange: ClosedRange<Int> {
    let minimum = components.filter { !$0.isOptional }.reduce(0) { $0 + $1.minLength }
    let maximum = components.reduce(0) { $0 + $1.maxLength }
    return minimum...maximum
  }

  /// One part of an AI's value: its character set, length and content checks.
  public struct Component: Sendable, Equatable {
    /// Whether the component may be left out (written `[…]` in the dictionary).
    public let isOptional: Bool
    /// The characters the component may hold.
    public let characterSet: CharacterSet
    /// The fewest characters the component takes.
    public let minLength: Int
    /// The most characters the component takes.
    public let maxLength: Int
    /// GS1's content checks for the component, in the order the dictionary lists them.
    public let linters: [Linter]

    /// Whether the component has one fixed length.
    public var isFixedLength: Bool { minLength == maxLength }
  }

  /// The character sets of GS1's syntax dictionary.
  public enum CharacterSet: String, Sendable, Equatable {
    /// `N`: the digits 0–9.
    case numeric = "N"
    /// `X`: GS1 AI encodable character set 82.
    case cset82 = "X"
    /// `Y`: GS1 AI encodable character set 39.
    case cset39 = "Y"
    /// `Z`: the URL-safe base64 alphabet.
    case base64URL = "Z"

    /// The name used in messages.
    public var name: String {
      switch self {
      case .numeric: "digits"
      case .cset82: "GS1 character set 82"
      case .cset39: "GS1 character set 39"
      case .base64URL: "the base64url alphabet"
      }
    }

    /// Whether the ASCII byte belongs to the set.
    func contains(_ byte: UInt8) -> Bool {
      switch self {
      case .numeric: return byte >= 0x30 && byte <= 0x39
      case .cset82: return Self.cset82Table[Int(byte)]
      case .cset39: return Self.cset39Table[Int(byte)]
      case .base64URL:
        return Self.isAlphanumeric(byte) || byte == UInt8(ascii: "-")
          || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "=")
      }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
      (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
        || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func table(_ extra: String, lowercase: Bool) -> [Bool] {
      var table = [Bool](repeating: false, count: 256)
      for byte in UInt8(0)...UInt8(255) {
        let isLetterOrDigit =
          (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
          || (lowercase && byte >= 0x61 && byte <= 0x7A)
        table[Int(byte)] = isLetterOrDigit
      }
      for byte in extra.utf8 { table[Int(byte)] = true }
      return table
    }

    // Character set 82: digits, both cases of letters and !"%&'()*+,-./:;<=>?_
    private static let cset82Table = table("!\"%&'()*+,-./:;<=>?_", lowercase: true)
    // Character set 39: digits, upper-case letters and #-/
    private static let cset39Table = table("#-/", lowercase: false)
  }
}
