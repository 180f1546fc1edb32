import GS1

/// Where an OCOP rating stands.
public enum RatingStatus: String, CaseIterable, Sendable {
  /// Certified by a council's decision, valid for its term.
  case certified
  /// Proposed by the province to the central council for 5 stars; an earlier provincial
  /// certificate stays in force meanwhile.
  case proposedCentral = "proposed-central"
  /// The certificate ran out without re-rating.
  case expired
  /// The certificate was withdrawn by decision.
  case revoked
  /// Evaluated and not rated (below 50 points).
  case notRated = "not-rated"
}

/// The level of the People's Committee that issued a decision.
public enum DecisionLevel: String, CaseIterable, Sendable {
  /// A province certifies 3 and 4 stars.
  case provincial
  /// The central council certifies 5 stars.
  case central
}

/// A decision (quyết định) that rates, proposes, revokes or ends an OCOP rating.
public struct Decision: Hashable, Sendable {
  /// The decision number, such as `436/QĐ-UBND`.
  public let number: String
  /// The date it was signed; a certificate runs from this date.
  public let date: GS1Date
  /// Provincial or central.
  public let level: DecisionLevel

  /// Creates a decision reference.
  public init(number: String, date: GS1Date, level: DecisionLevel) throws(TraceError) {
    self.number = try Text.required(number, record: "decision", field: "number", maxLength: 60)
    self.date = date
    self.level = level
  }
}

/// One entry in a product's OCOP rating history.
public struct OCOPRating: Hashable, Sendable {
  /// Stars, 3 to 5, for a certification or a proposal; nil otherwise.
  public let stars: Int?
  /// What the decision did.
  public let status: RatingStatus
  /// The decision.
  public let decision: Decision
  /// For a certification, the last day it is valid: 36 months from the decision unless the
  /// decision says otherwise.
  public let validUntil: GS1Date?

  /// The stars `text` gives: exactly `3`, `4` or `5` (not `+4`, `04` or `4.0`); nil for
  /// anything else.
  public static func stars(_ text: String) -> Int? {
    switch text {
    case "3": 3
    case "4": 4
    case "5": 5
    default: nil
    }
  }

  /// Whether `other` records the same decision: the same number, date, stars and status.
  /// A store holds each decision once.
  public func isSameDecision(as other: OCOPRating) -> Bool {
    (decision.number, decision.date, stars, status)
      == (other.decision.number, other.decision.date, other.stars, other.status)
  }

  /// Creates a rating entry; a certification defaults to 36 months' validity.
  public init(stars: Int?, status: RatingStatus, decision: Decision, validUntil: GS1Date? = nil)
    throws(TraceError)
  {
    let record = "OCOP rating \(decision.number)"
    switch status {
    case .certified, .proposedCentral:
      guard let stars, (3...5).contains(stars) else {
        throw .invalidField(
          record: record, field: "stars", value: stars.map(String.init) ?? "",
          reason: "must be 3, 4 or 5")
      }
      if status == .certified, stars == 5, decision.level != .central {
        throw .invalidField(
          record: record, field: "stars", value: "5",
          reason: "5 stars are certified by the central council, not a province")
      }
      if status == .proposedCentral, stars != 5 {
        throw .invalidField(
          record: record, field: "stars", value: String(stars),
          reason: "a proposal to the central council is for 5 stars")
      }
    case .expired, .revoked, .notRated:
      if let stars {
        throw .invalidField(
          record: record, field: "stars", value: String(stars),
          reason: "a \(status.rawValue) decision carries no stars")
      }
    }
    let until = status == .certified ? (validUntil ?? Self.defaultEnd(from: decision.date)) : nil
    if let until, until < decision.date {
      throw .invalidField(
        record: record, field: "valid until", value: until.iso,
        reason: "is before the decision date \(decision.date.iso)")
    }
    self.stars = stars
    self.status = status
    self.decision = decision
    self.validUntil = until
  }

  /// The last valid day of a certificate signed on `date`: 36 months on, less one day.
  static func defaultEnd(from date: GS1Date) -> GS1Date {
    let end = date.addingMonths(36)
    return end.previousDay
  }

  /// The record as canonical JSON, as its event holds it.
  public var json: CanonicalJSON {
    .object([
      "stars": stars.map { .integer(Int64($0)) } ?? .null, "status": .string(status.rawValue),
      "decision": .string(decision.number), "decisionDate": .string(decision.date.iso),
      "level": .string(decision.level.rawValue),
      "validUntil": validUntil.map { .string($0.iso) } ?? .null,
    ])
  }

  init(json: CanonicalJSON) throws(TraceError) {
    guard let status = RatingStatus(rawValue: try Field.string(json, "status")),
      let level = DecisionLevel(rawValue: try Field.string(json, "level"))
    else { throw .malformed(what: "rating record", reason: "unknown status or level") }
    let decision = try Decision(
      number: Field.string(json, "decision"),
      date: GS1Date.checked(Field.string(json, "decisionDate")), level: level)
    var until: GS1Date?
    if let text = json["validUntil"]?.stringValue { until = try GS1Date.checked(text) }
    try self.init(
      stars: json["stars"]?.integerValue.map { Int($0) }, status: status, decision: decision,
      validUntil: until)
  }
}

/// A product's OCOP rating history, and the rating in force on any day.
public struct RatingHistory: Hashable, Sendable {
  /// Entries in the order they were recorded.
  public let entries: [OCOPRating]

  /// Creates a history from entries in recording order.
  public init(_ entries: [OCOPRating]) { self.entries = entries }

  /// The certification in force on `date`: the latest certification signed on or before
  /// it and still valid, unless a later revocation, expiry or non-rating dated on or before
  /// `date` ended it. A proposal to the central council does not end it.
  public func inForce(on date: GS1Date) -> OCOPRating? {
    let known = entries.enumerated()
      .filter { $0.element.decision.date <= date }
      .sorted { ($0.element.decision.date, $0.offset) < ($1.element.decision.date, $1.offset) }
      .map(\.element)
    var current: OCOPRating?
    for entry in known {
      switch entry.status {
      case .certified: current = entry
      case .expired, .revoked, .notRated: current = nil
      case .proposedCentral: break
      }
    }
    guard let current, let until = current.validUntil, date <= until else { return nil }
    return current
  }
}

extension GS1Date {
  /// The day before this one.
  var previousDay: GS1Date {
    if day > 1 { return (try? GS1Date(year: year, month: month, day: day - 1)) ?? self }
    let previousMonth = addingMonths(-1)
    guard
      let endOfMonth = try? GS1Date(year: previousMonth.year, month: previousMonth.month, day: 0)
    else { return self }
    return (try? GS1Date(year: endOfMonth.year, month: endOfMonth.month, day: endOfMonth.day))
      ?? self
  }
}
