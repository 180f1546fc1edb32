import ArgumentParser
import Foundation
import Traceability

/// A command whose help ends with examples, each one line that works when pasted.
protocol HelpExamples {
  static var examples: [String] { get }
}

/// Runs `ocop`: parses the command line, runs the command, and writes what argument
/// parsing says in ocop's own way. Help ends with the command's examples, written after
/// the wrapped text so that no example is ever broken across lines; errors start with
/// `ocop:` as every other error does, and a mistyped subcommand gets a suggestion.
@main
enum Entry {
  static func main() async {
    let arguments = Array(CommandLine.arguments.dropFirst())
    do {
      var command = try Ocop.parseAsRoot(arguments)
      // A command line checked, not run: for scripts and the tests of the examples.
      if ProcessInfo.processInfo.environment["OCOP_PARSE_ONLY"] == "1" {
        print("ocop: the command line is sound (\(type(of: command)._commandName))")
        return
      }
      if var asynchronous = command as? any AsyncParsableCommand {
        try await asynchronous.run()
      } else {
        try command.run()
      }
    } catch {
      exit(with: error, arguments: arguments)
    }
  }

  static func exit(with error: any Error, arguments: [String]) -> Never {
    let code = Ocop.exitCode(for: error)
    let message = Ocop.fullMessage(for: error)
    if code == .success {
      // Help, or the version.
      var text = message
      while text.hasSuffix("\n") { text.removeLast() }
      let command = Self.command(named: arguments)
      if message.contains("USAGE:"),
        let examples = (command.type as? any HelpExamples.Type)?.examples
      {
        text += "\n\nEXAMPLES:\n" + examples.map { "  " + $0 }.joined(separator: "\n")
      }
      print(text)
      Foundation.exit(code.rawValue)
    }
    if !message.isEmpty {
      var text = message
      if text.hasPrefix("Error: ") { text = "ocop: " + text.dropFirst("Error: ".count) }
      if let suggestion = suggestion(for: message, arguments: arguments) {
        // Under the first line, which says what was not understood.
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.insert(suggestion, at: 1)
        text = lines.joined(separator: "\n")
      }
      Output.writeError(text.hasSuffix("\n") ? String(text.dropLast()) : text)
      if Output.jsonRequested {
        let first = text.split(separator: "\n").first.map(String.init) ?? text
        printRecord(
          .object([
            "error": .string(String(first.dropFirst(first.hasPrefix("ocop: ") ? 6 : 0))),
            "status": .integer(Int64(code.rawValue)),
          ]))
      }
    }
    Foundation.exit(code.rawValue)
  }

  /// The deepest command `arguments` name, and the arguments after it: `ocop batch issue
  /// --help` and `ocop help batch issue` both name `batch issue`.
  static func command(named arguments: [String]) -> (type: any ParsableCommand.Type, rest: [String])
  {
    var type: any ParsableCommand.Type = Ocop.self
    var rest = arguments[...]
    if rest.first == "help" { rest = rest.dropFirst() }
    while let word = rest.first,
      let next = type.configuration.subcommands.first(where: { $0._commandName == word })
    {
      type = next
      rest = rest.dropFirst()
    }
    return (type, Array(rest))
  }

  /// "did you mean …?" when `message` says an argument in a subcommand's place was not
  /// expected and a subcommand is spelt nearly so.
  static func suggestion(for message: String, arguments: [String]) -> String? {
    let found = command(named: arguments)
    var names: [String] = []
    for subcommand in found.type.configuration.subcommands {
      names.append(subcommand._commandName)
    }
    guard let word = found.rest.first, !names.isEmpty,
      message.contains("Unexpected argument '\(word)'")
    else { return nil }
    var best: (name: String, distance: Int)?
    for name in names {
      let distance = distance(name, word)
      if distance <= max(1, word.count / 3), distance < (best?.distance ?? Int.max) {
        best = (name, distance)
      }
    }
    guard let best else { return nil }
    let path = ["ocop"] + arguments.prefix(arguments.count - found.rest.count)
    return "  did you mean '\((path + [best.name]).joined(separator: " "))'?"
  }

  /// The edit distance between `a` and `b` (insertions, deletions, substitutions).
  static func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    var row = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
      var previous = row[0]
      row[0] = i
      for j in stride(from: 1, through: b.count, by: 1) {
        let kept = row[j]
        row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
        previous = kept
      }
    }
    return a.isEmpty ? b.count : row[b.count]
  }
}
