/// The ten items Circular 02/2024/TT-BKHCN asks a trace record to carry, and which of them
/// a product's or a lot's records leave out.
///
/// Items the records always carry (a product's name, its producer's name and address, a
/// lot's production date, its trace code, its expiry date) are never missing: the store
/// refuses a record without them. A brand or serial is asked for "where there is one", so
/// it is never missing either. What can be missing is the product's image and the standards
/// it applies, and a lot's production stages.
public enum TraceItem: String, CaseIterable, Sendable {
  case productName = "product-name"
  case productImage = "product-image"
  case producerName = "producer-name"
  case producerAddress = "producer-address"
  case productionStages = "production-stages"
  case productionTime = "production-time"
  case traceCode = "trace-code"
  case brandOrSerial = "brand-or-serial"
  case shelfLife = "shelf-life"
  case standardsApplied = "standards-applied"

  /// The item as the circular names it.
  public var vietnamese: String {
    switch self {
    case .productName: "Tên sản phẩm"
    case .productImage: "Hình ảnh sản phẩm"
    case .producerName: "Tên cơ sở sản xuất"
    case .producerAddress: "Địa chỉ cơ sở sản xuất"
    case .productionStages: "Các công đoạn sản xuất (mã mặt hàng, mã địa điểm, thời gian)"
    case .productionTime: "Thời gian sản xuất"
    case .traceCode: "Mã truy xuất"
    case .brandOrSerial: "Nhãn hiệu hoặc số sê-ri"
    case .shelfLife: "Hạn sử dụng"
    case .standardsApplied: "Tiêu chuẩn áp dụng"
    }
  }

  /// The item in English.
  public var english: String {
    switch self {
    case .productName: "product name"
    case .productImage: "product image"
    case .producerName: "producer name"
    case .producerAddress: "producer address"
    case .productionStages: "production stages (item code, location code, time)"
    case .productionTime: "production time"
    case .traceCode: "trace code"
    case .brandOrSerial: "brand or serial"
    case .shelfLife: "shelf life"
    case .standardsApplied: "standards applied"
    }
  }

  /// The items a product's record leaves out.
  public static func missing(in product: Product) -> [TraceItem] {
    var missing: [TraceItem] = []
    if product.photo == nil { missing.append(.productImage) }
    if product.standards.isEmpty { missing.append(.standardsApplied) }
    return missing
  }

  /// The items a lot's records leave out, given its recorded `stages`.
  public static func missing(stages: [ProductionStage]) -> [TraceItem] {
    stages.isEmpty ? [.productionStages] : []
  }
}
