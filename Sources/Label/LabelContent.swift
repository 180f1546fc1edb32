import GS1

/// What a package label shows, as plain values: the label module can be used without the
/// trace store. Texts are in Vietnamese, as the labelling decree requires.
public struct LabelContent: Hashable, Sendable {
  /// The product name (tên sản phẩm).
  public var productName: String
  /// OCOP stars to print: only when the rating was in force; nil for none.
  public var ocopStars: Int?
  /// The lot code (số lô).
  public var lot: String
  /// Production date (NSX).
  public var productionDate: GS1Date
  /// Expiry date (HSD).
  public var expiryDate: GS1Date
  /// Net quantity as printed, such as `500 g`.
  public var netQuantity: String
  /// The producer responsible for the product.
  public var producerName: String
  /// The producer's address.
  public var producerAddress: String
  /// The origin of the product or its raw material (xuất xứ).
  public var origin: String
  /// The human-readable GS1 element string printed under the code.
  public var elementString: String
  /// Whether the label is a trial's (a GTIN under GS1's demonstration prefix 952): it is
  /// then marked "MẪU THỬ — KHÔNG BÁN" (sample, not for sale) above everything else.
  public var trial = false
  /// The product's OCOP group (`food`, `drinks`, `herbal`, `handicrafts`, `ornamental`,
  /// `tourism`): which contents the law asks its label for (``LabelRules``); nil for none.
  public var group: String?
  /// What the producer is for the goods, printed before its name: "Cơ sở sản xuất".
  public var producerRole = "Cơ sở sản xuất"
  /// Ingredients (thành phần).
  public var ingredients: String?
  /// Allergens, as the label words them ("Có chứa: đậu phộng").
  public var allergens: String?
  /// Warnings.
  public var warnings: String?
  /// Storage instructions.
  public var storage: String?
  /// Instructions for use.
  public var usage: String?
  /// Whether a label too small for every mandatory content is refused rather than giving
  /// the contents the law allows on the trace page, saying so.
  public var keepAllOnLabel = false
  /// Whether the OCOP stars are printed as text (★★★★ OCOP), where the label has no room
  /// for the mark.
  var starsAsText = false

  /// Creates the content of a label.
  public init(
    productName: String, ocopStars: Int? = nil, lot: String, productionDate: GS1Date,
    expiryDate: GS1Date, netQuantity: String, producerName: String, producerAddress: String,
    origin: String, elementString: String
  ) {
    self.productName = productName
    self.ocopStars = ocopStars
    self.lot = lot
    self.productionDate = productionDate
    self.expiryDate = expiryDate
    self.netQuantity = netQuantity
    self.producerName = producerName
    self.producerAddress = producerAddress
    self.origin = origin
    self.elementString = elementString
  }

  /// One content as the label prints it.
  struct Field: Hashable {
    /// What it is, as errors name it.
    let name: String
    let bold: Bool
    let text: String
    /// The law's content it shows; nil for the trial mark and the pointer to the page.
    let field: LabelRules.Field?
  }

  /// The value of an optional content.
  func value(_ field: LabelRules.Field) -> String? {
    switch field {
    case .ingredients: ingredients
    case .allergens: allergens
    case .warnings: warnings
    case .storage: storage
    case .usage: usage
    default: productName
    }
  }

  /// The contents the law asks this label's group for that it lacks (none for the
  /// contents every label has, and none that apply only where they apply).
  public func missingFields(rules: LabelRules = .standard) -> [LabelRules.Field] {
    guard let group, let asked = rules.groups[group] else { return [] }
    let optional: [LabelRules.Field] = [.ingredients, .allergens, .warnings, .storage, .usage]
    return asked.required.filter { field in
      optional.contains(field) && !asked.whereApplicable.contains(field)
        && (value(field)?.isEmpty ?? true)
    }
  }

  /// The contents given elsewhere (on the trace page) when the label is too small: those
  /// the law allows, present on this label, in the order they go: instructions first, the
  /// dates and the lot, which a buyer looks for on the package, last.
  func movable(rules: LabelRules = .standard) -> [LabelRules.Field] {
    let shown = Set(fields(rules: rules).compactMap(\.field))
    let order: [LabelRules.Field] = [
      .usage, .storage, .ingredients, .netContent, .lot, .expiryDate, .productionDate,
    ]
    return order.filter { shown.contains($0) && rules.mayMoveToPage.contains($0) }
  }

