import ArgumentParser
import Foundation
import GS1

/// `ocop link`: make and read GS1 Digital Link trace URLs.
struct LinkCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "link",
    abstract: "Make and read GS1 Digital Link trace URLs, the text inside a label's QR code.",
    subcommands: [Make.self, Parse.self]
  )

  /// `ocop link make`.
  struct Make: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "make",
      abstract: "Make the trace URL for a product, a lot or a single numbered item.",
      discussion: """
        The URL is the resolver's address, then the GTIN, then the lot and serial \
        number, then data such as the expiry date. Dates are YYYY-MM-DD or GS1's YYMMDD; \
        day 00 (YYMM00) means the end of the month.
        """
    )
    static let examples = [
      "ocop link make --base https://truyxuat.angiang.gov.vn --gtin 8931234567897 --lot DT-2026-01 --expiry 2027-06-30",
      "ocop link make --gtin 8931234567897 --lot A1 --serial 1001 --net-weight 0.500",
      "ocop link make --elements '(01)08931234567897(10)A1(17)270630'",
    ]

    @Option(help: "The resolver address the URL starts with.")
    var base = "https://id.gs1.org"

    @Option(help: "The product's GTIN (8, 12, 13 or 14 digits).")
    var gtin: String?

    @Option(help: "The lot (batch) code, AI 10: up to 20 characters.")
    var lot: String?

    @Option(help: "The serial number of one item, AI 21: up to 20 characters.")
    var serial: String?

    @Option(name: .customLong("cpv"), help: "The consumer product variant, AI 22.")
    var consumerProductVariant: String?

    @Option(name: .customLong("production-date"), help: "Production date (NSX), AI 11.")
    var productionDate: String?

    @Option(name: .customLong("packaging-date"), help: "Packaging date, AI 13.")
    var packagingDate: String?

    @Option(name: .customLong("best-before"), help: "Best before date, AI 15.")
    var bestBefore: String?

    @Option(help: "Expiry date (HSD), AI 17.")
    var expiry: String?

    @Option(
      name: .customLong("net-weight"),
      help: "Net weight in kilograms, such as 0.500 (AI 3100–3105 by the decimals given).")
    var netWeight: String?

    @Option(
      name: .customLong("ai"),
      help: ArgumentHelp(
        "Any other GS1 data attribute, AI=VALUE; may be repeated.", valueName: "ai=value"))
    var extraAttributes: [String] = []

    @Option(
      name: .customLong("param"),
      help: ArgumentHelp(
        "A non-GS1 query parameter, NAME=VALUE; may be repeated.", valueName: "name=value"))
    var parameters: [String] = []

    @Option(help: "All GS1 data as an element string, instead of --gtin and the rest.")
    var elements: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
      if (gtin == nil) == (elements == nil) {
        throw ValidationError("give either --gtin or --elements")
      }
    }

    func run() async throws {
      do throws(GS1Error) {
        let link = try makeLink()
        if output.json {
          Output.printJSON(LinkReport(link))
        } else {
          print(link.uri)
        }
      } catch {
        Output.printError(error.description)
        if output.json { Output.printJSON(LinkReport(input: gtin ?? elements ?? "", error: error)) }
        throw ExitCode(1)
      }
    }

    private func makeLink() throws(GS1Error) -> DigitalLink {
      let base = try DigitalLink.Base(self.base)
      let parameters = try self.parameters.map { text throws(GS1Error) in
        let (name, value) = try Self.split(text, what: "--param")
        return DigitalLink.Parameter(name: name, value: value)
      }
      if let elements {
        return try DigitalLink(
          base: base, elements: ElementString(parsing: elements).elements, parameters: parameters)
      }
      var attributes: [AIElement] = []
      let dates = [
        ("11", productionDate), ("13", packagingDate), ("15", bestBefore), ("17", expiry),
      ]
      for (ai, text) in dates {
        if let text { attributes.append(AIElement(ai: ai, value: try Self.yymmdd(text, ai: ai))) }
      }
      if let netWeight { attributes.append(try Self.netWeight(netWeight)) }
      for text in extraAttributes {
        let (ai, value) = try Self.split(text, what: "--ai")
        attributes.append(AIElement(ai: ai, value: value))
      }
      return try DigitalLink(
        base: base, gtin: GTIN(gtin ?? ""), consumerProductVariant: consumerProductVariant,
        lot: lot, serial: serial, attributes: attributes, parameters: parameters)
    }

    static func split(_ text: String, what: String) throws(GS1Error) -> (String, String) {
      guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
        throw GS1Error(what, text, .syntax("must be written NAME=VALUE"))
      }
      return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    /// Accepts `YYYY-MM-DD` or GS1's own `YYMMDD`.
    static func yymmdd(_ text: String, ai: String) throws(GS1Error) -> String {
      if text.contains("-") { return try GS1Date(iso: text).yymmdd }
      return text
    }

    /// Writes a weight in kilograms as AI 310n, n being the number of decimals.
    static func netWeight(_ text: String) throws(GS1Error) -> AIElement {
      let parts = text.split(separator: ".", omittingEmptySubsequences: false)
      let whole = parts[0]
      let decimals = parts.count > 1 ? parts[1] : ""
      let digits = String(whole + decimals)
      guard parts.count <= 2, !digits.isEmpty, digits.allSatisfy(\.isASCII),
        digits.allSatisfy(\.isNumber), decimals.count <= 5, digits.count <= 6
      else {
        throw GS1Error(
          "net weight", text,
          .content("must be kilograms with at most 6 digits and 5 decimals, such as 0.500"))
      }
      let padded = String(repeating: "0", count: 6 - digits.count) + digits
      return AIElement(ai: "310\(decimals.count)", value: padded)
    }
  }

  /// `ocop link parse`.
  struct Parse: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "parse",
      abstract: "Read trace URLs and show the GS1 data they carry, or why they are invalid.",
      discussion: """
        Give URLs as arguments, or none to read one per line from standard input (as a \
        handheld scanner types them). Each URL is checked against every GS1 Digital \
        Link rule, read as GS1's own engine reads it; the exit status is 1 if any is \
        rejected. A scanner's GS1 element data is read too: after a symbology identifier \
        (]Q3, ]d2, ]C1, ]e0, ]J1) or not, with FNC1 as GS or the character --fnc1 names, \
        or bracketed; it is shown with the Digital Link it stands for, under --base. \
        --alphas and --zero-suppressed read what GS1's engine reads only when asked: \
        /gtin/-style words for AIs, and GTIN-8, -12 or -13 as AI (01).
        """
    )
    static let examples = [
      "ocop link parse 'https://id.gs1.org/01/08931234567897/10/A1?17=270630'",
      "ocop link parse '(01)08931234567897(10)A1(17)270630'",
      "ocop link parse --fnc1 '^' ']Q3010893123456789710A1^17270630'",
    ]

    @Argument(help: "The URLs (or element data) to read; none to read standard input.")
    var uris: [String] = []
    @Option(
      help: ArgumentHelp(
        "The character the scanner sends for FNC1 (default: GS, 0x1D).", valueName: "character"))
    var fnc1: String?
    @Option(
      help: ArgumentHelp(
        "The base of the Digital Link that element data is shown as.", valueName: "url"))
    var base = "https://id.gs1.org"
    @Flag(help: "Read convenience words such as /gtin/ in place of AIs.") var alphas = false
    @Flag(help: "Read a GTIN-8, -12 or -13 as AI (01).") var zeroSuppressed = false

    @OptionGroup var output: OutputOptions

    func run() async throws {
      var rejected = 0
      var inputs = uris
      if inputs.isEmpty {
        while let line = readLine() {
          let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
          if !trimmed.isEmpty { inputs.append(trimmed) }
        }
      }
      let separator = try fnc1Separator(fnc1)
      let options = DigitalLink.ReadOptions(
        convenienceAlphas: alphas, zeroSuppressedGTINs: zeroSuppressed)
      let elementBase: DigitalLink.Base
      do { elementBase = try DigitalLink.Base(base) } catch {
        Output.printError(error.description)
        throw ExitCode(1)
      }
      for (index, text) in inputs.enumerated() {
        do throws(GS1Error) {
          var link: DigitalLink
          var carrier: String?
          switch try ScannedCode(reading: text, separator: separator, options: options) {
          case .link(let read):
            link = read
          case .elements(let elements, let symbology):
            link = try DigitalLink(base: elementBase, elements: elements.elements)
            carrier = symbology.map { "element data after \($0)" } ?? "element data"
          }
          if output.json {
            var report = LinkReport(link)
            report.input = text
            report.readAs = carrier ?? "digital link"
            Output.printJSON(report)
          } else {
            if index > 0 { print("") }
            if let carrier { print("read as GS1 \(carrier); as a Digital Link:") }
            print(Self.describe(link))
          }
        } catch {
          rejected += 1
          Output.printError(error.description)
          if output.json { Output.printJSON(LinkReport(input: text, error: error)) }
        }
      }
      if rejected > 0 { throw ExitCode(1) }
    }

    static func describe(_ link: DigitalLink) -> String {
      var lines = [link.uri, "  base            \(link.base)"]
      let year = Calendar(identifier: .gregorian).component(.year, from: Date())
      for element in link.elements {
        let title = SyntaxDictionary.gs1.definition(for: element.ai)?.title ?? ""
        var shown = element.value
        if let date = try? GS1Date(yymmdd: element.value, referenceYear: year),
          ["11", "12", "13", "15", "16", "17"].contains(element.ai)
        {
          shown += "  (\(date.dayMonthYear))"
        } else if let measure = element.measure {
          shown += "  (\(measure))"
        }
        lines.append("  " + Output.pad("(\(element.ai)) \(title)", 26) + shown)
      }
      for parameter in link.parameters {
        lines.append("  " + Output.pad("?\(parameter.name)", 26) + parameter.value)
      }
      lines.append("  element string  \(link.elementString)")
      return lines.joined(separator: "\n")
    }
  }
}

