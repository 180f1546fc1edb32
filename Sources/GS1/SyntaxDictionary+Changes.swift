/// What changed between two releases of GS1's syntax dictionary: GS1 assigns new AIs and
/// revises old ones every year, and a toolkit that reads every rule from the file should
/// say what a newer file would change before it ships it.
extension SyntaxDictionary {
  /// The differences from this dictionary to `newer`.
  public struct Changes: Sendable, Equatable {
    /// AIs only `newer` defines, in order.
    public let added: [AIDefinition]
    /// AIs only this dictionary defines, in order.
    public let removed: [AIDefinition]
    /// AIs both define differently, in order, with the fields that differ.
    public let changed: [Change]

    /// Whether the two dictionaries define the same AIs the same way.
    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }
  }

  /// One AI defined differently.
  public struct Change: Sendable, Equatable {
    /// The definition here.
    public let before: AIDefinition
    /// The definition in the newer dictionary.
    public let after: AIDefinition
    /// What differs: `title`, `format`, `predefined length`, `data attribute`,
    /// `qualifiers`, `requires`, `excludes`.
    public let fields: [String]
  }

  /// The release date a dictionary file states (`# Release: 2026-01-27`), if it does.
  public static func release(of text: String) -> String? {
    for line in text.split(separator: "\n").prefix(40) {
      if let range = line.range(of: "Release:") {
        return line[range.upperBound...].trimmingCharacters(in: .whitespaces)
      }
    }
    return nil
  }

  /// The release of the dictionary compiled into this module.
  public static var release: String? {
    release(of: String(decoding: embeddedText, as: UTF8.self))
  }

  /// What `newer` adds, removes and changes.
  public func changes(to newer: SyntaxDictionary) -> Changes {
    func ordered(_ keys: some Sequence<String>) -> [String] {
      keys.sorted { ($0.count, $0) < ($1.count, $1) }
    }
    let mine = Set(definitions.keys)
    let theirs = Set(newer.definitions.keys)
    var changed: [Change] = []
    for ai in ordered(mine.intersection(theirs)) {
      guard let before = definitions[ai], let after = newer.definitions[ai], before != after
      else { continue }
      var fields: [String] = []
      if before.title != after.title { fields.append("title") }
      if before.components != after.components { fields.append("format") }
      if before.hasPredefinedLength != after.hasPredefinedLength {
        fields.append("predefined length")
      }
      if before.isDataAttribute != after.isDataAttribute { fields.append("data attribute") }
      if before.qualifierSequences != after.qualifierSequences { fields.append("qualifiers") }
      if before.requirements != after.requirements { fields.append("requires") }
      if before.exclusions != after.exclusions { fields.append("excludes") }
      changed.append(Change(before: before, after: after, fields: fields))
    }
    return Changes(
      added: ordered(theirs.subtracting(mine)).compactMap { newer.definitions[$0] },
      removed: ordered(mine.subtracting(theirs)).compactMap { definitions[$0] },
      changed: changed)
  }
}
