/// What a scanner sends for a code: a GS1 Digital Link URI, or GS1 element data.
///
/// A handheld 2D scanner reading a GS1 QR Code, GS1 DataMatrix or GS1-128 types the
/// element string itself, not a URI: often after its symbology identifier (`]Q3` GS1 QR
/// Code, `]d2` GS1 DataMatrix, `]C1` GS1-128, `]e0` GS1 DataBar, `]J1` GS1 DotCode), with
/// each FNC1 that ends a value of variable length sent as GS (0x1D) or as a character the
/// scanner is set to send instead. People also type the bracketed form,
/// `(01)08936059000017(10)A1`. Each reads to the same elements.
public enum ScannedCode: Hashable, Sendable {
  /// A Digital Link URI.
  case link(DigitalLink)
  /// GS1 element data, with the symbology identifier it came after, if any.
  case elements(ElementString, symbology: String?)

  /// The symbology identifiers of GS1's data carriers in GS1 mode: what follows is element
  /// data.
  public static let gs1Symbologies: Set<String> = ["]C1", "]e0", "]d2", "]Q3", "]J1"]

  /// Reads what a scanner sent. `separator` is the character the scanner sends for FNC1
  /// (GS by default); a URI is read with `options`.
  public init(
    reading text: String, separator: Character = "\u{1D}",
    options: DigitalLink.ReadOptions = .standard, dictionary: SyntaxDictionary = .gs1
  ) throws(GS1Error) {
    var rest = Substring(text)
    var symbology: String?
    if rest.hasPrefix("]"), rest.count >= 3 {
      symbology = String(rest.prefix(3))
      rest = rest.dropFirst(3)
    }
    let gs1Mode = symbology.map(Self.gs1Symbologies.contains) ?? false
    if !gs1Mode {
      let lower = rest.prefix(8).lowercased()
      if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
        self = .link(
          try DigitalLink(parsing: String(rest), dictionary: dictionary, options: options))
        return
      }
      if rest.hasPrefix("(") {
        self = .elements(
          try ElementString(parsing: String(rest), dictionary: dictionary), symbology: symbology)
        return
      }
      guard rest.first == separator || rest.first.map({ $0.isASCII && $0.isNumber }) == true
      else {
        throw GS1Error(
          "scan", text,
          .syntax(
            "is neither a GS1 Digital Link URI (https://…), nor GS1 element data such as (01)…"))
      }
    }
    self = .elements(
      try ElementString(
        unbracketed: rest, separator: separator, dictionary: dictionary, scanned: text),
      symbology: symbology)
  }
}

extension ElementString {
  /// Reads element data as a barcode carries it: each AI followed by its value; a value
  /// of predefined length takes exactly its length, any other runs to `separator` or the
  /// end. A separator before the first AI (the symbology's FNC1, as some scanners send it)
  /// or after a value of predefined length is skipped. `scanned` names the input in errors.
  public init(
    unbracketed text: Substring, separator: Character = "\u{1D}",
    dictionary: SyntaxDictionary = .gs1, scanned: String? = nil
  ) throws(GS1Error) {
    let name = scanned ?? String(text)
    func fail(_ why: String) -> GS1Error { GS1Error("element string", name, .syntax(why)) }
    var rest = text
    var elements: [AIElement] = []
    while rest.first == separator { rest = rest.dropFirst() }
    guard !rest.isEmpty else { throw fail("holds no data") }
    while !rest.isEmpty {
      guard
        let length = (2...4).first(where: { length in
          let prefix = rest.prefix(length)
          return prefix.count == length && prefix.allSatisfy { $0.isASCII && $0.isNumber }
            && dictionary.definition(for: String(prefix)) != nil
        })
      else {
        let shown = rest.prefix(4)
        throw fail(
          "'\(shown)' at position \(name.count - rest.count + 1) does not begin a known AI")
      }
      let ai = String(rest.prefix(length))
      rest = rest.dropFirst(length)
      guard let definition = dictionary.definition(for: ai) else { throw fail("unknown AI") }
      let value: Substring
      if definition.hasPredefinedLength {
        let size = definition.lengthRange.upperBound
        value = rest.prefix(size)
        guard value.count == size, !value.contains(separator) else {
          throw GS1Error.ai(
            ai, String(value.prefix { $0 != separator }),
            .syntax(
              "takes exactly \(size) characters"))
        }
        rest = rest.dropFirst(size)
      } else {
        value = rest.prefix { $0 != separator }
        rest = rest.dropFirst(value.count)
      }
      while rest.first == separator { rest = rest.dropFirst() }
      elements.append(AIElement(ai: ai, value: String(value)))
    }
    try self.init(checking: elements, dictionary: dictionary)
  }

  /// Elements checked as ``init(parsing:dictionary:)`` checks them: each value, no AI
  /// twice, and the dictionary's rules on which AIs require or exclude others.
  public init(checking elements: [AIElement], dictionary: SyntaxDictionary = .gs1)
    throws(GS1Error)
  {
    var seen: Set<String> = []
    for element in elements {
      try element.validated(in: dictionary)
      if !seen.insert(element.ai).inserted {
        throw GS1Error.ai(element.ai, element.value, .repeated)
      }
    }
    try AssociationRules.check(elements, in: dictionary)
    self.init(elements)
  }
}
