import Crypto
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

/// What the producer is for a product, as the label names it before its name and address
/// (Decree 43/2017/NĐ-CP, Article 12: the organisation responsible for the goods).
public enum ProducerRole: String, CaseIterable, Sendable {
  /// It makes the product and answers for it: "Cơ sở sản xuất".
  case manufacturer
  /// It answers for goods others make (a cooperative selling its members' produce, say):
  /// "Tổ chức chịu trách nhiệm về hàng hóa".
  case responsible

  /// The words the label prints before the producer's name.
  public var vietnamese: String {
    switch self {
    case .manufacturer: "Cơ sở sản xuất"
    case .responsible: "Tổ chức chịu trách nhiệm về hàng hóa"
    }
  }

  /// The same in English.
  public var english: String {
    switch self {
    case .manufacturer: "Manufacturer"
    case .responsible: "Responsible for the goods"
    }
  }
}

/// A product's photo, as its record names it: the SHA-256 of the file's bytes and its
/// type. The record is signed, so a photo served for the product can be checked against it.
public struct ProductPhoto: Hashable, Sendable {
  /// The lowercase hex SHA-256 of the image file.
  public let sha256: String
  /// `image/jpeg` or `image/png`.
  public let mediaType: String

  /// The media types a photo may have.
  public static let mediaTypes = ["image/jpeg", "image/png"]

  /// A photo reference, checking the hash's form and the type.
  public init(sha256: String, mediaType: String) throws(TraceError) {
    guard sha256.utf8.count == 64,
      sha256.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
    else {
      throw .invalidField(
        record: "photo", field: "sha256", value: sha256, reason: "must be 64 lowercase hex digits")
    }
    guard Self.mediaTypes.contains(mediaType) else {
      throw .invalidField(
        record: "photo", field: "type", value: mediaType, reason: "must be image/jpeg or image/png")
    }
    self.sha256 = sha256
    self.mediaType = mediaType
  }

  /// The reference as canonical JSON.
  public var json: CanonicalJSON {
    .object(["sha256": .string(sha256), "type": .string(mediaType)])
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
  /// Warnings (thông tin, cảnh báo), where they apply.
  public let warnings: String?
  /// Allergens the product contains (chất gây dị ứng), as the label words them.
  public let allergens: String?
  /// Standards applied (tiêu chuẩn áp dụng): TCVN, the producer's own TCCS, VietGAP…
  public let standards: [String]
  /// What the producer is for this product, on the label.
  public let producerRole: ProducerRole
  /// The product's photo, if it has one.
  public let photo: ProductPhoto?

  /// Most standards a product names, and the longest name of one.
  public static let standardsLimit = 10
  public static let standardLength = 100

  /// Creates a product record, checking its text fields.
  public init(
    gtin: GTIN, producerTaxCode: String, nameVietnamese: String, nameEnglish: String? = nil,
    group: ProductGroup, netContent: Quantity, ingredients: String? = nil,
    storage: String? = nil, usage: String? = nil, warnings: String? = nil,
    allergens: String? = nil, standards: [String] = [], producerRole: ProducerRole = .manufacturer,
    photo: ProductPhoto? = nil
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
    self.warnings = try Text.optional(
      warnings, record: record, field: "warnings", maxLength: 1000)
    self.allergens = try Text.optional(
      allergens, record: record, field: "allergens", maxLength: 500)
    var kept: [String] = []
    for standard in standards {
      guard
        let text = try Text.optional(
          standard, record: record, field: "standard", maxLength: Self.standardLength)
      else { continue }
      if text.contains(";") {
        throw .invalidField(
          record: record, field: "standard", value: text,
          reason: "names one standard; give several as separate values")
      }
      if !kept.contains(text) { kept.append(text) }
    }
    guard kept.count <= Self.standardsLimit else {
      throw .invalidField(
        record: record, field: "standards", value: kept.joined(separator: ";"),
        reason: "names more than \(Self.standardsLimit) standards")
    }
    self.standards = kept
    self.producerRole = producerRole
    self.photo = photo
  }

  /// The members added to product records after their first version: written only when
  /// they hold something, so a record without them keeps the form it was signed in.
  var laterMembers: CanonicalMembers {
    var members: CanonicalMembers = [:]
    if let warnings { members.insert("warnings", .string(warnings)) }
    if let allergens { members.insert("allergens", .string(allergens)) }
    if !standards.isEmpty {
      members.insert("standards", .array(standards.map(CanonicalJSON.string)))
    }
    if producerRole != .manufacturer { members.insert("role", .string(producerRole.rawValue)) }
    if let photo { members.insert("photo", photo.json) }
    return members
  }

  /// The names of ``laterMembers``, as the products table keeps them together.
  static let laterMemberNames = ["allergens", "photo", "role", "standards", "warnings"]

  /// The record as canonical JSON, as its event holds it.
  public var json: CanonicalJSON {
    var members: CanonicalMembers = [
      "gtin": .string(gtin.digits), "producer": .string(producerTaxCode),
      "nameVi": .string(nameVietnamese), "nameEn": nameEnglish.json,
      "group": .string(group.rawValue), "netContent": netContent.json,
      "ingredients": ingredients.json, "storage": storage.json, "usage": usage.json,
    ]
    for member in laterMembers { members.insert(member.name, member.value) }
    return .object(members)
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
      usage: json["usage"]?.stringValue, later: json)
  }

