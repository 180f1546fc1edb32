import GS1

/// A lot of one product: its GTIN and lot code (GS1 AI 10).
public struct LotReference: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The product's GTIN.
  public let gtin: GTIN
  /// The lot code, valid as GS1 AI (10).
  public let lot: String

  /// Creates a lot reference, checking the lot code against GS1's rules for AI (10).
  public init(gtin: GTIN, lot: String) throws(TraceError) {
    do {
      try AIElement(ai: "10", value: lot).validated()
    } catch {
      throw error.trace
    }
    self.gtin = gtin
    self.lot = lot
  }

  /// `08931234567897/LOT-A`.
  public var description: String { "\(gtin.digits)/\(lot)" }

  public static func < (lhs: LotReference, rhs: LotReference) -> Bool {
    (lhs.gtin.digits, lhs.lot) < (rhs.gtin.digits, rhs.lot)
  }

  /// The record as canonical JSON, as its event holds it.
  public var json: CanonicalJSON { .object(["gtin": .string(gtin.digits), "lot": .string(lot)]) }

  init(json: CanonicalJSON) throws(TraceError) {
    try self.init(gtin: GTIN.checked(Field.string(json, "gtin")), lot: Field.string(json, "lot"))
  }
}

/// Decimal degrees of a place, WGS 84, kept as written (up to 7 decimals).
public struct Coordinates: Hashable, Sendable {
  /// Latitude, −90 to 90.
  public let latitude: String
  /// Longitude, −180 to 180.
  public let longitude: String

  /// Creates coordinates, checking their ranges.
  public init(latitude: String, longitude: String) throws(TraceError) {
    self.latitude = try Self.check(latitude, field: "latitude", limit: 90)
    self.longitude = try Self.check(longitude, field: "longitude", limit: 180)
  }

  private static func check(_ text: String, field: String, limit: Double) throws(TraceError)
    -> String
  {
    let body = text.hasPrefix("-") ? text.dropFirst() : text[...]
    let parts = body.split(separator: ".", omittingEmptySubsequences: false)
    let ok =
      (1...2).contains(parts.count)
      && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
      && (parts.count == 1 || parts[1].count <= 7)
    guard ok, let value = Double(text), abs(value) <= limit else {
      throw .invalidField(
        record: "origin", field: field, value: text,
        reason: "must be decimal degrees from -\(Int(limit)) to \(Int(limit)), at most 7 decimals")
    }
    return text
  }
}

/// Where the raw material of a lot came from.
public struct Origin: Hashable, Sendable {
  /// The raw-material area: a field, orchard, pond or forest, by name.
  public let areaName: String
  /// Its administrative address.
  public let address: Address
  /// Its position, if known.
  public let coordinates: Coordinates?
  /// The first day of harvest or catch, if known.
  public let harvestStart: GS1Date?
  /// The last day of harvest or catch, if known.
  public let harvestEnd: GS1Date?

  /// Creates an origin; the harvest must not end before it starts.
  public init(
    areaName: String, address: Address, coordinates: Coordinates? = nil,
    harvestStart: GS1Date? = nil, harvestEnd: GS1Date? = nil
  ) throws(TraceError) {
    self.areaName = try Text.required(
      areaName, record: "origin", field: "area name", maxLength: 200)
    if let harvestStart, let harvestEnd, harvestEnd < harvestStart {
      throw .invalidField(
        record: "origin", field: "harvest end", value: harvestEnd.iso,
        reason: "is before the harvest start \(harvestStart.iso)")
    }
    self.address = address
    self.coordinates = coordinates
    self.harvestStart = harvestStart
    self.harvestEnd = harvestEnd
  }

  /// The record as canonical JSON, as its event holds it.
  public var json: CanonicalJSON {
    .object([
      "area": .string(areaName), "address": address.json,
      "latitude": coordinates.map { .string($0.latitude) } ?? .null,
      "longitude": coordinates.map { .string($0.longitude) } ?? .null,
      "harvestStart": harvestStart.map { .string($0.iso) } ?? .null,
      "harvestEnd": harvestEnd.map { .string($0.iso) } ?? .null,
    ])
  }

