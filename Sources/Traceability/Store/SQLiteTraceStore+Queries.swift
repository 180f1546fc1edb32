import Foundation
import GRDB
import GS1

extension SQLiteTraceStore {
  public func producer(taxCode: String) throws(TraceError) -> Producer? {
    try read { db in try producer(taxCode: taxCode, db) }
  }

  public func producers() throws(TraceError) -> [Producer] {
    try read { db in
      try db.all("SELECT * FROM producers ORDER BY tax_code").map(
        Self.producer(from:))
    }
  }

  public func product(_ gtin: GTIN) throws(TraceError) -> Product? {
    try read { db in try product(gtin, db) }
  }

  public func products() throws(TraceError) -> [Product] {
    try read { db in
      try db.all("SELECT * FROM products ORDER BY gtin").map(Self.product(from:))
    }
  }

  public func ratingHistory(_ gtin: GTIN) throws(TraceError) -> RatingHistory {
    try read { db in try ratingHistory(gtin, db) }
  }

  public func batch(_ lot: LotReference) throws(TraceError) -> Batch? {
    try read { db in try batch(lot, db) }
  }

  public func batches(of gtin: GTIN) throws(TraceError) -> [Batch] {
    try read { db in
      try db.all(
        "SELECT * FROM batches WHERE gtin = ? ORDER BY lot", [gtin.digits]
      )
      .map { row in try batch(from: row, db) }
    }
  }

  public func batches(ofProducer taxCode: String) throws(TraceError) -> [Batch] {
    try read { db in
      try db.all(
        """
        SELECT batches.* FROM batches JOIN products ON products.gtin = batches.gtin
        WHERE products.producer = ? ORDER BY batches.gtin, batches.lot
        """, [taxCode]
      ).map { row in try batch(from: row, db) }
    }
  }

  public func serialRanges(_ lot: LotReference) throws(TraceError) -> [SerialRange] {
    try read { db in try serialRanges(lot, db) }
  }

  public func serialStatus(_ lot: LotReference, serial: String) throws(TraceError) -> SerialStatus {
    // Serials are allocated as decimal numbers without leading zeros.
    guard let number = Int64(serial), String(number) == serial, number > 0 else {
      return .outsideAnyRange
    }
    let range = try read { db in
      try serialRanges(lot, db).first { $0.first <= number && number <= $0.last }
    }
    return range.map(SerialStatus.allocated) ?? .outsideAnyRange
  }

  public func movements(_ lot: LotReference) throws(TraceError) -> [Movement] {
    try read { db in try movements(lot, db) }
  }

  public func recall(_ lot: LotReference) throws(TraceError) -> Recall? {
    try read { db in try recall(lot, db) }
  }

  public func recalls() throws(TraceError) -> [Recall] {
    try read { db in
      try db.all("SELECT gtin, lot FROM recalls ORDER BY event_seq").compactMap {
        row in
        try recall(LotReference(gtin: GTIN.checked(row["gtin"]), lot: row["lot"]), db)
      }
    }
  }

  public func traceBackward(_ lot: LotReference) throws(TraceError) -> TraceNode {
    try read { db in
      var visiting: Set<LotReference> = []
      return try traceNode(lot, db, direction: .backward, visiting: &visiting)
    }
  }

  public func traceForward(_ lot: LotReference) throws(TraceError) -> TraceNode {
    try read { db in
      var visiting: Set<LotReference> = []
      return try traceNode(lot, db, direction: .forward, visiting: &visiting)
    }
  }

  public func headSequence() throws(TraceError) -> Int64 {
    try read { db in try db.int("SELECT MAX(seq) FROM events") ?? 0 }
  }

  public func events(after sequence: Int64, limit: Int) throws(TraceError) -> [Event] {
    try read { db in
      try db.all(
        "SELECT body, signature FROM events WHERE seq > ? ORDER BY seq LIMIT ?", [sequence, limit]
      )
      .map { row in try Event(body: Array(row[0] as Data), signature: Array(row[1] as Data)) }
    }
  }

  // MARK: - Reads inside a transaction

  func producer(taxCode: String, _ db: Database) throws -> Producer? {
    try db.one("SELECT * FROM producers WHERE tax_code = ?", [taxCode])
      .map(Self.producer(from:))
  }

  func product(_ gtin: GTIN, _ db: Database) throws -> Product? {
    try db.one("SELECT * FROM products WHERE gtin = ?", [gtin.digits])
      .map(Self.product(from:))
  }

