import ArgumentParser
import Foundation
import GS1
import Traceability

/// Options every command shares.
struct OutputOptions: ParsableArguments {
  @Flag(name: .long, help: "Print one JSON object per result instead of text, for scripts.")
  var json = false
}

/// What a command says it did: a line of text, or under `--json` one JSON object a line.
struct Statement {
  let json: Bool

  func say(_ text: String, _ fields: CanonicalMembers) {
    if json { printRecord(.object(fields)) } else { print(text) }
  }
}

/// Writes results to standard output and reasons to standard error.
enum Output {
  /// Prints `value` as one line of JSON with sorted keys.
  static func printJSON<Value: Encodable>(_ value: Value) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    do {
      // JSON escapes control characters itself, and its strings must stay as they are.
      Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    } catch {
      printError("could not encode the result as JSON: \(error)")
    }
  }

  /// Prints `message` to standard error, prefixed with the command name, with its control
  /// characters made visible; on a terminal the prefix is red (yellow for a warning).
  static func printError(_ message: String) {
    writeError("ocop: " + terminalSafe(message))
  }

  /// Whether the command line asks for JSON (`--json`): errors are then also written as a
  /// JSON object on standard output, `{"error":"…","status":1}`, after any results.
  static let jsonRequested = CommandLine.arguments.dropFirst().contains("--json")

  /// Reports why a command failed with `status`: on standard error, and as a JSON object
  /// on standard output under `--json`.
  static func reportFailure(_ message: String, status: Int32 = 1) {
    printError(message)
    if jsonRequested {
      printRecord(.object(["error": .string(message), "status": .integer(Int64(status))]))
    }
  }

  /// Writes `text`, which starts with `ocop:`, and a newline to standard error, colouring
  /// the prefix on a terminal.
  static func writeError(_ text: String) {
    var text = text
    if colourOnStandardError, text.hasPrefix("ocop: ") {
      let rest = text.dropFirst("ocop: ".count)
      if rest.hasPrefix("warning:") {
        text = "ocop: " + paint("warning:", .yellow) + rest.dropFirst("warning:".count)
      } else {
        text = paint("ocop:", .red) + " " + rest
      }
    }
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  /// The colours ocop uses: red for what is refused, yellow for what needs a look, green for
  /// what passed.
  enum Colour: String {
    case red = "31"
    case yellow = "33"
    case green = "32"
  }

  /// `text` in `colour` (and bold), for a terminal.
  static func paint(_ text: some StringProtocol, _ colour: Colour) -> String {
    "\u{1B}[1;\(colour.rawValue)m" + text + "\u{1B}[0m"
  }

  /// Whether colour is wanted at all: not when NO_COLOR is set to anything (no-color.org)
  /// or the terminal is dumb.
  static let colourWanted: Bool = {
    let environment = ProcessInfo.processInfo.environment
    return (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
  }()

  /// A verdict as `ocop verify` prints it: in capitals, padded to one column, and on a
  /// terminal green when valid, yellow when the record is sound but out of date, red else.
  static func verdict(_ verdict: Verdict) -> String {
    let word = verdict.words.uppercased()
    let padded = pad(word, 34)
    guard colourOnStandardOutput else { return padded }
    let colour: Colour =
      switch verdict {
      case .valid: .green
      case .expired, .ratingLapsed, .duplicate, .unsigned: .yellow
      default: .red
      }
    return paint(word, colour) + String(padded.dropFirst(word.count))
  }

  /// Whether standard output and standard error are terminals that colour is written to.
  static let colourOnStandardOutput = colourWanted && isatty(STDOUT_FILENO) == 1
  static let colourOnStandardError = colourWanted && isatty(STDERR_FILENO) == 1

  /// A note on what a command rests on (a trust list's age, a bundle's), on standard
  /// error, so that standard output stays one line per scan.
  static func printNote(_ message: String) {
    FileHandle.standardError.write(Data((terminalSafe(message) + "\n").utf8))
  }

  /// `text` with every character that could move a terminal's cursor, change its
  /// state or reorder what it shows written out as `\u{…}`: C0 controls but tab and
  /// newline, DEL, C1 controls, and the bidirectional overrides and isolates. Scanned codes
  /// and spreadsheet cells are shown as they are, and cannot redraw a line to read VALID.
  static func terminalSafe(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
    var safe = ""
    safe.reserveCapacity(text.utf8.count + 8)
    for scalar in text.unicodeScalars {
      if isUnsafe(scalar) {
        safe += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
      } else {
        safe.unicodeScalars.append(scalar)
      }
    }
    return safe
  }

  private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x09, 0x0A: false
    case 0x00...0x1F, 0x7F...0x9F: true
    case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
    default: false
    }
  }

  /// `text` cut to `width` characters, with an ellipsis when cut.
  static func clip(_ text: String, _ width: Int) -> String {
    text.count <= width ? text : String(text.prefix(width - 1)) + "…"
  }

  /// Pads `text` on the right to `width` characters (counting characters, not bytes).
  static func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }
}

/// A rejected input, reported as JSON: what was wrong and which rule it broke.
struct RejectionReport: Encodable {
  let subject: String
  let value: String
  let message: String

  init(_ error: GS1Error) {
    subject = error.subject
    value = error.value
    message = error.description
  }
}

/// Every line a command prints for people goes through here (it stands in for Swift's
/// `print` in this module), so control characters in what was scanned or typed never reach
/// the terminal raw. JSON goes out through `Swift.print`, already escaped.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
  let text = items.map { "\($0)" }.joined(separator: separator)
  Swift.print(Output.terminalSafe(text), terminator: terminator)
}
