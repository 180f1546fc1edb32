/// A GS1 Digital Link URI: a base, a primary key with its qualifiers in the path, GS1 data
/// attributes in the query string, and any other (non-numeric) query parameters.
///
/// Every way of making one, building or parsing, applies the same rules, read from GS1's
/// syntax dictionary: the value of each AI, which AIs are primary keys, their qualifiers and
/// the order they take, which AIs may be query attributes, and which AIs require or exclude
/// others. The ``uri`` is canonical: ``init(parsing:dictionary:)`` of it gives back an equal
/// value.
public struct DigitalLink: Hashable, Sendable, CustomStringConvertible {
  /// Where the link points: scheme, host and optional path stem.
  public let base: Base
  /// The primary key, such as `(01)` GTIN.
  public let primaryKey: AIElement
  /// The key qualifiers in the path, in GS1's order, such as `(22)`, `(10)`, `(21)`.
  public let qualifiers: [AIElement]
  /// GS1 data attributes from the query string, in the order given.
  public let attributes: [AIElement]
  /// Query parameters whose names are not numeric, in the order given. GS1 readers
  /// ignore them; ocop-trace carries its signature in one.
  public let parameters: [Parameter]

  /// A non-numeric query parameter.
  public struct Parameter: Hashable, Sendable {
    /// The name, decoded; never all digits.
    public let name: String
    /// The value, decoded; may be empty.
    public let value: String

    /// Creates a parameter.
    public init(name: String, value: String) {
      self.name = name
      self.value = value
    }
  }

  /// Creates a link from its parts, checking every rule.
  public init(
    base: Base, primaryKey: AIElement, qualifiers: [AIElement] = [],
    attributes: [AIElement] = [], parameters: [Parameter] = [],
    dictionary: SyntaxDictionary = .gs1
  ) throws(GS1Error) {
    self.base = base
    self.primaryKey = primaryKey
    self.qualifiers = qualifiers
    self.attributes = attributes
    self.parameters = parameters
    try validate(in: dictionary)
  }

  /// Creates the link for a trade item: GTIN, then the optional consumer product
  /// variant (22), lot (10) and serial (21), then data attributes and parameters.
  public init(
    base: Base, gtin: GTIN, consumerProductVariant: String? = nil, lot: String? = nil,
    serial: String? = nil, attributes: [AIElement] = [], parameters: [Parameter] = []
  ) throws(GS1Error) {
    let qualifiers = [("22", consumerProductVariant), ("10", lot), ("21", serial)]
      .compactMap { ai, value in value.map { AIElement(ai: ai, value: $0) } }
    try self.init(
      base: base, primaryKey: AIElement(ai: "01", value: gtin.digits), qualifiers: qualifiers,
      attributes: attributes, parameters: parameters)
  }

  /// Creates a link from AI elements in any order, such as those of an element string:
  /// the first primary key leads, its qualifiers go to the path in GS1's order, and
  /// every other element becomes a query attribute.
  public init(
    base: Base, elements: [AIElement], parameters: [Parameter] = [],
    dictionary: SyntaxDictionary = .gs1
  ) throws(GS1Error) {
    guard
      let key = elements.first(where: { dictionary.definition(for: $0.ai)?.isPrimaryKey == true }),
      let definition = dictionary.definition(for: key.ai)
    else {
      throw GS1Error(
        "Digital Link", ElementString(elements).description,
        .syntax("no Digital Link primary key, such as (01) GTIN, among the elements"))
    }
    // The path takes the qualifiers of one of the key's sequences, the others are
    // attributes: the sequence that holds most of those present and makes a valid link
    // (a (235) that is no attribute takes the path even beside a lot).
    let rest = elements.filter { $0 != key }
    let present = Set(rest.map(\.ai))
    let declared = definition.qualifierSequences ?? []
    let sequences = (declared.isEmpty ? [[]] : declared).enumerated().sorted {
      ($1.element.filter(present.contains).count, $0.offset)
        < ($0.element.filter(present.contains).count, $1.offset)
    }.map(\.element)
    var firstError: GS1Error?
    for sequence in sequences {
      let qualifiers = rest.filter { sequence.contains($0.ai) }
        .sorted { sequence.firstIndex(of: $0.ai)! < sequence.firstIndex(of: $1.ai)! }
      do {
        try self.init(
          base: base, primaryKey: key, qualifiers: qualifiers,
          attributes: rest.filter { !sequence.contains($0.ai) }, parameters: parameters,
          dictionary: dictionary)
        return
      } catch {
        firstError = firstError ?? error
      }
    }
    throw firstError
      ?? GS1Error(
        "Digital Link", ElementString(elements).description,
        .syntax("no qualifier sequence of (\(key.ai)) fits the elements"))
  }

  /// All AI elements: primary key, qualifiers, then attributes.
  public var elements: [AIElement] { [primaryKey] + qualifiers + attributes }

  /// The GS1 element string of the link's data, `(01)08931234567897(10)LOT-A(17)261231`.
  public var elementString: ElementString { ElementString(elements) }

  /// The GTIN, when the primary key is AI (01).
  public var gtin: GTIN? { primaryKey.ai == "01" ? try? GTIN(primaryKey.value) : nil }

  /// The value of AI `ai` anywhere in the link, or nil.
  public func value(of ai: String) -> String? { elements.first { $0.ai == ai }?.value }

