extension DigitalLink {
  /// Parses a GS1 Digital Link URI and checks every rule: the scheme, the host, the path
  /// (an optional stem, then the primary key and its qualifiers in GS1's order), the query
  /// (data attributes and non-numeric parameters) and each AI value.
  public init(parsing text: String, dictionary: SyntaxDictionary = .gs1) throws(GS1Error) {
    func fail(_ why: String) -> GS1Error { GS1Error("Digital Link", text, .syntax(why)) }
    guard let separator = text.firstRange(of: "://") else {
      throw fail("is not an http or https URI")
    }
    let scheme = try Base.checkScheme(text[..<separator.lowerBound], in: text)
    var rest = text[separator.upperBound...]
    if rest.contains("#") { throw fail("must not have a fragment ('#')") }
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
    let segments = rest[rest.index(after: slash)...].split(
      separator: "/", omittingEmptySubsequences: false)
    if segments.last?.isEmpty == true, segments.count > 1 || rest.hasSuffix("/") {
      throw fail("must not end with '/'")
    }
    if segments.contains(where: \.isEmpty) { throw fail("has an empty path segment ('//')") }

    let (stemCount, pathElements) = try Self.splitPath(segments, text: text, dictionary)
    let stem = try segments[..<stemCount].map { segment throws(GS1Error) in
      try Base.checkStemSegment(segment, in: text)
    }
    var attributes: [AIElement] = []
    var parameters: [Parameter] = []
    if let query {
      guard !query.isEmpty else { throw fail("has an empty query string after '?'") }
      for pair in query.split(separator: "&", omittingEmptySubsequences: false) {
        guard !pair.isEmpty else { throw fail("has an empty query parameter ('&&')") }
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = try PercentEncoding.decode(parts[0], subject: "query parameter name")
        let value = try PercentEncoding.decode(
          parts.count > 1 ? parts[1] : "", subject: "query parameter \(name)")
        if name.isEmpty { throw fail("has a query parameter without a name") }
        if name.firstNonDigitPosition == nil {
          attributes.append(AIElement(ai: name, value: value))
        } else {
          parameters.append(Parameter(name: name, value: value))
        }
      }
    }
    try self.init(
      base: Base(scheme: scheme, host: host, stem: stem), primaryKey: pathElements[0],
      qualifiers: Array(pathElements.dropFirst()), attributes: attributes,
      parameters: parameters, dictionary: dictionary)
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
      let value = try PercentEncoding.decode(segments[end - 1], subject: "AI (\(ai))")
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
