import GS1

/// The kind of OCOP producer (chủ thể).
public enum ProducerKind: String, CaseIterable, Sendable {
  /// Hộ sản xuất kinh doanh.
  case household
  /// Hợp tác xã.
  case cooperative
  /// Doanh nghiệp.
  case enterprise

  /// The Vietnamese name.
  public var vietnamese: String {
    switch self {
    case .household: "Hộ sản xuất kinh doanh"
    case .cooperative: "Hợp tác xã"
    case .enterprise: "Doanh nghiệp"
    }
  }
}

/// A producer (chủ thể OCOP): who makes the product and answers for it on the label.
public struct Producer: Hashable, Sendable {
  /// The tax code (mã số thuế): 10 digits, or 10 digits, a hyphen and 3 for a branch.
  public let taxCode: String
  /// Household, cooperative or enterprise.
  public let kind: ProducerKind
  /// The registered name, in Vietnamese.
  public let name: String
  /// The address, as written when registered.
  public let address: Address
  /// The GS1 Global Location Number of the producer's site, if it has one.
  public let gln: GLN?

  /// Creates a producer record, checking the tax code and name.
  public init(taxCode: String, kind: ProducerKind, name: String, address: Address, gln: GLN? = nil)
    throws(TraceError)
  {
    let digits = taxCode.split(separator: "-", omittingEmptySubsequences: false)
    let valid =
      (digits.count == 1 && digits[0].utf8.count == 10)
      || (digits.count == 2 && digits[0].utf8.count == 10 && digits[1].utf8.count == 3)
    guard valid, digits.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }) else {
      throw .invalidField(
        record: "producer", field: "tax code", value: taxCode,
        reason: "must be 10 digits, or 10 digits, '-' and 3 digits for a branch")
    }
    self.taxCode = taxCode
    self.kind = kind
    self.name = try Text.required(name, record: "producer", field: "name", maxLength: 200)
    self.address = address
    self.gln = gln
  }

  /// The record as canonical JSON, as its event holds it.
  public var json: CanonicalJSON {
    .object([
      "taxCode": .string(taxCode), "kind": .string(kind.rawValue), "name": .string(name),
      "address": address.json, "gln": gln.map { .string($0.digits) } ?? .null,
    ])
  }

  init(json: CanonicalJSON) throws(TraceError) {
    guard let kind = ProducerKind(rawValue: try Field.string(json, "kind")) else {
      throw .malformed(what: "producer record", reason: "unknown kind")
    }
    var gln: GLN?
    if let digits = json["gln"]?.stringValue {
      do { gln = try GLN(digits) } catch { throw error.trace }
    }
    try self.init(
      taxCode: Field.string(json, "taxCode"), kind: kind, name: Field.string(json, "name"),
      address: Address(json: Field.object(json, "address")), gln: gln)
  }
}
