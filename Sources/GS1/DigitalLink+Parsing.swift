extension DigitalLink {
  /// What a reader accepts beyond GS1's default reading. GS1's own engine keeps both behind
  /// options that are off unless asked for, and so does ocop.
  public struct ReadOptions: Hashable, Sendable {
    /// Path words in place of AIs, such as `/gtin/` for `/01/` (GS1 has deprecated them).
    public var convenienceAlphas: Bool
    /// A GTIN-8, -12 or -13 as AI (01)'s value, padded with zeros to a GTIN-14.
    public var zeroSuppressedGTINs: Bool

    /// Options; by default, GS1's default reading.
    public init(convenienceAlphas: Bool = false, zeroSuppressedGTINs: Bool = false) {
      self.convenienceAlphas = convenienceAlphas
      self.zeroSuppressedGTINs = zeroSuppressedGTINs
    }

    /// GS1's default reading.
    public static let standard = ReadOptions()
  }

  /// The path words GS1 once allowed in place of AIs, and the AIs they stand for.
  public static let convenienceAlphas: [String: String] = [
    "cpid": "8010", "cpsn": "8011", "cpv": "22", "gcn": "255", "gdti": "253", "giai": "8004",
    "ginc": "401", "gln": "414", "glnx": "254", "gmn": "8013", "grai": "8003", "gsin": "402",
    "gsrn": "8018", "gsrnp": "8017", "gtin": "01", "itip": "8006", "lot": "10", "party": "417",
    "refno": "8020", "ser": "21", "srin": "8019", "sscc": "00",
  ]

  /// The characters a URI may hold (RFC 3986's unreserved and reserved characters, and
  /// `%`): any other makes the text no URI at all.
  static func isURICharacter(_ byte: UInt8) -> Bool {
    PercentEncoding.isUnreserved(byte) || ":/?#[]@!$&'()*+,;=%".utf8.contains(byte)
  }

  /// Parses a GS1 Digital Link URI and checks every rule: the scheme, the host, the path
  /// (an optional stem, then the primary key and its qualifiers in GS1's order), the query
  /// (data attributes and non-numeric parameters) and each AI value.
  ///
  /// It reads what GS1's own engine reads with its default options, no more and no less:
  /// a fragment (`#…`) is ignored, as are empty query parameters (`?&&99=A&`), an empty
  /// query (`…?`) and parameters without a value (`?flag`); in the path `+` is itself, in
  /// the query it is a space; a host may end with a dot. What ocop writes (``uri``) is
  /// always canonical.
  public init(
    parsing text: String, dictionary: SyntaxDictionary = .gs1, options: ReadOptions = .standard
  ) throws(GS1Error) {
    func fail(_ why: String) -> GS1Error { GS1Error("Digital Link", text, .syntax(why)) }
    guard let separator = text.firstRange(of: "://") else {
      throw fail("is not an http or https URI")
    }
    if let index = text.utf8.firstIndex(where: { !Self.isURICharacter($0) }) {
      let byte = text.utf8[index]
      let shown =
        byte < 0x80 ? "'\(Character(UnicodeScalar(byte)))'" : "a character beyond ASCII"
      let position = text.utf8.distance(from: text.utf8.startIndex, to: index) + 1
      throw fail("holds \(shown) at position \(position), which a URI cannot hold bare")
    }
    let scheme = try Base.checkScheme(text[..<separator.lowerBound], in: text)
    var rest = text[separator.upperBound...]
    // A fragment is for the client, never part of the data.
    if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
    var query: Substring?
    if let mark = rest.firstIndex(of: "?") {
      query = rest[rest.index(after: mark)...]
      rest = rest[..<mark]
    }
    guard let slash = rest.firstIndex(of: "/") else {
      _ = try Base.checkHost(rest, in: text)
      throw fail("has no path: a primary key such as /01/{GTIN} is required")
    }
    let host = try Base.checkHost(rest[..<slash], in: text)
    var segments = rest[rest.index(after: slash)...].split(
      separator: "/", omittingEmptySubsequences: false)
    if segments.last?.isEmpty == true, segments.count > 1 || rest.hasSuffix("/") {
      throw fail("must not end with '/'")
    }
    if segments.contains(where: \.isEmpty) { throw fail("has an empty path segment ('//')") }
    if options.convenienceAlphas {
      segments = Self.replacingAlphas(segments, dictionary)
    }

    let (stemCount, found) = try Self.splitPath(segments, text: text, dictionary)
    let pathElements =
      options.zeroSuppressedGTINs ? found.map(Self.paddingGTIN) : found
    let stem = try segments[..<stemCount].map { segment throws(GS1Error) in
      try Base.checkStemSegment(segment, in: text)
    }
    var attributes: [AIElement] = []
    var parameters: [Parameter] = []
    for pair in (query ?? "").split(separator: "&") {
      // A parameter without '=' carries no value: GS1 readers skip it.
      guard let equals = pair.firstIndex(of: "=") else { continue }
      let name = try PercentEncoding.decode(
        pair[..<equals], subject: "query parameter name", plusIsSpace: true)
      let value = try PercentEncoding.decode(
        pair[pair.index(after: equals)...], subject: "query parameter \(name)",
        plusIsSpace: true)
      if name.isEmpty { throw fail("has a query parameter without a name") }
      if name.firstNonDigitPosition == nil {
        let element = AIElement(ai: name, value: value)
        attributes.append(options.zeroSuppressedGTINs ? Self.paddingGTIN(element) : element)
      } else {
        parameters.append(Parameter(name: name, value: value))
      }
    }
    try self.init(
      base: Base(scheme: scheme, host: host, stem: stem), primaryKey: pathElements[0],
      qualifiers: Array(pathElements.dropFirst()), attributes: attributes,
      parameters: parameters, dictionary: dictionary)
  }

  /// The path with each convenience alpha that stands where an AI would, from the end up
  /// to the primary key, replaced by its AI.
  private static func replacingAlphas(_ segments: [Substring], _ dictionary: SyntaxDictionary)
    -> [Substring]
  {
    var out = segments
    var index = segments.count - 2
    while index >= 0 {
      let ai = convenienceAlphas[String(segments[index])] ?? String(segments[index])
      guard let definition = dictionary.definition(for: ai) else { break }
      out[index] = Substring(ai)
      if definition.isPrimaryKey { break }
      index -= 2
    }
    return out
  }

  /// AI (01) with a GTIN-8, -12 or -13 padded with zeros to 14 digits.
  private static func paddingGTIN(_ element: AIElement) -> AIElement {
    guard element.ai == "01", [8, 12, 13].contains(element.value.utf8.count) else {
      return element
    }
    return AIElement(
      ai: "01",
      value: String(repeating: "0", count: 14 - element.value.utf8.count) + element.value)
  }

  /// Finds the primary key: reading the path from its end in (AI, value) pairs, the first
  /// pair whose AI is a primary key starts the GS1 part; what precedes it is the stem.
  private static func splitPath(
    _ segments: [Substring], text: String, _ dictionary: SyntaxDictionary
  ) throws(GS1Error) -> (stemCount: Int, elements: [AIElement]) {
    var end = segments.count
    var elements: [AIElement] = []
    while end >= 2 {
      let aiSegment = segments[end - 2]
      let ai = String(aiSegment)
      let isNumeric = ai.firstNonDigitPosition == nil
      guard isNumeric, let definition = dictionary.definition(for: ai) else {
        if isNumeric, elements.isEmpty, let last = segments.last,
          dictionary.definition(for: String(last)) != nil
        {
          throw GS1Error.ai(String(last), "", .emptyValue)
        }
        if isNumeric { throw GS1Error.ai(ai, String(segments[end - 1]), .unknownAI) }
        break
      }
      let value = try PercentEncoding.decode(
        segments[end - 1], subject: "AI (\(ai))", plusIsSpace: false)
      elements.insert(AIElement(ai: ai, value: value), at: 0)
      end -= 2
      if definition.isPrimaryKey { return (end, elements) }
    }
    if let last = segments.last, dictionary.definition(for: String(last)) != nil,
      segments.count.isMultiple(of: 2) == false || elements.isEmpty
    {
      throw GS1Error.ai(String(last), "", .emptyValue)
    }
    throw GS1Error(
      "Digital Link", text,
      .syntax("has no GS1 primary key in its path, such as /01/{GTIN}"))
  }
}
