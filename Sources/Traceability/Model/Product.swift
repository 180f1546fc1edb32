import GS1

/// The six OCOP product groups of Decision 148/QĐ-TTg (2023).
public enum ProductGroup: String, CaseIterable, Sendable {
  case food, drinks, herbal, handicrafts, ornamental, tourism

  /// The Vietnamese name of the group.
  public var vietnamese: String {
    switch self {
    case .food: "Thực phẩm"
    case .drinks: "Đồ uống"
    case .herbal: "Dược liệu và sản phẩm từ dược liệu"
    case .handicrafts: "Thủ công mỹ nghệ"
    case .ornamental: "Sinh vật cảnh"
    case .tourism: "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch"
    }
  }
}

/// A product: what one GTIN identifies, and who makes it.
public struct Product: Hashable, Sendable {
  /// The product's GTIN.
  public let gtin: GTIN
  /// The tax code of the producer.
  public let producerTaxCode: String
  /// The name in Vietnamese, as the label shows it.
  public let nameVietnamese: String
  /// The name in English, if any.
  public let nameEnglish: String?
  /// The OCOP product group.
  public let group: ProductGroup
  /// Net content of one unit: `500 GRM`.
  public let netContent: Quantity
  /// Ingredients (thành phần), if the product has any.
  public let ingredients: String?
  /// Storage instructions (hướng dẫn bảo quản).
  public let storage: String?
  /// Instructions for use (hướng dẫn sử dụng).
  public let usage: String?

  /// Creates a product record, checking its text fields.
  public init(
    gtin: GTIN, producerTaxCode: String, nameVietnamese: String, nameEnglish: String? = nil,
    group: ProductGroup, netContent: Quantity, ingredients: String? = nil,
    storage: String? = nil, usage: String? = nil
  ) throws(TraceError) {
    let record = "product \(gtin.digits)"
    self.gtin = gtin
    self.producerTaxCode = producerTaxCode
    self.nameVietnamese = try Text.required(
      nameVietnamese, record: record, field: "Vietnamese name", maxLength: 200)
    self.nameEnglish = try Text.optional(
      nameEnglish, record: record, field: "English name", maxLength: 200)
    self.group = group
    self.netContent = netContent
    self.ingredients = try Text.optional(
      ingredients, record: record, field: "ingredients", maxLength: 2000)
    self.storage = try Text.optional(storage, record: record, field: "storage", maxLength: 1000)
    self.usage = try Text.optional(usage, record: record, field: "usage", maxLength: 1000)
  }

  /// The record as canonical JSON, as its event holds it.
  public var json: CanonicalJSON {
    .object([
      "gtin": .string(gtin.digits), "producer": .string(producerTaxCode),
      "nameVi": .string(nameVietnamese), "nameEn": nameEnglish.json,
      "group": .string(group.rawValue), "netContent": netContent.json,
      "ingredients": ingredients.json, "storage": storage.json, "usage": usage.json,
    ])
  }

  init(json: CanonicalJSON) throws(TraceError) {
    guard let group = ProductGroup(rawValue: try Field.string(json, "group")) else {
      throw .malformed(what: "product record", reason: "unknown group")
    }
    try self.init(
      gtin: GTIN.checked(Field.string(json, "gtin")),
      producerTaxCode: Field.string(json, "producer"),
      nameVietnamese: Field.string(json, "nameVi"), nameEnglish: json["nameEn"]?.stringValue,
      group: group, netContent: Quantity(json: Field.object(json, "netContent")),
      ingredients: json["ingredients"]?.stringValue, storage: json["storage"]?.stringValue,
      usage: json["usage"]?.stringValue)
  }
}

extension GTIN {
  /// Parses a GTIN, reporting a failure as a ``TraceError``.
  package static func checked(_ text: String) throws(TraceError) -> GTIN {
    do { return try GTIN(text) } catch { throw error.trace }
  }
}

extension GS1Date {
  /// Parses an ISO date, reporting a failure as a ``TraceError``.
  package static func checked(_ text: String) throws(TraceError) -> GS1Date {
    do { return try GS1Date(iso: text) } catch { throw error.trace }
  }
}
