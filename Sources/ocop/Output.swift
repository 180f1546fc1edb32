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
      print(String(decoding: try encoder.encode(value), as: UTF8.self))
    } catch {
      printError("could not encode the result as JSON: \(error)")
    }
  }

  /// Prints `message` to standard error, prefixed with the command name.
  static func printError(_ message: String) {
    FileHandle.standardError.write(Data(("ocop: " + message + "\n").utf8))
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