  /// The value of the non-numeric query parameter `name`, or nil.
  public func parameter(_ name: String) -> String? {
    parameters.first { $0.name == name }?.value
  }

  /// A copy with `parameter` added, or replacing the parameter of the same name.
  public func setting(_ parameter: Parameter) throws(GS1Error) -> DigitalLink {
    try DigitalLink(
      base: base, primaryKey: primaryKey, qualifiers: qualifiers, attributes: attributes,
      parameters: parameters.filter { $0.name != parameter.name } + [parameter])
  }

  /// A copy whose scheme and host are written in upper or lower case. Both are
  /// case-insensitive, and upper case lets a QR code use its denser alphanumeric mode.
  public func withSchemeAndHost(uppercased: Bool) -> DigitalLink {
    DigitalLink(
      unchecked: base.withSchemeAndHost(uppercased: uppercased), primaryKey, qualifiers,
      attributes, parameters)
  }

  private init(
    unchecked base: Base, _ key: AIElement, _ qualifiers: [AIElement],
    _ attributes: [AIElement], _ parameters: [Parameter]
  ) {
    self.base = base
    self.primaryKey = key
    self.qualifiers = qualifiers
    self.attributes = attributes
    self.parameters = parameters
  }

  /// The URI, with every value percent-encoded so that only unreserved characters are bare.
  public var uri: String {
    var text = base.description
    for element in [primaryKey] + qualifiers {
      text += "/" + element.ai + "/" + PercentEncoding.encode(element.value)
    }
    let query =
      attributes.map { $0.ai + "=" + PercentEncoding.encode($0.value) }
      + parameters.map { PercentEncoding.encode($0.name) + "=" + PercentEncoding.encode($0.value) }
    if !query.isEmpty { text += "?" + query.joined(separator: "&") }
    return text
  }

  public var description: String { uri }

  /// Applies every Digital Link rule to the parts; the parser and the builders share it.
  func validate(in dictionary: SyntaxDictionary) throws(GS1Error) {
    let keyDefinition = try primaryKey.validated(in: dictionary)
    guard let sequences = keyDefinition.qualifierSequences else {
      throw GS1Error.ai(primaryKey.ai, primaryKey.value, .notPrimaryKey)
    }
    var seen: Set<String> = [primaryKey.ai]
    for element in qualifiers + attributes {
      if !seen.insert(element.ai).inserted {
        throw GS1Error.ai(element.ai, element.value, .repeated)
      }
    }
    try validateQualifiers(sequences, keyDefinition: keyDefinition, in: dictionary)
    // A qualifier of the path's sequence belongs in the path; one of another sequence (a
    // lot beside (01)/(235)) is an attribute like any other.
    let order = qualifiers.map(\.ai)
    let pathQualifiers = Set(sequences.filter { Self.fits(order, $0) }.joined())
    for attribute in attributes {
      let definition = try attribute.validated(in: dictionary)
      if pathQualifiers.contains(attribute.ai) {
        throw GS1Error.ai(
          attribute.ai, attribute.value, .qualifierInQuery(primaryKey: primaryKey.ai))
      }
      if !definition.isDataAttribute || definition.ai == primaryKey.ai {
        throw GS1Error.ai(attribute.ai, attribute.value, .notDataAttribute)
      }
    }
    var names: Set<String> = []
    for parameter in parameters {
      guard !parameter.name.isEmpty, parameter.name.firstNonDigitPosition != nil else {
        throw GS1Error(
          "query parameter", parameter.name + "=" + parameter.value,
          .syntax(
            parameter.name.isEmpty
              ? "has no name" : "numeric names are GS1 Application Identifiers"))
      }
      if !names.insert(parameter.name).inserted {
        throw GS1Error("query parameter", parameter.name, .repeated)
      }
    }
    try AssociationRules.check(elements, in: dictionary)
  }

  private func validateQualifiers(
    _ sequences: [[String]], keyDefinition: AIDefinition, in dictionary: SyntaxDictionary
  ) throws(GS1Error) {
    let allowed = keyDefinition.allQualifiers
    for qualifier in qualifiers {
      guard allowed.contains(qualifier.ai) else {
        _ = try dictionary.require(qualifier.ai, value: qualifier.value)
        throw GS1Error.ai(
          qualifier.ai, qualifier.value,
          .notQualifier(
            primaryKey: primaryKey.ai, allowed: allowed.map { "(\($0))" }.joined(separator: ", ")))
      }
      try qualifier.validated(in: dictionary)
    }
    let order = qualifiers.map(\.ai)
    if !sequences.contains(where: { Self.fits(order, $0) }), let last = qualifiers.last {
      let described = sequences.map { $0.map { "(\($0))" }.joined(separator: " ") }
        .joined(separator: ", or ")
      throw GS1Error.ai(
        last.ai, last.value, .qualifierOrder(primaryKey: primaryKey.ai, order: described))
    }
  }

  /// Whether qualifiers in `order` follow `sequence`: each in it, after the one before.
  static func fits(_ order: [String], _ sequence: [String]) -> Bool {
    var position = sequence.startIndex
    for ai in order {
      guard let found = sequence[position...].firstIndex(of: ai) else { return false }
      position = found + 1
    }
    return true
  }
}