  func ratingHistory(_ gtin: GTIN, _ db: Database) throws -> RatingHistory {
    let rows = try db.all("SELECT * FROM ratings WHERE gtin = ? ORDER BY event_seq", [gtin.digits])
    return RatingHistory(
      try rows.map { row in
        guard let status = RatingStatus(rawValue: row["status"]),
          let level = DecisionLevel(rawValue: row["level"])
        else { throw TraceError.malformed(what: "ratings row", reason: "unknown status or level") }
        let until: String? = row["valid_until"]
        return try OCOPRating(
          stars: row["stars"], status: status,
          decision: Decision(
            number: row["decision"], date: GS1Date.checked(row["decision_date"]), level: level),
          validUntil: until.map { text throws(TraceError) in try GS1Date.checked(text) })
      })
  }

  func batch(_ lot: LotReference, _ db: Database) throws -> Batch? {
    try db.one(
      "SELECT * FROM batches WHERE gtin = ? AND lot = ?", [lot.gtin.digits, lot.lot]
    ).map { row in try batch(from: row, db) }
  }

  func serialRanges(_ lot: LotReference, _ db: Database) throws -> [SerialRange] {
    try db.all(
      "SELECT * FROM serial_ranges WHERE gtin = ? AND lot = ? ORDER BY first",
      [lot.gtin.digits, lot.lot]
    ).map { row in
      SerialRange(
        lot: lot, first: row["first"], last: row["last"], printRun: row["run"],
        eventSequence: row["event_seq"])
    }
  }

  func movements(_ lot: LotReference, _ db: Database) throws -> [Movement] {
    try db.all(
      "SELECT * FROM movements WHERE gtin = ? AND lot = ? ORDER BY event_seq",
      [lot.gtin.digits, lot.lot]
    ).map { row in try Self.movement(from: row, lot: lot) }
  }

  func recall(_ lot: LotReference, _ db: Database) throws -> Recall? {
    guard
      let row = try db.one(
        "SELECT * FROM recalls WHERE gtin = ? AND lot = ?", [lot.gtin.digits, lot.lot])
    else { return nil }
    let downstream = try downstreamLots(of: lot, db)
    var shipments: [Movement] = []
    for reached in [lot] + downstream {
      shipments += try db.all(
        "SELECT * FROM movements WHERE gtin = ? AND lot = ? AND direction = ? ORDER BY event_seq",
        [reached.gtin.digits, reached.lot, EventKind.shipping.rawValue]
      ).map { row in try Self.movement(from: row, lot: reached) }
    }
    let recordedAt: String = row["recorded_at"]
    return Recall(
      lot: lot, reason: row["reason"], recordedAt: try Timestamp(recordedAt),
      downstream: downstream, shipments: shipments)
  }

  /// Every lot made from `lot`, transitively, in breadth-first order without repeats.
  func downstreamLots(of lot: LotReference, _ db: Database) throws -> [LotReference] {
    var seen: Set<LotReference> = [lot]
    var queue = [lot]
    var result: [LotReference] = []
    while !queue.isEmpty {
      let current = queue.removeFirst()
      for next in try consumers(of: current, db) where seen.insert(next).inserted {
        result.append(next)
        queue.append(next)
      }
    }
    return result
  }

  private func consumers(of lot: LotReference, _ db: Database) throws -> [LotReference] {
    try db.all(
      """
      SELECT output_gtin, output_lot FROM batch_inputs WHERE input_gtin = ? AND input_lot = ?
      ORDER BY output_gtin, output_lot
      """, [lot.gtin.digits, lot.lot]
    ).map { row in try LotReference(gtin: GTIN.checked(row["output_gtin"]), lot: row["output_lot"])
    }
  }

  private func inputs(of lot: LotReference, _ db: Database) throws -> [LotReference] {
    try db.all(
      """
      SELECT input_gtin, input_lot FROM batch_inputs WHERE output_gtin = ? AND output_lot = ?
      ORDER BY input_gtin, input_lot
      """, [lot.gtin.digits, lot.lot]
    ).map { row in try LotReference(gtin: GTIN.checked(row["input_gtin"]), lot: row["input_lot"]) }
  }

  private enum Direction { case backward, forward }

