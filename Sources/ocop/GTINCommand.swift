import ArgumentParser
import GS1

/// `ocop gtin`: check and allocate Global Trade Item Numbers.
struct GTINCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gtin",
    abstract: "Check GTINs and allocate new ones from your GS1 company prefix.",
    subcommands: [Check.self, Allocate.self]
  )

  /// `ocop gtin check`.
  struct Check: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "check",
      abstract: "Check the check digit of one or more GTINs.",
      discussion: """
        Accepts GTIN-8, GTIN-12, GTIN-13 and GTIN-14 and prints each in the 14-digit form \
        that trace links use. A wrong check digit is reported with the digit it should be.
        """
    )
    static let examples = [
      "ocop gtin check 8931234567897 08931234567892"
    ]

    @Argument(help: "The GTINs to check (8, 12, 13 or 14 digits).")
    var gtins: [String]

    @OptionGroup var output: OutputOptions

    func run() async throws {
      var rejected = 0
      for text in gtins {
        do throws(GS1Error) {
          let gtin = try GTIN(text)
          if output.json {
            Output.printJSON(GTINReport(input: text, gtin: gtin))
          } else {
            let origin = gtin.isVietnamese ? "  GS1 Vietnam (893)" : ""
            print(
              "\(gtin.digits)  valid  GTIN-\(gtin.shortestForm.count) \(gtin.shortestForm)\(origin)"
            )
          }
        } catch {
          rejected += 1
          Output.printError(error.description)
          if output.json { Output.printJSON(GTINReport(input: text, error: error)) }
        }
      }
      if rejected > 0 { throw ExitCode(1) }
    }
  }

  /// `ocop gtin allocate`.
  struct Allocate: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "allocate",
      abstract: "Make the GTIN-13 for an item number under your GS1 company prefix.",
      discussion: """
        GS1 Vietnam gives each member a company prefix that starts 893. Together with \
        your own item number it makes the 12 digits before the check digit, so a \
        7-digit prefix leaves 5 digits for items (00000–99999). Item numbers shorter \
        than that are padded with zeros; longer ones are refused.
        """
    )
    static let examples = [
      "ocop gtin allocate --prefix 8931234 --item 56789",
      "ocop gtin allocate --prefix 8931234 --item 1 --count 5",
    ]

    @Option(help: "Your GS1 company prefix (4 to 12 digits; Vietnam's start 893).")
    var prefix: String

    @Option(help: "The item number to allocate (the first one, with --count).")
    var item: String

    @Option(help: "How many consecutive item numbers to allocate.")
    var count = 1

    @OptionGroup var output: OutputOptions

    func validate() throws {
      guard (1...100_000).contains(count) else {
        throw ValidationError("--count must be from 1 to 100000")
      }
    }

    func run() async throws {
      do throws(GS1Error) {
        var itemNumber = item
        for index in 0..<count {
          if index > 0 { itemNumber = try Self.successor(of: itemNumber) }
          let gtin = try GTIN.allocate(companyPrefix: prefix, itemReference: itemNumber)
          if output.json {
            Output.printJSON(
              GTINReport(input: itemNumber, gtin: gtin, companyPrefix: prefix))
          } else {
            print("\(gtin.gtin13 ?? gtin.digits)  item \(itemNumber)  (GTIN-14 \(gtin.digits))")
          }
        }
      } catch {
        Output.printError(error.description)
        if output.json { Output.printJSON(GTINReport(input: item, error: error)) }
        throw ExitCode(1)
      }
    }

    /// The next item number, keeping its width (`0099` → `0100`).
    static func successor(of item: String) throws(GS1Error) -> String {
      var digits = Array(item.utf8)
      var index = digits.count - 1
      while index >= 0 {
        if digits[index] == UInt8(ascii: "9") {
          digits[index] = UInt8(ascii: "0")
          index -= 1
        } else {
          digits[index] += 1
          return String(decoding: digits, as: UTF8.self)
        }
      }
      return "1" + String(decoding: digits, as: UTF8.self)
    }
  }
}

/// A GTIN result as JSON.
struct GTINReport: Encodable {
  var input: String
  var valid: Bool
  var gtin14: String?
  var gtin13: String?
  var companyPrefix: String?
  var vietnamese: Bool?
  var error: RejectionReport?

  init(input: String, gtin: GTIN, companyPrefix: String? = nil) {
    self.input = input
    valid = true
    gtin14 = gtin.digits
    gtin13 = gtin.gtin13
    self.companyPrefix = companyPrefix
    vietnamese = gtin.isVietnamese
  }

  init(input: String, error: GS1Error) {
    self.input = input
    valid = false
    self.error = RejectionReport(error)
  }
}
