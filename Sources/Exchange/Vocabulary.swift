import Traceability

/// The words a spreadsheet cell or a command-line option may use for a record's fixed
/// values, in English or Vietnamese, with or without diacritics, in any case: `hợp tác
/// xã`, `HTX` and `cooperative` are one kind of producer. Each table is read through
/// ``ImportKind/fold(_:)``.
public enum Vocabulary {
  /// A producer's kind, or nil.
  public static func producerKind(_ text: String) -> ProducerKind? {
    [
      "household": ProducerKind.household, "ho_kinh_doanh": .household,
      "ho_san_xuat": .household, "ho_san_xuat_kinh_doanh": .household,
      "ho_gia_dinh": .household, "cooperative": .cooperative, "hop_tac_xa": .cooperative,
      "htx": .cooperative, "enterprise": .enterprise, "doanh_nghiep": .enterprise,
      "cong_ty": .enterprise,
    ][ImportKind.fold(text)]
  }
  public static let producerKinds =
    "household, cooperative or enterprise (hộ kinh doanh, hợp tác xã, doanh nghiệp)"

  /// A product group, or nil.
  public static func group(_ text: String) -> ProductGroup? {
    var choices: [String: ProductGroup] = ["du_lich": .tourism, "duoc_lieu": .herbal]
    for group in ProductGroup.allCases {
      choices[group.rawValue] = group
      choices[ImportKind.fold(group.vietnamese)] = group
    }
    return choices[ImportKind.fold(text)]
  }
  public static let groups = ProductGroup.allCases.map { "\($0.rawValue) (\($0.vietnamese))" }
    .joined(separator: ", ")

  /// A rating decision's status, or nil.
  public static func status(_ text: String) -> RatingStatus? {
    var choices: [String: RatingStatus] = [
      "cong_nhan": .certified, "dat": .certified, "de_nghi_trung_uong": .proposedCentral,
      "het_han": .expired, "thu_hoi": .revoked, "khong_dat": .notRated,
    ]
    for status in RatingStatus.allCases { choices[ImportKind.fold(status.rawValue)] = status }
    return choices[ImportKind.fold(text)]
  }
  public static let statuses =
    RatingStatus.allCases.map(\.rawValue).joined(separator: ", ")
    + " (công nhận, đề nghị trung ương, hết hạn, thu hồi, không đạt)"

  /// A decision's level, or nil.
  public static func level(_ text: String) -> DecisionLevel? {
    [
      "provincial": DecisionLevel.provincial, "tinh": .provincial, "cap_tinh": .provincial,
      "central": .central, "trung_uong": .central, "cap_trung_uong": .central,
    ][ImportKind.fold(text)]
  }
  public static let levels = "provincial or central (tỉnh, trung ương)"

  /// What a producer is for a product, or nil.
  public static func producerRole(_ text: String) -> ProducerRole? {
    var choices: [String: ProducerRole] = [
      "san_xuat": .manufacturer, "nha_san_xuat": .manufacturer, "co_so_san_xuat": .manufacturer,
      "chiu_trach_nhiem": .responsible,
      "to_chuc_chiu_trach_nhiem_ve_hang_hoa": .responsible,
    ]
    for role in ProducerRole.allCases {
      choices[role.rawValue] = role
      choices[ImportKind.fold(role.vietnamese)] = role
    }
    return choices[ImportKind.fold(text)]
  }
  public static let producerRoles =
    "manufacturer or responsible (cơ sở sản xuất, tổ chức chịu trách nhiệm về hàng hóa)"

  /// A production stage, or nil.
  public static func stage(_ text: String) -> StageKind? {
    var choices: [String: StageKind] = [
      "danh_bat": .harvest, "thu_hai": .harvest, "dong_goi_bao_bi": .packing, "luu_kho": .storage,
      "kiem_tra": .testing,
    ]
    for stage in StageKind.allCases {
      choices[stage.rawValue] = stage
      choices[ImportKind.fold(stage.vietnamese)] = stage
    }
    return choices[ImportKind.fold(text)]
  }
  public static let stages =
    StageKind.allCases.map { "\($0.rawValue) (\($0.vietnamese.lowercased()))" }
    .joined(separator: ", ")
}