  init(json: CanonicalJSON) throws(TraceError) {
    var coordinates: Coordinates?
    if let latitude = json["latitude"]?.stringValue, let longitude = json["longitude"]?.stringValue
    {
      coordinates = try Coordinates(latitude: latitude, longitude: longitude)
    }
    try self.init(
      areaName: Field.string(json, "area"), address: Address(json: Field.object(json, "address")),
      coordinates: coordinates,
      harvestStart: json["harvestStart"]?.stringValue.map { text throws(TraceError) in
        try GS1Date.checked(text)
      },
      harvestEnd: json["harvestEnd"]?.stringValue.map { text throws(TraceError) in
        try GS1Date.checked(text)
      })
  }
}

/// What a producer asks for when issuing a batch; the store checks it against its records.
public struct BatchRequest: Hashable, Sendable {
  /// The product's GTIN and the new lot code.
  public let lot: LotReference
  /// Production date (NSX).
  public let productionDate: GS1Date
  /// Expiry date (HSD).
  public let expiryDate: GS1Date
  /// How much the lot holds.
  public let quantity: Quantity
  /// Where its raw material came from.
  public let origin: Origin
  /// The lots it was made from, one step back.
  public let inputs: [LotReference]

  /// Creates a request, checking what can be checked without the store: expiry not before
  /// production, no harvest after production, inputs distinct and not the lot itself.
  public init(
    lot: LotReference, productionDate: GS1Date, expiryDate: GS1Date, quantity: Quantity,
    origin: Origin, inputs: [LotReference] = []
  ) throws(TraceError) {
    guard productionDate <= expiryDate else {
      throw .invalidField(
        record: "batch \(lot)", field: "expiry date", value: expiryDate.iso,
        reason: "is before the production date \(productionDate.iso)")
    }
    for (field, day) in [
      ("harvest start", origin.harvestStart), ("harvest end", origin.harvestEnd),
    ] {
      if let day, day > productionDate {
        throw .invalidField(
          record: "batch \(lot)", field: field, value: day.iso,
          reason: "is after the production date \(productionDate.iso)")
      }
    }
    if inputs.contains(lot) {
      throw .invalidField(
        record: "batch \(lot)", field: "input lots", value: lot.description,
        reason: "a lot cannot be its own input")
    }
    if Set(inputs).count != inputs.count {
      throw .invalidField(
        record: "batch \(lot)", field: "input lots",
        value: inputs.map(\.description).joined(separator: " "),
        reason: "names a lot twice")
    }
    self.lot = lot
    self.productionDate = productionDate
    self.expiryDate = expiryDate
    self.quantity = quantity
    self.origin = origin
    self.inputs = inputs
  }
}

/// The OCOP rating a batch was issued under: the certification in force on its
/// production date, or none.
public struct RatingAtProduction: Hashable, Sendable {
  /// A rating as a backend reads it back.
  package init(stars: Int, decision: String, decisionDate: GS1Date, validUntil: GS1Date) {
    self.stars = stars
    self.decision = decision
    self.decisionDate = decisionDate
    self.validUntil = validUntil
  }

  /// Stars, 3 to 5.
  public let stars: Int
  /// The certifying decision's number.
  public let decision: String
  /// Its date.
  public let decisionDate: GS1Date
  /// The certificate's last valid day.
  public let validUntil: GS1Date
}

/// An issued batch (lot), as recorded.
public struct Batch: Hashable, Sendable {
  /// A batch as a backend reads it back.
  package init(request: BatchRequest, rating: RatingAtProduction?, eventSequence: Int64) {
    self.request = request
    self.rating = rating
    self.eventSequence = eventSequence
  }

  /// The request as it was accepted.
  public let request: BatchRequest
  /// The OCOP rating in force on the production date; nil when there was none, in which
  /// case the batch carries no OCOP stars.
  public let rating: RatingAtProduction?
  /// The sequence number of the event that issued it.
  public let eventSequence: Int64

  /// The lot.
  public var lot: LotReference { request.lot }
}

extension Batch {
  /// The batch as canonical JSON: its commissioning data and the OCOP rating it was issued
  /// under.
  public var json: CanonicalJSON {
    .object([
      "lot": lot.json, "productionDate": .string(request.productionDate.iso),
      "expiryDate": .string(request.expiryDate.iso), "quantity": request.quantity.json,
      "origin": request.origin.json, "inputs": .array(request.inputs.map(\.json)),
      "rating": rating?.json ?? .null, "event": .integer(eventSequence),
    ])
  }
}