  /// A product from its first-version fields and the ``laterMembers`` found in `later`
  /// (the record's JSON, or the object the products table keeps them in).
  package init(
    gtin: GTIN, producerTaxCode: String, nameVietnamese: String, nameEnglish: String?,
    group: ProductGroup, netContent: Quantity, ingredients: String?, storage: String?,
    usage: String?, later: CanonicalJSON?
  ) throws(TraceError) {
    var role = ProducerRole.manufacturer
    if let text = later?["role"]?.stringValue {
      guard let known = ProducerRole(rawValue: text) else {
        throw .malformed(what: "product record", reason: "unknown producer role \(text)")
      }
      role = known
    }
    var photo: ProductPhoto?
    if let object = later?["photo"] {
      photo = try ProductPhoto(
        sha256: Field.string(object, "sha256"), mediaType: Field.string(object, "type"))
    }
    try self.init(
      gtin: gtin, producerTaxCode: producerTaxCode, nameVietnamese: nameVietnamese,
      nameEnglish: nameEnglish, group: group, netContent: netContent, ingredients: ingredients,
      storage: storage, usage: usage, warnings: later?["warnings"]?.stringValue,
      allergens: later?["allergens"]?.stringValue,
      standards: (later?["standards"]?.arrayValue ?? []).compactMap(\.stringValue),
      producerRole: role, photo: photo)
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

/// A product photo's file: its bytes and the type they are, read from their first bytes.
/// The store keeps it by its SHA-256, which the product's signed record names; the
/// resolver serves it under that name.
public struct PhotoFile: Hashable, Sendable {
  /// The largest photo kept: a page's photo for a phone, not a print master.
  public static let sizeLimit = 512 * 1024

  /// The file's bytes.
  public let bytes: [UInt8]
  /// `image/jpeg` or `image/png`.
  public let mediaType: String
  /// The reference a product's record holds.
  public let reference: ProductPhoto

  /// A photo from a file's bytes; `file` names it in errors.
  public init(bytes: [UInt8], file: String) throws(TraceError) {
    guard !bytes.isEmpty, bytes.count <= Self.sizeLimit else {
      throw .invalidField(
        record: "photo", field: "file", value: file,
        reason: bytes.isEmpty
          ? "is empty"
          : "is \(bytes.count / 1024) KiB; a photo may be at most \(Self.sizeLimit / 1024) KiB (480 to 1000 px across is plenty for a phone)"
      )
    }
    let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
      mediaType = "image/jpeg"
    } else if bytes.starts(with: png) {
      mediaType = "image/png"
    } else {
      throw .invalidField(
        record: "photo", field: "file", value: file, reason: "is neither a JPEG nor a PNG image")
    }
    self.bytes = bytes
    reference = try ProductPhoto(
      sha256: ByteText.hex(Array(SHA256.hash(data: bytes))), mediaType: mediaType)
  }

  /// A photo as the store keeps it, checked against the hash it is kept under.
  package init(stored bytes: [UInt8], sha256: String) throws(TraceError) {
    try self.init(bytes: bytes, file: "stored photo \(sha256)")
    guard reference.sha256 == sha256 else {
      throw .malformed(what: "photo \(sha256)", reason: "its bytes do not have that hash")
    }
  }
}
