/// One Application Identifier with its value: `(10) LOT-A`.
public struct AIElement: Hashable, Sendable, CustomStringConvertible {
  /// The AI, two to four digits.
  public let ai: String
  /// The value, as GS1 encodes it (no percent-encoding).
  public let value: String

  /// Creates an element without checking it; see ``validated(in:)``.
  public init(ai: String, value: String) {
    self.ai = ai
    self.value = value
  }

  /// For a trade measure (AIs 3100–3699, such as 3103 net weight in kg), the value with
  /// its implied decimal point placed: `(3103) 000500` is `0.500`. Nil for other AIs.
  public var measure: String? {
    let digits = Array(ai.utf8)
    guard digits.count == 4, digits[0] == UInt8(ascii: "3"),
      (UInt8(ascii: "1")...UInt8(ascii: "6")).contains(digits[1]),
      value.utf8.count == 6, value.firstNonDigitPosition == nil
    else { return nil }
    let decimals = Int(digits[3] - UInt8(ascii: "0"))
    guard decimals > 0 else { return String(Int(value) ?? 0) }
    let whole = value.dropLast(decimals).drop(while: { $0 == "0" })
    return (whole.isEmpty ? "0" : String(whole)) + "." + value.suffix(decimals)
  }

  /// The element in bracketed form, `(10)LOT-A`.
  public var description: String { "(\(ai))\(value)" }

  /// Checks the value against the AI's definition in `dictionary`: length, character set
  /// of each component, and GS1's content checks.
  @discardableResult
  public func validated(in dictionary: SyntaxDictionary = .gs1) throws(GS1Error) -> AIDefinition {
    let definition = try dictionary.require(ai, value: value)
    if value.isEmpty { throw GS1Error.ai(ai, value, .emptyValue) }
    let bytes = value.utf8
    if let (scalar, position) = Self.firstNonASCII(value) {
      throw GS1Error.ai(
        ai, value,
        .characterSet(
          name: definition.components[0].characterSet.name, character: Character(scalar),
          position: position))
    }
    let range = definition.lengthRange
    guard range.contains(bytes.count) else {
      throw GS1Error.ai(ai, value, .length(allowed: Self.describe(range, definition)))
    }
    var offset = 0
    for component in definition.components {
      let remaining = bytes.count - offset
      if remaining == 0 && component.isOptional { break }
      let count =
        component.isFixedLength ? component.minLength : min(remaining, component.maxLength)
      guard count <= remaining, count >= component.minLength else {
        throw GS1Error.ai(ai, value, .length(allowed: Self.describe(range, definition)))
      }
      let start = value.utf8.index(value.utf8.startIndex, offsetBy: offset)
      let end = value.utf8.index(start, offsetBy: count)
      let part = Substring(value.utf8[start..<end])
      var position = offset + 1
      for byte in part.utf8 {
        if !component.characterSet.contains(byte) {
          let rule: GS1Error.Rule =
            component.characterSet == .numeric
            ? .notNumeric(position: position)
            : .characterSet(
              name: component.characterSet.name, character: Character(UnicodeScalar(byte)),
              position: position)
          throw GS1Error.ai(ai, value, rule)
        }
        position += 1
      }
      for linter in component.linters {
        if let problem = linter.problem(in: part) {
          if linter == .csum, let digit = problem.last, problem.hasPrefix("check digit") {
            throw GS1Error.ai(ai, value, .checkDigit(expected: digit))
          }
          throw GS1Error.ai(ai, value, .content(problem))
        }
      }
      offset += count
    }
    if offset != bytes.count {
      throw GS1Error.ai(ai, value, .length(allowed: Self.describe(range, definition)))
    }
    return definition
  }

  /// The first scalar outside ASCII and its position, counted in scalars as the checks of
  /// ASCII values count bytes. A character may hold several scalars (`\r\n`, a letter and
  /// its combining marks), so the position is not an offset in characters.
  private static func firstNonASCII(_ text: String) -> (Unicode.Scalar, Int)? {
    var position = 1
    for scalar in text.unicodeScalars {
      if !scalar.isASCII { return (scalar, position) }
      position += 1
    }
    return nil
  }

  private static func describe(_ range: ClosedRange<Int>, _ definition: AIDefinition) -> String {
    let unit =
      definition.components.allSatisfy({ $0.characterSet == .numeric }) ? "digit" : "character"
    if range.lowerBound == range.upperBound {
      return "exactly \(range.lowerBound) \(unit)\(range.lowerBound == 1 ? "" : "s")"
    }
    return "\(range.lowerBound) to \(range.upperBound) \(unit)s"
  }
}

/// Checks that a set of AIs obeys the dictionary's `req=` and `ex=` attributes.
enum AssociationRules {
  /// Throws for the first element whose required companions are missing or which appears
  /// with an AI it excludes.
  static func check(_ elements: [AIElement], in dictionary: SyntaxDictionary) throws(GS1Error) {
    let present = elements.map(\.ai)
    for element in elements {
      guard let definition = dictionary.definition(for: element.ai) else { continue }
      for pattern in definition.exclusions {
        if let other = present.first(where: { $0 != element.ai && matches($0, pattern) }) {
          throw GS1Error.ai(element.ai, element.value, .excludes(other))
        }
      }
      for requirement in definition.requirements {
        let satisfied = requirement.contains { group in
          group.allSatisfy { pattern in present.contains { matches($0, pattern) } }
        }
        if !satisfied {
          let wanted = requirement.map { group in
            group.map { "(\($0))" }.joined(separator: " with ")
          }
          throw GS1Error.ai(
            element.ai, element.value,
            .requires(wanted.count == 1 ? wanted[0] : "one of " + wanted.joined(separator: ", ")))
        }
      }
    }
  }

  /// Whether `ai` matches a dictionary pattern, where `n` stands for any digit.
  static func matches(_ ai: String, _ pattern: String) -> Bool {
    guard ai.utf8.count == pattern.utf8.count else { return false }
    return zip(ai.utf8, pattern.utf8).allSatisfy { $1 == UInt8(ascii: "n") || $0 == $1 }
  }
}
