import Foundation

/// What an import file holds, and the columns each kind reads. A column is found by its
/// English name or a Vietnamese one, written with or without diacritics, in any case, with
/// spaces or underscores: `production_date`, `Ngày sản xuất` and `ngay san xuat` are the
/// same column.
public enum ImportKind: String, CaseIterable, Sendable {
  case producers, products, ratings, batches, stages

  /// A column: its key (the English header) and the other names it goes by.
  public struct Column: Sendable {
    public let key: String
    public let required: Bool
    public let aliases: [String]
  }

  /// The columns, in the order an exported file writes them.
  public var columns: [Column] {
    func column(_ key: String, required: Bool = false, _ aliases: String...) -> Column {
      Column(key: key, required: required, aliases: aliases)
    }
    switch self {
    case .producers:
      return [
        column("tax_code", required: true, "mã số thuế", "mst"),
        column("kind", required: true, "loại hình", "loại hình chủ thể"),
        column("name", required: true, "tên", "tên chủ thể"),
        column("address", "địa chỉ", "địa chỉ chi tiết"),
        column("commune", required: true, "xã", "xã phường", "phường xã"),
        column("district", "huyện", "quận huyện"),
        column("province", required: true, "tỉnh", "tỉnh thành phố"),
        column("gln", "mã địa điểm", "mã địa điểm toàn cầu"),
        column("phone", "điện thoại", "số điện thoại", "sđt"),
        column("website", "trang web", "web"),
      ]
    case .products:
      return [
        column("gtin", required: true, "mã gtin", "mã vạch", "mã sản phẩm"),
        column("producer", required: true, "chủ thể", "mã số thuế chủ thể", "producer tax code"),
        column("name_vi", required: true, "tên sản phẩm", "tên tiếng việt"),
        column("name_en", "tên tiếng anh"),
        column("group", required: true, "nhóm", "nhóm sản phẩm", "product group"),
        column("net_amount", required: true, "khối lượng tịnh", "định lượng", "thể tích thực"),
        column("net_unit", required: true, "đơn vị", "đơn vị tính"),
        column("ingredients", "thành phần"),
        column("storage", "bảo quản", "hướng dẫn bảo quản"),
        column("usage", "hướng dẫn sử dụng", "sử dụng", "use"),
        column("warnings", "cảnh báo", "thông tin cảnh báo"),
        column("allergens", "chất gây dị ứng", "dị ứng"),
        column("standards", "tiêu chuẩn", "tiêu chuẩn áp dụng"),
        column("producer_role", "vai trò", "vai trò chủ thể", "role"),
        column("photo", "ảnh", "hình ảnh", "ảnh sản phẩm"),
      ]
    case .ratings:
      return [
        column("gtin", required: true, "mã gtin", "mã vạch", "mã sản phẩm"),
        column("stars", "số sao", "hạng sao", "sao"),
        column("status", required: true, "trạng thái", "kết quả"),
        column("decision", required: true, "quyết định", "số quyết định"),
        column("decision_date", required: true, "ngày quyết định", "ngày ký"),
        column("level", required: true, "cấp", "cấp quyết định"),
        column("valid_until", "hiệu lực đến", "có hiệu lực đến", "ngày hết hiệu lực"),
      ]
    case .batches:
      return [
        column("gtin", required: true, "mã gtin", "mã vạch", "mã sản phẩm"),
        column("lot", required: true, "số lô", "lô", "mã lô"),
        column("production_date", required: true, "ngày sản xuất", "nsx"),
        column("expiry_date", required: true, "hạn sử dụng", "hsd", "expiry"),
        column("quantity", required: true, "số lượng", "sản lượng"),
        column("unit", required: true, "đơn vị", "đơn vị tính"),
        column("origin_area", required: true, "vùng nguyên liệu", "nguồn gốc"),
        column("origin_address", "địa chỉ vùng nguyên liệu"),
        column("origin_commune", required: true, "xã vùng nguyên liệu"),
        column("origin_district", "huyện vùng nguyên liệu"),
        column("origin_province", required: true, "tỉnh vùng nguyên liệu"),
        column("latitude", "vĩ độ"),
        column("longitude", "kinh độ"),
        column("harvest_start", "bắt đầu thu hoạch", "ngày bắt đầu thu hoạch"),
        column("harvest_end", "kết thúc thu hoạch", "ngày kết thúc thu hoạch"),
        column("inputs", "lô đầu vào", "nguyên liệu đầu vào", "input lots"),
      ]
    case .stages:
      return [
        column("gtin", required: true, "mã gtin", "mã vạch", "mã sản phẩm"),
        column("lot", required: true, "số lô", "lô", "mã lô"),
        column("stage", required: true, "công đoạn", "giai đoạn"),
        column("time", required: true, "thời gian", "thời điểm"),
        column("location", required: true, "mã địa điểm", "địa điểm"),
        column("location_name", "tên địa điểm", "nơi thực hiện"),
        column("item", "mã mặt hàng", "mã nguyên liệu"),
      ]
    }
  }

  /// A header or value folded for matching: NFC, lower case, Vietnamese diacritics and
  /// `đ` taken off, and every run of other characters one underscore.
  public static func fold(_ text: String) -> String {
    // In ASCII the only diacritics are ^ and `, taken off as the rest's are: Foundation's
    // normalisation is not needed.
    let plain =
      text.utf8.allSatisfy({ $0 < 0x80 })
      ? text.lowercased().unicodeScalars.filter { $0 != "^" && $0 != "`" }
      : text.precomposedStringWithCanonicalMapping.lowercased()
        .replacingOccurrences(of: "đ", with: "d")
        .decomposedStringWithCanonicalMapping
        .unicodeScalars.filter {
          !$0.properties.isDiacritic && $0.properties.generalCategory != .nonspacingMark
        }
    var folded = ""
    var pendingSeparator = false
    for scalar in plain {
      if scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar)) {
        if pendingSeparator && !folded.isEmpty { folded += "_" }
        folded.unicodeScalars.append(scalar)
        pendingSeparator = false
      } else {
        pendingSeparator = true
      }
    }
    return folded
  }

  /// Which column each header names, by position; refuses unknown, repeated and missing
  /// columns, naming them.
  func mapHeader(_ header: [String], file: String) throws(ImportError) -> [String: Int] {
    var lookup: [String: String] = [:]
    for column in columns {
      lookup[Self.fold(column.key)] = column.key
      for alias in column.aliases { lookup[Self.fold(alias)] = column.key }
    }
    var positions: [String: Int] = [:]
    for (index, name) in header.enumerated() {
      guard let key = lookup[Self.fold(name)] else {
        throw ImportError(
          file: file, line: 1, column: name,
          problem:
            "is not a column of a \(rawValue) file (columns: "
            + columns.map(\.key).joined(separator: ", ") + ")")
      }
      guard positions[key] == nil else {
        throw ImportError(
          file: file, line: 1, column: name, problem: "names the column \(key) a second time")
      }
      positions[key] = index
    }
    for column in columns where column.required && positions[column.key] == nil {
      throw ImportError(
        file: file, line: 1, problem: "has no column \(column.key) (required in a \(rawValue) file)"
      )
    }
    return positions
  }
}