/// A Digital Link as JSON: its parts, GS1 titles and element string.
struct LinkReport: Encodable {
  struct Parameter: Encodable {
    var name: String
    var value: String
  }

  struct Element: Encodable {
    var ai: String
    var title: String
    var value: String
  }

  var input: String
  var valid: Bool
  /// How the input was read: a Digital Link, or element data (after which identifier).
  var readAs: String?
  var uri: String?
  var base: String?
  var primaryKey: Element?
  var qualifiers: [Element]?
  var attributes: [Element]?
  var parameters: [Parameter]?
  var elementString: String?
  var error: RejectionReport?

  init(_ link: DigitalLink) {
    func element(_ element: AIElement) -> Element {
      Element(
        ai: element.ai, title: SyntaxDictionary.gs1.definition(for: element.ai)?.title ?? "",
        value: element.value)
    }
    input = link.uri
    valid = true
    uri = link.uri
    base = link.base.description
    primaryKey = element(link.primaryKey)
    qualifiers = link.qualifiers.map(element)
    attributes = link.attributes.map(element)
    parameters = link.parameters.map { Parameter(name: $0.name, value: $0.value) }
    elementString = link.elementString.description
  }

  init(input: String, error: GS1Error) {
    self.input = input
    valid = false
    self.error = RejectionReport(error)
  }
}
