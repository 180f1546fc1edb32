import ArgumentParser
import Foundation
import GS1
import Traceability

/// `ocop dictionary`: GS1's syntax dictionary that ocop ships, and what a newer one changes.
struct DictionaryCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dictionary",
    abstract:
      "GS1's syntax dictionary that ocop reads every AI from, and what a newer one changes.",
    subcommands: [Show.self, Diff.self])

  struct Show: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: "Show how the shipped dictionary defines AIs.")
    static let examples = ["ocop dictionary show 01 10 8030"]
    @Argument(help: "The AIs (all when none is given).") var ais: [String] = []
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        let dictionary = SyntaxDictionary.gs1
        if !output.json {
          print("GS1 syntax dictionary, release \(SyntaxDictionary.release ?? "unknown")")
        }
        let wanted =
          ais.isEmpty
          ? dictionary.definitions.keys.sorted { ($0.count, $0) < ($1.count, $1) } : ais
        for ai in wanted {
          let definition = try dictionary.require(ai)
          Statement(json: output.json).say(describe(definition), json(definition))
        }
      }
    }
  }

  struct Diff: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "diff",
      abstract: "List what a newer dictionary file adds, removes and changes.",
      discussion: """
        Compares the dictionary ocop ships with FILE (GS1 publishes new releases as \
        gs1-syntax-dictionary.txt) and lists the AIs FILE adds, removes and defines \
        differently, with the fields that differ. Exit status 0 when they define the same \
        AIs the same way, 1 when they differ (as diff does).
        """)
    static let examples = [
      "ocop dictionary diff gs1-syntax-dictionary.txt"
    ]
    @Argument(help: "The newer dictionary file.") var file: String
    @OptionGroup var output: OutputOptions

    func run() async throws {
      var differs = false
      try await runReporting {
        let text = String(decoding: try readFile(file), as: UTF8.self)
        let newer: SyntaxDictionary
        do { newer = try SyntaxDictionary(parsing: text) } catch {
          throw CLIError("\(file) is not a GS1 syntax dictionary: \(error)")
        }
        let shipped = SyntaxDictionary.gs1
        let changes = shipped.changes(to: newer)
        differs = !changes.isEmpty
        if output.json {
          printRecord(
            .object([
              "shipped": .string(SyntaxDictionary.release ?? "unknown"),
              "file": .string(file),
              "release": .string(SyntaxDictionary.release(of: text) ?? "unknown"),
              "added": .array(changes.added.map { .object(json($0)) }),
              "removed": .array(changes.removed.map { .object(json($0)) }),
              "changed": .array(
                changes.changed.map {
                  .object([
                    "ai": .string($0.after.ai),
                    "fields": .array($0.fields.map(CanonicalJSON.string)),
                    "before": .string(format($0.before)), "after": .string(format($0.after)),
                  ])
                }),
            ]))
          return
        }
        print(
          "shipped: release \(SyntaxDictionary.release ?? "unknown"), \(shipped.definitions.count) AIs"
        )
        print(
          "\(file): release \(SyntaxDictionary.release(of: text) ?? "unknown"), \(newer.definitions.count) AIs"
        )
        if changes.isEmpty {
          print("no change: both define the same AIs the same way")
          return
        }
        if !changes.added.isEmpty {
          print("added (\(changes.added.count)):")
          for definition in changes.added { print(describe(definition)) }
        }
        if !changes.removed.isEmpty {
          print("removed (\(changes.removed.count)):")
          for definition in changes.removed { print(describe(definition)) }
        }
        if !changes.changed.isEmpty {
          print("changed (\(changes.changed.count)):")
          for change in changes.changed {
            print(describe(change.after) + "  — " + change.fields.joined(separator: ", "))
            print("      was " + format(change.before))
          }
        }
      }
      if differs { throw ExitCode(1) }
    }
  }
}

/// An AI's definition on one line: AI, title, format, flags.
private func describe(_ definition: AIDefinition) -> String {
  "  " + Output.pad("(\(definition.ai))", 8) + Output.pad(definition.title, 28) + format(definition)
}

/// An AI's format as the dictionary writes it (`N14`, `X..20`, `[N..2]`), with `*` for a
/// predefined length, `?` for a Digital Link data attribute, and its rules.
private func format(_ definition: AIDefinition) -> String {
  var parts = definition.components.map { component -> String in
    let length =
      component.isFixedLength ? "\(component.maxLength)" : "..\(component.maxLength)"
    let text = component.characterSet.rawValue + length
    return component.isOptional ? "[\(text)]" : text
  }
  var flags = ""
  if definition.hasPredefinedLength { flags += "*" }
  if definition.isDataAttribute { flags += "?" }
  if !flags.isEmpty { parts.append(flags) }
  if let sequences = definition.qualifierSequences {
    parts.append(
      "key"
        + (sequences == [[]]
          ? "" : " (" + sequences.map { $0.joined(separator: ",") }.joined(separator: " | ") + ")"))
  }
  if !definition.requirements.isEmpty {
    parts.append(
      "req="
        + definition.requirements.map {
          $0.map { $0.joined(separator: "+") }.joined(separator: ",")
        }
        .joined(separator: " "))
  }
  if !definition.exclusions.isEmpty {
    parts.append("ex=" + definition.exclusions.joined(separator: ","))
  }
  return parts.joined(separator: " ")
}

/// An AI's definition as JSON: its AI, title and format as the dictionary writes it.
private func json(_ definition: AIDefinition) -> CanonicalMembers {
  [
    "ai": .string(definition.ai), "title": .string(definition.title),
    "format": .string(format(definition)),
  ]
}
