import ArgumentParser
import Foundation
import GS1

/// Options every command shares.
struct OutputOptions: ParsableArguments {
  @Flag(name: .long, help: "Print one JSON object per result instead of text, for scripts.")
  var json = false
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
  /// characters made visible.
  static func printError(_ message: String) {
    FileHandle.standardError.write(Data(("ocop: " + terminalSafe(message) + "\n").utf8))
  }

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
