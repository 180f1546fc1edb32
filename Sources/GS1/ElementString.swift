/// GS1 element data in bracketed form: `(01)08931234567897(10)LOT-A(17)261231`.
///
/// This is the human-readable text printed under a code, and a compact way to write AI
/// data. A literal `(` inside a value is written `\(` so the text parses back unchanged.
public struct ElementString: Hashable, Sendable, CustomStringConvertible {
  /// The elements, in order.
  public let elements: [AIElement]

  /// Wraps elements without checking them.
  public init(_ elements: [AIElement]) { self.elements = elements }

  /// Parses bracketed element data and checks each value, repeats, and the dictionary's
  /// rules on which AIs require or exclude others.
  public init(parsing text: String, dictionary: SyntaxDictionary = .gs1) throws(GS1Error) {
    func fail(_ why: String) -> GS1Error { GS1Error("element string", text, .syntax(why)) }
    var elements: [AIElement] = []
    var rest = text[...]
    guard rest.hasPrefix("(") else { throw fail("must start with '(' and an AI") }
    while !rest.isEmpty {
      rest = rest.dropFirst()
      guard let close = rest.firstIndex(of: ")") else { throw fail("has an unclosed '('") }
      let ai = String(rest[..<close])
      guard (2...4).contains(ai.utf8.count), ai.firstNonDigitPosition == nil else {
        throw fail("'(\(ai))' is not an AI of two to four digits")
      }
      rest = rest[rest.index(after: close)...]
      var value = ""
      while let character = rest.first, character != "(" {
        if character == "\\", rest.dropFirst().first == "(" {
          value.append("(")
          rest = rest.dropFirst(2)
        } else {
          value.append(character)
          rest = rest.dropFirst()
        }
      }
      let element = AIElement(ai: ai, value: value)
      try element.validated(in: dictionary)
      if elements.contains(where: { $0.ai == ai }) {
        throw GS1Error.ai(ai, value, .repeated)
      }
      elements.append(element)
    }
    try AssociationRules.check(elements, in: dictionary)
    self.elements = elements
  }

  /// The bracketed text, with `(` inside values written `\(`.
  public var description: String {
    elements.map { "(\($0.ai))" + $0.value.replacing("(", with: "\\(") }.joined()
  }

  /// The data as a barcode carries it (after its symbology's leading FNC1): each AI and
  /// its value, with `separator` (GS, the FNC1 a scanner sends) after each value whose AI
  /// has no predefined length, unless it is the last.
  public func unbracketed(separator: String = "\u{1D}", dictionary: SyntaxDictionary = .gs1)
    -> String
  {
    var out = ""
    for (index, element) in elements.enumerated() {
      out += element.ai + element.value
      let predefined = dictionary.definition(for: element.ai)?.hasPredefinedLength ?? false
      if !predefined, index < elements.count - 1 { out += separator }
    }
    return out
  }

  /// The text as printed under a barcode: brackets around each AI, values unescaped.
  public var humanReadable: String {
    elements.map { "(\($0.ai))\($0.value)" }.joined()
  }
}
