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

  /// The text fields beside the code, in order: name, label and text.
  var fields: [(name: String, bold: Bool, text: String)] {
    var fields: [(String, Bool, String)] = []
    if trial { fields.append(("trial mark", true, "MẪU THỬ — KHÔNG BÁN")) }
    fields.append(("product name", true, productName))
    if let ocopStars {
      fields.append(("OCOP stars", true, String(repeating: "★", count: ocopStars) + " OCOP"))
    }
    fields += [
      ("lot", false, "Lô: \(lot)"),
      ("production date", false, "NSX: \(productionDate.dayMonthYear)"),
      ("expiry date", false, "HSD: \(expiryDate.dayMonthYear)"),
      ("net quantity", false, "Khối lượng tịnh: \(netQuantity)"),
      ("producer", false, producerName),
      ("producer address", false, "Địa chỉ: \(producerAddress)"),
      ("origin", false, "Xuất xứ: \(origin)"),
    ]
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
