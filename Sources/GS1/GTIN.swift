/// A Global Trade Item Number, held in its 14-digit form.
///
/// GTIN-8, GTIN-12 and GTIN-13 are left-padded with zeros, as a Digital Link writes them.
public struct GTIN: Hashable, Sendable, CustomStringConvertible {
  /// The 14 digits, check digit last.
  public let digits: String

  /// Parses a GTIN of 8, 12, 13 or 14 digits and checks its check digit.
  public init(_ text: String) throws(GS1Error) {
    guard [8, 12, 13, 14].contains(text.utf8.count) else {
      throw GS1Error("GTIN", text, .length(allowed: "8, 12, 13 or 14 digits"))
    }
    if let position = text.firstNonDigitPosition {
      throw GS1Error("GTIN", text, .notNumeric(position: position))
    }
    try CheckDigit.verify(text, subject: "GTIN")
    digits = String(repeating: "0", count: 14 - text.utf8.count) + text
  }

  /// The GTIN-13 form (the 14 digits without their leading zero), when there is one.
  public var gtin13: String? {
    digits.hasPrefix("0") ? String(digits.dropFirst()) : nil
  }

  /// The shortest standard form: GTIN-8, -12 or -13 when the leading digits are zeros.
  public var shortestForm: String {
    if digits.hasPrefix("000000") { return String(digits.dropFirst(6)) }
    if digits.hasPrefix("00") { return String(digits.dropFirst(2)) }
    if digits.hasPrefix("0") { return String(digits.dropFirst(1)) }
    return digits
  }

  /// Whether the GTIN was allocated under GS1 Vietnam (GTIN-13 prefix 893).
  public var isVietnamese: Bool { digits.hasPrefix("0893") }

  /// Whether the GTIN is under GS1 prefix 952, which GS1 keeps for demonstrations and
  /// examples (GS1 General Specifications): no product on sale carries one.
  public var isDemonstration: Bool { digits.dropFirst().hasPrefix("952") }

  public var description: String { digits }

  /// Allocates the GTIN-13 for `itemReference` under a GS1 company prefix.
  ///
  /// The company prefix and the item reference together make the 12 digits before the
  /// check digit. An item reference shorter than the room the prefix leaves is left-padded
  /// with zeros (item 5 under a 9-digit prefix is `005`); a longer one is refused.
  public static func allocate(companyPrefix: String, itemReference: String) throws(GS1Error)
    -> GTIN
  {
    let prefixLength = companyPrefix.utf8.count
    guard (4...12).contains(prefixLength) else {
      throw GS1Error(
        "company prefix", companyPrefix,
        .companyPrefix("must be 4 to 12 digits (GS1 Vietnam prefixes start 893)"))
    }
    if let position = companyPrefix.firstNonDigitPosition {
      throw GS1Error("company prefix", companyPrefix, .notNumeric(position: position))
    }
    let room = 12 - prefixLength
    guard itemReference.utf8.count <= room, !(itemReference.isEmpty && room > 0) else {
      throw GS1Error("item reference", itemReference, .itemReference(allowedDigits: room))
    }
    if let position = itemReference.firstNonDigitPosition {
      throw GS1Error("item reference", itemReference, .notNumeric(position: position))
    }
    let body =
      companyPrefix + String(repeating: "0", count: room - itemReference.utf8.count)
      + itemReference
    let check = CheckDigit.mod10(for: Substring(body).utf8) ?? 0
    return try GTIN(body + String(check))
  }
}
