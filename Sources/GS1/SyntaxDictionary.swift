/// GS1's Barcode Syntax Dictionary: every Application Identifier, its format, its checks
/// and its Digital Link role.
///
/// The module ships GS1's own file (release 2026-01-27, Apache License 2.0; see
/// `Resources/NOTICE`) and reads every rule from it: no AI is described anywhere else.
public struct SyntaxDictionary: Sendable {
  /// Definitions by AI; ranges such as `3100-3105` are expanded to one entry per AI.
  public let definitions: [String: AIDefinition]

  /// The dictionary compiled into this module.
  public static let gs1: SyntaxDictionary = {
    do {
      return try SyntaxDictionary(parsing: String(decoding: embeddedText, as: UTF8.self))
    } catch {
      // The file is part of the build, not input: a failure here is a broken build.
      fatalError("the embedded GS1 syntax dictionary does not parse: \(error)")
    }
  }()

  static var embeddedText: [UInt8] { PackageResources.gs1_syntax_dictionary_txt }

  /// Parses the text of a syntax dictionary.
  public init(parsing text: String) throws(GS1Error) {
    var definitions: [String: AIDefinition] = [:]
    var lineNumber = 0
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNumber += 1
      let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      for definition in try Self.parseEntry(line, lineNumber: lineNumber) {
        definitions[definition.ai] = definition
      }
    }
    self.definitions = definitions
  }

  /// The definition of `ai`, or nil if GS1 has not assigned it.
  public func definition(for ai: String) -> AIDefinition? { definitions[ai] }

  /// The definition of `ai`; throws ``GS1Error/Rule/unknownAI`` if GS1 has not assigned it.
  public func require(_ ai: String, value: String = "") throws(GS1Error) -> AIDefinition {
    guard let definition = definitions[ai] else { throw GS1Error.ai(ai, value, .unknownAI) }
    return definition
  }

  /// The AI at the start of `text`: AIs are prefix-free, so at most one of its first two,
  /// three or four digits is assigned.
  public func aiPrefix(of text: Substring) -> AIDefinition? {
    for length in 2...4 where text.utf8.count >= length {
      if let definition = definitions[String(text.prefix(length))] { return definition }
    }
    return nil
  }

  private static let flagCharacters = Set("*!?\"$%&'()+,-./:;<=>@[\\]^_`{|}~")

  private static func parseEntry(_ line: Substring, lineNumber: Int) throws(GS1Error)
    -> [AIDefinition]
  {
    func fail(_ why: String) -> GS1Error {
      GS1Error("syntax dictionary line \(lineNumber)", String(line), .syntax(why))
    }
    let hash = line.firstIndex(of: "#")
    let title = hash.map { line[line.index(after: $0)...].trimmingSpaces } ?? ""
    var tokens = line[..<(hash ?? line.endIndex)].split(whereSeparator: { $0 == " " || $0 == "\t" })
    guard !tokens.isEmpty else { throw fail("no AI") }
    let ais = try expandRange(tokens.removeFirst(), fail: fail)

    var flags: Substring = ""
    if let first = tokens.first, first.allSatisfy({ flagCharacters.contains($0) }) {
      flags = tokens.removeFirst()
    }
    var components: [AIDefinition.Component] = []
    while let token = tokens.first, let head = token.first, "NXYZ[".contains(head) {
      components.append(try parseComponent(token, fail: fail))
      tokens.removeFirst()
    }
    guard !components.isEmpty else { throw fail("no specification") }

    var qualifiers: [[String]]?
    var requirements: [[[String]]] = []
    var exclusions: [String] = []
    for token in tokens {
      let parts = token.split(separator: "=", maxSplits: 1).map(String.init)
      switch parts[0] {
      case "dlpkey":
        qualifiers =
          parts.count == 1
          ? [[]]
          : parts[1].split(separator: "|").map { $0.split(separator: ",").map(String.init) }
      case "req" where parts.count == 2:
        requirements.append(
          parts[1].split(separator: ",").map { $0.split(separator: "+").map(String.init) })
      case "ex" where parts.count == 2:
        exclusions += parts[1].split(separator: ",").map(String.init)
      default:
        throw fail("unknown attribute \(token)")
      }
    }
    return ais.map { ai in
      AIDefinition(
        ai: ai, title: String(title), hasPredefinedLength: flags.contains("*"),
        isDataAttribute: flags.contains("?"), components: components,
        qualifierSequences: qualifiers, requirements: requirements, exclusions: exclusions)
    }
  }

  private static func expandRange(_ token: Substring, fail: (String) -> GS1Error) throws(GS1Error)
    -> [String]
  {
    let ends = token.split(separator: "-").map(String.init)
    guard (1...2).contains(ends.count), ends.allSatisfy({ $0.firstNonDigitPosition == nil }),
      ends.allSatisfy({ (2...4).contains($0.utf8.count) })
    else { throw fail("bad AI \(token)") }
    guard ends.count == 2 else { return ends }
    guard let low = Int(ends[0]), let high = Int(ends[1]), low <= high,
      ends[0].utf8.count == ends[1].utf8.count
    else { throw fail("bad AI range \(token)") }
    let width = ends[0].utf8.count
    return (low...high).map { number in
      let digits = String(number)
      return String(repeating: "0", count: width - digits.utf8.count) + digits
    }
  }

  private static func parseComponent(_ token: Substring, fail: (String) -> GS1Error)
    throws(GS1Error) -> AIDefinition.Component
  {
    var parts = token.split(separator: ",").map(String.init)
    var format = parts.removeFirst()
    let isOptional = format.hasPrefix("[") && format.hasSuffix("]")
    if isOptional { format = String(format.dropFirst().dropLast()) }
    guard let head = format.first,
      let characterSet = AIDefinition.CharacterSet(rawValue: String(head))
    else { throw fail("bad component \(token)") }
    let lengths = format.dropFirst()
    let minLength: Int
    let maxLength: Int
    if let range = lengths.firstRange(of: "..") {
      let low = lengths[..<range.lowerBound]
      minLength = low.isEmpty ? 1 : Int(low) ?? -1
      maxLength = Int(lengths[range.upperBound...]) ?? -1
    } else {
      minLength = Int(lengths) ?? -1
      maxLength = minLength
    }
    guard minLength > 0, maxLength >= minLength else { throw fail("bad length in \(token)") }
    var linters: [Linter] = []
    for name in parts {
      guard let linter = Linter(rawValue: name) else { throw fail("unknown linter \(name)") }
      linters.append(linter)
    }
    return AIDefinition.Component(
      isOptional: isOptional, characterSet: characterSet, minLength: minLength,
      maxLength: maxLength, linters: linters)
  }
}

extension Substring {
  var trimmingSpaces: Substring {
    let start = drop(while: { $0 == " " || $0 == "\t" })
    var end = start.endIndex
    while end > start.startIndex {
      let before = start.index(before: end)
      guard start[before] == " " || start[before] == "\t" else { break }
      end = before
    }
    return start[..<end]
  }
}
