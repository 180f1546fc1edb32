/// An amount with a UN/ECE Recommendation 20 unit code: `5 KGM`, `500 GRM`, `24 H87`.
public struct Quantity: Hashable, Sendable, CustomStringConvertible {
  /// The amount as a decimal numeral, without exponent: `0.5`, `12`, `1500.25`.
  public let amount: String
  /// The unit.
  public let unit: UnitCode

  /// Creates a quantity; the amount must be a positive decimal numeral, and a whole number
  /// for a unit that counts (``UnitCode/counts``): `1.500` or `1,500` pieces is refused, since
  /// it may mean 1500 or 1.5.
  public init(amount: String, unit: UnitCode, record: String = "quantity") throws(TraceError) {
    if unit.counts, let separator = amount.firstIndex(where: { $0 == "." || $0 == "," }) {
      let whole = amount[..<separator]
      let rest = amount[amount.index(after: separator)...]
      let digits = { (part: Substring) in
        !part.isEmpty && part.utf8.allSatisfy { (0x30...0x39).contains($0) }
      }
      let reason =
        digits(whole) && rest.utf8.count == 3 && digits(rest)
        ? "is a count of \(unit.rawValue) (\(unit.symbol)), a whole number; a separator of "
          + "thousands is ambiguous: write \(whole)\(rest)"
        : "is a count of \(unit.rawValue) (\(unit.symbol)) and must be a whole number"
      throw .invalidField(record: record, field: "amount", value: amount, reason: reason)
    }
    try self.init(checking: amount, unit: unit, record: record)
  }

  /// A quantity as a stored event holds it: a decimal numeral, whatever its unit, since a
  /// store written before counts had to be whole may hold a fraction of a piece.
  private init(checking amount: String, unit: UnitCode, record: String) throws(TraceError) {
    let parts = amount.split(separator: ".", omittingEmptySubsequences: false)
    let isDigits = { (part: Substring) in
      !part.isEmpty && part.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }
    guard (1...2).contains(parts.count), parts.allSatisfy(isDigits), amount.utf8.count <= 18 else {
      throw .invalidField(
        record: record, field: "amount", value: amount,
        reason: "must be a decimal number such as 12 or 0.5")
    }
    guard amount.utf8.contains(where: { (0x31...0x39).contains($0) }) else {
      throw .invalidField(
        record: record, field: "amount", value: amount, reason: "must be positive")
    }
    // Canonical numeral: no leading zeros before the point, no trailing zeros after it.
    var whole = parts[0].drop(while: { $0 == "0" })
    if whole.isEmpty { whole = "0" }
    var fraction = parts.count == 2 ? parts[1] : ""
    while fraction.hasSuffix("0") { fraction = fraction.dropLast() }
    self.amount = fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
    self.unit = unit
  }

  public var description: String { "\(amount) \(unit.rawValue)" }

  /// The record as canonical JSON, as its event holds it.
  public var json: CanonicalJSON {
    .object(["amount": .string(amount), "unit": .string(unit.rawValue)])
  }

  init(json: CanonicalJSON) throws(TraceError) {
    try self.init(
      checking: Field.string(json, "amount"),
      unit: UnitCode(Field.string(json, "unit")), record: "quantity")
  }
}

/// A UN/ECE Recommendation 20 unit of measure code, from those OCOP products are sold in.
public struct UnitCode: RawRepresentable, Hashable, Sendable {
  public let rawValue: String

  /// The codes accepted, with their Vietnamese names.
  public static let known: [String: String] = [
    "KGM": "kg", "GRM": "g", "MGM": "mg", "TNE": "tấn", "LTR": "lít", "MLT": "ml",
    "H87": "cái", "C62": "đơn vị", "PR": "đôi", "SET": "bộ", "DZN": "tá", "MTR": "m",
    "MTK": "m²", "MTQ": "m³", "CMT": "cm",
  ]

  /// Creates a unit code; unknown codes are refused with the list of known ones.
  public init(_ code: String) throws(TraceError) {
    guard Self.known[code] != nil else {
      // A unit written as people write it (g, kg, lít) is named by its code.
      let meant =
        Self.known.first { $0.value.lowercased() == code.lowercased() }?.key
        ?? Self.known.keys.first { $0 == code.uppercased() }
      throw .invalidField(
        record: "quantity", field: "unit", value: code,
        reason: "is not a known UN/ECE unit code"
          + (meant.map { " (for \(Self.known[$0] ?? $0), write \($0))" } ?? "")
          + ": \(Self.known.keys.sorted().joined(separator: ", "))")
    }
    rawValue = code
  }

  public init?(rawValue: String) {
    guard Self.known[rawValue] != nil else { return nil }
    self.rawValue = rawValue
  }

  /// The units that count things (pieces, units, pairs, sets, dozens) rather than measure
  /// them: their amounts are whole numbers.
  public static let counting: Set<String> = ["H87", "C62", "PR", "SET", "DZN"]

  /// Whether the unit counts things, so that its amounts are whole numbers.
  public var counts: Bool { Self.counting.contains(rawValue) }

  /// The symbol a Vietnamese label shows: `kg`, `g`, `ml`.
  public var symbol: String { Self.known[rawValue] ?? rawValue }
}