  private func traceNode(
    _ lot: LotReference, _ db: Database, direction: Direction, visiting: inout Set<LotReference>
  ) throws -> TraceNode {
    guard let batch = try batch(lot, db) else {
      throw TraceError.notFound(kind: "lot", key: lot.description)
    }
    guard let product = try product(lot.gtin, db),
      let producer = try producer(taxCode: product.producerTaxCode, db)
    else { throw TraceError.notFound(kind: "product", key: lot.gtin.digits) }
    visiting.insert(lot)
    defer { visiting.remove(lot) }
    let next = direction == .backward ? try inputs(of: lot, db) : try consumers(of: lot, db)
    var children: [TraceNode] = []
    // Lots are issued after their inputs exist, so the graph has no cycles; the check
    // only guards against a store edited by hand.
    for child in next where !visiting.contains(child) {
      children.append(try traceNode(child, db, direction: direction, visiting: &visiting))
    }
    let recallRow = try db.one(
      "SELECT reason, recorded_at FROM recalls WHERE gtin = ? AND lot = ?",
      [lot.gtin.digits, lot.lot])
    let recall = try recallRow.map { row -> Recall in
      let reason: String = row["reason"]
      let recordedAt: String = row["recorded_at"]
      return Recall(
        lot: lot, reason: reason, recordedAt: try Timestamp(recordedAt), downstream: [],
        shipments: [])
    }
    return TraceNode(
      batch: batch, product: product, producer: producer, recall: recall, children: children)
  }

  // MARK: - Rows to records

  static func producer(from row: Row) throws -> Producer {
    guard let kind = ProducerKind(rawValue: row["kind"]) else {
      throw TraceError.malformed(what: "producers row", reason: "unknown kind")
    }
    let gln: String? = row["gln"]
    return try Producer(
      taxCode: row["tax_code"], kind: kind, name: row["name"],
      address: Address(
        detail: row["detail"], commune: row["commune"], district: row["district"],
        province: row["province"]),
      gln: gln.map { try GLN($0) })
  }

  static func product(from row: Row) throws -> Product {
    guard let group = ProductGroup(rawValue: row["product_group"]) else {
      throw TraceError.malformed(what: "products row", reason: "unknown group")
    }
    return try Product(
      gtin: GTIN.checked(row["gtin"]), producerTaxCode: row["producer"],
      nameVietnamese: row["name_vi"],
      nameEnglish: row["name_en"], group: group,
      netContent: Quantity(amount: row["net_amount"], unit: UnitCode(row["net_unit"])),
      ingredients: row["ingredients"], storage: row["storage"], usage: row["usage"])
  }

  static func movement(from row: Row, lot: LotReference) throws -> Movement {
    let gln: String? = row["gln"]
    let amount: String? = row["amount"]
    let unit: String? = row["unit"]
    var quantity: Quantity?
    if let amount, let unit { quantity = try Quantity(amount: amount, unit: UnitCode(unit)) }
    return try Movement(
      lot: lot, party: row["party"], gln: gln.map { try GLN($0) },
      date: GS1Date.checked(row["date"]),
      quantity: quantity)
  }

  func batch(from row: Row, _ db: Database) throws -> Batch {
    let lot = try LotReference(gtin: GTIN.checked(row["gtin"]), lot: row["lot"])
    func date(_ column: String) throws -> GS1Date? {
      let text: String? = row[column]
      return try text.map { try GS1Date.checked($0) }
    }
    let latitude: String? = row["latitude"]
    let longitude: String? = row["longitude"]
    var coordinates: Coordinates?
    if let latitude, let longitude {
      coordinates = try Coordinates(latitude: latitude, longitude: longitude)
    }
    let origin = try Origin(
      areaName: row["origin_area"],
      address: Address(
        detail: row["origin_detail"], commune: row["origin_commune"],
        district: row["origin_district"],
        province: row["origin_province"]),
      coordinates: coordinates, harvestStart: date("harvest_start"), harvestEnd: date("harvest_end")
    )
    let request = try BatchRequest(
      lot: lot, productionDate: GS1Date.checked(row["production_date"]),
      expiryDate: GS1Date.checked(row["expiry_date"]),
      quantity: Quantity(amount: row["amount"], unit: UnitCode(row["unit"])), origin: origin,
      inputs: inputs(of: lot, db))
    var rating: RatingAtProduction?
    if let stars: Int = row["rating_stars"], let decisionDate = try date("rating_decision_date"),
      let until = try date("rating_valid_until")
    {
      rating = RatingAtProduction(
        stars: stars, decision: row["rating_decision"], decisionDate: decisionDate,
        validUntil: until)
    }
    return Batch(request: request, rating: rating, eventSequence: row["event_seq"])
  }
}
