import Foundation
import TestSupport
import Testing

/// What `ocop --help`, `--version` and a mistyped command say.
@Suite("Help, version and errors")
struct HelpTests {
  /// Every command path, from `ocop --help` down.
  static func commands(_ path: [String] = []) throws -> [[String]] {
    let help = try CommandRunner.run(path + ["--help"])
    #expect(help.status == 0, "\(path): \(help.stderr)")
    guard path.count < 4, let section = help.stdout.range(of: "SUBCOMMANDS:\n") else {
      return [path]
    }
    var found = [path]
    // The section's lines, to the blank line after them: "  name   what it does".
    for line in help.stdout[section.upperBound...].split(
      separator: "\n", omittingEmptySubsequences: false)
    {
      if line.isEmpty { break }
      // A name starts its line after two spaces; a wrapped description is indented more.
      guard line.hasPrefix("  "), line.dropFirst(2).first?.isLowercase == true,
        let name = line.split(separator: " ").first.map(String.init), name != "help",
        name.allSatisfy({ $0.isLowercase || $0 == "-" })
      else { continue }
      let result = try CommandRunner.run(path + [name, "--help"])
      #expect(result.status == 0, "\(path + [name]): \(result.stderr)")
      guard result.status == 0 else { continue }
      found += try commands(path + [name])
    }
    return found
  }

  /// The words of a shell command line: quotes (single and double) kept together, an input
  /// redirection dropped.
  static func words(_ line: String) -> [String] {
    var words: [String] = []
    var word = ""
    var quote: Character?
    var inWord = false
    for character in line {
      if let open = quote {
        if character == open { quote = nil } else { word.append(character) }
      } else if character == "'" || character == "\"" {
        quote = character
        inWord = true
      } else if character == " " {
        if inWord { words.append(word) }
        word = ""
        inWord = false
      } else {
        word.append(character)
        inWord = true
      }
    }
    if inWord { words.append(word) }
    if let redirect = words.firstIndex(of: "<") { words.removeSubrange(redirect...) }
    return words
  }

  /// Each command's examples come last in its help, one line each however narrow the
  /// screen, and each is a command line `ocop` accepts.
  @Test func everyExampleIsOneLineThatParses() throws {
    var examples = 0
    for path in try Self.commands() {
      let help = try CommandRunner.run(path + ["--help"], environment: ["COLUMNS": "60"])
      // Every command that does something speaks JSON for scripts.
      if !help.stdout.contains("SUBCOMMANDS:") {
        #expect(help.stdout.contains("--json"), "\(path) has no --json")
      }
      guard let section = help.stdout.range(of: "\nEXAMPLES:\n") else { continue }
      let lines = help.stdout[section.upperBound...].split(separator: "\n").map(String.init)
      #expect(!lines.isEmpty, "\(path)")
      for line in lines {
        #expect(line.hasPrefix("  ocop " + path.joined(separator: " ")), "\(path): \(line)")
        let arguments = Array(Self.words(line).dropFirst())
        let parsed = try CommandRunner.run(arguments, environment: ["OCOP_PARSE_ONLY": "1"])
        #expect(parsed.status == 0, "\(line): \(parsed.stderr)")
        examples += 1
      }
    }
    #expect(examples >= 30)
  }

  /// Under --json, a refusal is also a JSON object on standard output.
  @Test func anErrorUnderJSONIsAJSONObject() throws {
    let store = try WorkflowTests.workspace()
    let refused = try CommandRunner.run(["keys", "revoke", "NOPE", "--json", "--store", store])
    #expect(refused.status == 1)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)) as? [String: Any])
    #expect((object["error"] as? String)?.hasPrefix("issuer NOPE is not in the trust list") == true)
    #expect(object["status"] as? Int == 1)
    let wrong = try CommandRunner.run(["batch", "show", "--json"])
    #expect(wrong.status == 64)
    #expect(wrong.stdout.contains(#""status":64"#), "\(wrong.stdout)")
  }

  /// Colour on a terminal (a pseudo-terminal made by `script`), none with NO_COLOR; and
  /// the completion script is written for each shell.
  @Test func colourOnATerminalUnlessNoColorAndCompletionScripts() throws {
    func onATerminal(_ environment: [String]) throws -> String {
      let result = try Subprocess.run(
        ["/usr/bin/env"] + environment + [
          "script", "-qec", CommandRunner.executable.path + " veify", "/dev/null",
        ])
      return String(decoding: result.stdout + result.stderr, as: UTF8.self)
    }
    let coloured = try onATerminal(["-u", "NO_COLOR", "TERM=xterm"])
    #expect(coloured.contains("\u{1B}[1;31mocop:\u{1B}[0m"), "\(coloured.debugDescription)")
    let plain = try onATerminal(["TERM=xterm", "NO_COLOR=1"])
    #expect(plain.contains("ocop: Unexpected argument") && !plain.contains("\u{1B}["))
    for shell in ["bash", "zsh", "fish"] {
      let script = try CommandRunner.run(["--generate-completion-script", shell])
      #expect(script.status == 0 && script.stdout.contains("verify"), "\(shell)")
    }
  }

  @Test func theVersionIsPrinted() throws {
    let version = try CommandRunner.run(["--version"])
    #expect(version.status == 0)
    #expect(version.stdout.hasPrefix("ocop-trace "), "\(version.stdout)")
  }

  /// An error from the command line starts with `ocop:`, as every other error does, and a
  /// mistyped subcommand gets the nearest one.
  @Test func aMistypedSubcommandGetsASuggestion() throws {
    let top = try CommandRunner.run(["veify"])
    #expect(top.status == 64)
    #expect(
      top.stderr.hasPrefix(
        "ocop: Unexpected argument 'veify'\n  did you mean 'ocop verify'?\nUsage:"),
      "\(top.stderr)")
    let nested = try CommandRunner.run(["batch", "isue"])
    #expect(nested.stderr.contains("did you mean 'ocop batch issue'?"), "\(nested.stderr)")
    let far = try CommandRunner.run(["xyzzy"])
    #expect(far.status == 64)
    #expect(!far.stderr.contains("did you mean"), "\(far.stderr)")
    // Errors are plain when written to a pipe, whatever the terminal.
    #expect(!top.stderr.contains("\u{1B}["))
  }
}
