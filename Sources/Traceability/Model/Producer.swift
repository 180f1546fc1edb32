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
  /// A phone number shoppers may call, as written (digits, spaces, `+`, `.`, `-`).
  public let phone: String?
  /// The producer's website: an `https://` or `http://` address.
  public let website: String?

  /// Creates a producer record, checking the tax code, name and contacts.
  public init(
    taxCode: String, kind: ProducerKind, name: String, address: Address, gln: GLN? = nil,
    phone: String? = nil, website: String? = nil
  ) throws(TraceError) {
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
    self.phone = try Self.checkedPhone(phone)
    self.website = try Self.checkedWebsite(website)
  }

  /// A phone number as written: 8 to 15 digits, with spaces, dots, hyphens, brackets and a
  /// leading `+` allowed between them.
  static func checkedPhone(_ text: String?) throws(TraceError) -> String? {
    guard let phone = try Text.optional(text, record: "producer", field: "phone", maxLength: 30)
    else { return nil }
    let digits = phone.filter(\.isASCII).filter(\.isNumber).count
    let allowed = phone.enumerated().allSatisfy { index, character in
      (character.isASCII && character.isNumber) || " .-()".contains(character)
        || (character == "+" && index == 0)
    }
    guard allowed, (8...15).contains(digits) else {
      throw .invalidField(
        record: "producer", field: "phone", value: phone,
        reason: "must be 8 to 15 digits, with spaces, '.', '-', brackets or a leading '+'")
    }
    return phone
  }

  /// A website: an absolute `https://` or `http://` address with a host and no spaces.
  static func checkedWebsite(_ text: String?) throws(TraceError) -> String? {
    guard
      let website = try Text.optional(text, record: "producer", field: "website", maxLength: 200)
    else { return nil }
    let lowered = website.lowercased()
    let rest =
      lowered.hasPrefix("https://")
      ? website.dropFirst(8) : lowered.hasPrefix("http://") ? website.dropFirst(7) : nil
    guard let rest, let host = rest.split(separator: "/").first, host.contains("."),
      !website.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" })
    else {
      throw .invalidField(
        record: "producer", field: "website", value: website,
        reason: "must be an address starting https:// or http://")
    }
    return website
  }

  /// The names of ``laterMembers``, as the producers table keeps them together.
  static let laterMemberNames = ["phone", "website"]

  /// The members added to producer records after their first version, written only when
  /// they hold something.
  var laterMembers: CanonicalMembers {
    var members: CanonicalMembers = [:]
    if let phone { members.insert("phone", .string(phone)) }
    if let website { members.insert("website", .string(website)) }
    return members
  }

  /// The record as canonical JSON, as its event holds it.
  public var json: CanonicalJSON {
    var members: CanonicalMembers = [
      "taxCode": .string(taxCode), "kind": .string(kind.rawValue), "name": .string(name),
      "address": address.json, "gln": gln.map { .string($0.digits) } ?? .null,
    ]
    for member in laterMembers { members.insert(member.name, member.value) }
    return .object(members)
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
      address: Address(json: Field.object(json, "address")), gln: gln, later: json)
  }

  /// A producer from its first-version fields and the ``laterMembers`` found in `later`.
  package init(
    taxCode: String, kind: ProducerKind, name: String, address: Address, gln: GLN?,
    later: CanonicalJSON?
  ) throws(TraceError) {
    try self.init(
      taxCode: taxCode, kind: kind, name: name, address: address, gln: gln,
      phone: later?["phone"]?.stringValue, website: later?["website"]?.stringValue)
  }
}