  /// The text fields beside the code, in order, without the contents in `moved` (and then
  /// with a line saying where they are).
  func fields(moving moved: Set<LabelRules.Field> = [], rules: LabelRules = .standard)
    -> [Field]
  {
    var fields: [Field] = []
    if trial {
      fields.append(Field(name: "trial mark", bold: true, text: "MẪU THỬ — KHÔNG BÁN", field: nil))
    }
    fields.append(Field(name: "product name", bold: true, text: productName, field: .name))
    if starsAsText, let ocopStars {
      fields.append(
        Field(
          name: "OCOP stars", bold: true, text: String(repeating: "★", count: ocopStars) + " OCOP",
          field: nil))
    }
    // The core contents every label shows, in the group's order where it names them.
    let core: [LabelRules.Field] = [
      .lot, .productionDate, .expiryDate, .netContent, .responsible, .origin,
    ]
    let asked = group.flatMap { rules.groups[$0] }
    var order = (asked?.required ?? []).filter { $0 != .name }
    // The lot beside the dates where the group does not place it.
    if !order.contains(.lot),
      let dates = order.lastIndex(where: { $0 == .expiryDate || $0 == .productionDate })
    {
      order.insert(.lot, at: dates + 1)
    }
    for field in core where !order.contains(field) { order.append(field) }
    for field in order where !moved.contains(field) {
      let words = rules.words(field, group: group)
      switch field {
      case .name: break
      case .lot:
        fields.append(Field(name: "lot", bold: false, text: "\(words): \(lot)", field: field))
      case .productionDate:
        fields.append(
          Field(
            name: "production date", bold: false,
            text: "\(words): \(productionDate.dayMonthYear)", field: field))
      case .expiryDate:
        fields.append(
          Field(
            name: "expiry date", bold: false, text: "\(words): \(expiryDate.dayMonthYear)",
            field: field))
      case .netContent:
        fields.append(
          Field(name: "net quantity", bold: false, text: "\(words): \(netQuantity)", field: field))
      case .responsible:
        fields.append(
          Field(
            name: "producer", bold: false, text: "\(producerRole): \(producerName)", field: field))
        fields.append(
          Field(
            name: "producer address", bold: false, text: "Địa chỉ: \(producerAddress)",
            field: field))
      case .origin:
        fields.append(Field(name: "origin", bold: false, text: "\(words): \(origin)", field: field))
      case .ingredients, .allergens, .warnings, .storage, .usage:
        if let value = value(field), !value.isEmpty {
          fields.append(
            Field(name: field.rawValue, bold: false, text: "\(words): \(value)", field: field))
        }
      }
    }
    if !moved.isEmpty {
      fields.append(
        Field(name: "pointer to the page", bold: true, text: rules.pointerWords, field: nil))
    }
    return fields
  }
}

/// A label's size and where its parts go.
public struct LabelTemplate: Hashable, Sendable {
  /// The name, such as `50x30`.
  public let name: String
  /// Width in millimetres.
  public let widthMillimetres: Double
  /// Height in millimetres.
  public let heightMillimetres: Double

  /// A label `width` × `height` millimetres.
  public static func custom(width: Double, height: Double) throws(LabelError) -> LabelTemplate {
    guard (20...300).contains(width), (15...300).contains(height) else {
      throw .invalidOption(
        name: "label size", value: "\(width)×\(height) mm",
        reason: "must be 20–300 mm wide and 15–300 mm high")
    }
    // 70x37, 62.5x29: no trailing zeros.
    func short(_ value: Double) -> String {
      var text = ModuleSize.format(value)
      while text.hasSuffix("0") { text.removeLast() }
      if text.hasSuffix(".") { text.removeLast() }
      return text
    }
    return LabelTemplate(
      name: "\(short(width))x\(short(height))", widthMillimetres: width, heightMillimetres: height)
  }

  public static let size40x30 = LabelTemplate(
    name: "40x30", widthMillimetres: 40, heightMillimetres: 30)
  public static let size50x30 = LabelTemplate(
    name: "50x30", widthMillimetres: 50, heightMillimetres: 30)
  public static let size60x40 = LabelTemplate(
    name: "60x40", widthMillimetres: 60, heightMillimetres: 40)
  public static let size100x50 = LabelTemplate(
    name: "100x50", widthMillimetres: 100, heightMillimetres: 50)

  /// The templates by name.
  public static let standard = [size40x30, size50x30, size60x40, size100x50]

  /// The template called `name` (`40x30`, `50x30`, `60x40`, `100x50`) or a custom
  /// `WIDTHxHEIGHT` in millimetres.
  public static func named(_ name: String) throws(LabelError) -> LabelTemplate {
    if let known = standard.first(where: { $0.name == name }) { return known }
    let parts = name.lowercased().split(separator: "x")
    guard parts.count == 2, let width = Double(parts[0]), let height = Double(parts[1]) else {
      throw .invalidOption(
        name: "label size", value: name,
        reason: "must be 40x30, 50x30, 60x40, 100x50 or WIDTHxHEIGHT in mm")
    }
    return try custom(width: width, height: height)
  }
}
