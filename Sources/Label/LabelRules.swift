import Foundation

/// What Vietnam's labelling law asks a label to show, by OCOP product group: data, read
/// from `label-rules.json` (Decree 43/2017/NĐ-CP as amended by Decree 111/2021/NĐ-CP,
/// documented with its sources in docs/labelling.md), not written into the layout.
public struct LabelRules: Sendable {
  /// A content a label may have to show.
  public enum Field: String, CaseIterable, Sendable, Codable {
    case name, responsible, origin, netContent, productionDate, expiryDate, lot
    case ingredients, allergens, warnings, storage, usage
  }

  /// What a group's labels must show.
  public struct Group: Sendable {
    /// The mandatory contents, in the order a label shows them.
    public let required: [Field]
    /// Those of ``required`` shown only when the product has them (warnings, say).
    public let whereApplicable: Set<Field>
    /// The words printed before a content's value, where the group's own differ from the
    /// general ones (handicrafts' "Chất liệu" for ingredients, say).
    public let words: [Field: String]
  }

  /// The words printed before each content's value.
  public let words: [Field: String]
  /// The rules by group key (`food`, `drinks`, `herbal`, `handicrafts`, `ornamental`,
  /// `tourism`).
  public let groups: [String: Group]
  /// What must stay on a label however small it is.
  public let alwaysOnLabel: Set<Field>
  /// What the law lets a label too small for it give elsewhere, saying where.
  public let mayMoveToPage: Set<Field>
  /// The line a label prints to say where the rest is.
  public let pointerWords: String

  /// The rules shipped with the toolkit.
  public static let standard: LabelRules = {
    do {
      return try LabelRules(json: PackageResources.label_rules_json)
    } catch {
      preconditionFailure("the embedded label-rules.json does not read: \(error)")
    }
  }()

  /// Reads rules from the JSON document `bytes`.
  public init(json bytes: [UInt8]) throws {
    struct FieldWords: Decodable { let vi: String }
    struct GroupFile: Decodable {
      let required: [Field]
      let whereApplicable: [Field]?
      let words: [String: String]?
    }
    struct SmallLabel: Decodable {
      let alwaysOnLabel: [Field]
      let mayMoveToPage: [Field]
      let pointerWords: String
    }
    struct File: Decodable {
      let fields: [String: FieldWords]
      let groups: [String: GroupFile]
      let smallLabel: SmallLabel
    }
    let file = try JSONDecoder().decode(File.self, from: Data(bytes))
    var words: [Field: String] = [:]
    for (key, value) in file.fields {
      guard let field = Field(rawValue: key) else {
        throw LabelError.invalidOption(
          name: "label rules", value: key, reason: "is not a label field")
      }
      words[field] = value.vi
    }
    var groups: [String: Group] = [:]
    for (key, group) in file.groups {
      var own: [Field: String] = [:]
      for (name, text) in group.words ?? [:] {
        guard let field = Field(rawValue: name) else {
          throw LabelError.invalidOption(
            name: "label rules", value: name, reason: "is not a label field")
        }
        own[field] = text
      }
      groups[key] = Group(
        required: group.required, whereApplicable: Set(group.whereApplicable ?? []), words: own)
    }
    self.words = words
    self.groups = groups
    alwaysOnLabel = Set(file.smallLabel.alwaysOnLabel)
    mayMoveToPage = Set(file.smallLabel.mayMoveToPage)
    pointerWords = file.smallLabel.pointerWords
  }

  /// The words before `field`'s value on a label of `group`.
  public func words(_ field: Field, group: String?) -> String {
    group.flatMap { groups[$0]?.words[field] } ?? words[field] ?? field.rawValue
  }
}
