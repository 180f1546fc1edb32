/// A Vietnamese administrative address as it was written: commune or ward, district (only
/// for records from before 1 July 2025, when the district level was abolished), province.
public struct Address: Hashable, Sendable {
  /// Street, hamlet (ấp, thôn) or house number, if any.
  public let detail: String?
  /// Commune, ward or special zone (xã, phường, đặc khu).
  public let commune: String
  /// District (huyện, quận, thị xã, thành phố thuộc tỉnh), for addresses written before
  /// 1 July 2025; nil after.
  public let district: String?
  /// Province or centrally governed city (tỉnh, thành phố).
  public let province: String

  /// Creates an address; text is trimmed and put in Unicode NFC.
  public init(detail: String? = nil, commune: String, district: String? = nil, province: String)
    throws(TraceError)
  {
    self.detail = try Text.optional(detail, record: "address", field: "detail", maxLength: 200)
    self.commune = try Text.required(commune, record: "address", field: "commune", maxLength: 100)
    self.district = try Text.optional(
      district, record: "address", field: "district", maxLength: 100)
    self.province = try Text.required(
      province, record: "address", field: "province", maxLength: 100)
  }

  /// The address on one line, most specific first: `Ấp Tà Lọt, Xã Lê Trì, Huyện Tri Tôn, Tỉnh An Giang`.
  public var line: String {
    [detail, commune, district, province].compactMap { $0 }.joined(separator: ", ")
  }

  /// Commune, district (when written) and province, without the street or hamlet.
  public var locality: String {
    [commune, district, province].compactMap { $0 }.joined(separator: ", ")
  }

  /// The record as canonical JSON, as its event holds it.
  public var json: CanonicalJSON {
    .object([
      "detail": detail.map(CanonicalJSON.string) ?? .null, "commune": .string(commune),
      "district": district.map(CanonicalJSON.string) ?? .null, "province": .string(province),
    ])
  }

  init(json: CanonicalJSON) throws(TraceError) {
    try self.init(
      detail: json["detail"]?.stringValue, commune: Field.string(json, "commune"),
      district: json["district"]?.stringValue, province: Field.string(json, "province"))
  }
}
