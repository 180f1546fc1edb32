import Foundation
import GRDB
import GS1
import Traceability

/// The store's reads and appends on one GRDB connection, inside one snapshot or
/// transaction: each question one query, no rule decided here.
struct SQLiteReader: TraceTransaction {
  let db: Database

  func producer(taxCode: String) throws -> Producer? {
    try db.one("SELECT * FROM producers WHERE tax_code = ?", [taxCode]).map(Self.producer(from:))
  }

  func producers() throws -> [Producer] {
    try db.all("SELECT * FROM producers ORDER BY tax_code").map(Self.producer(from:))
  }

  func product(_ gtin: GTIN) throws -> Product? {
    try db.one("SELECT * FROM products WHERE gtin = ?", [gtin.digits]).map(Self.product(from:))
  }

  func products() throws -> [Product] {
    try db.all("SELECT * FROM products ORDER BY gtin").map(Self.product(from:))
  }

  func ratingHistory(_ gtin: GTIN) throws -> RatingHistory {
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

  func batch(_ lot: LotReference) throws -> Batch? {
    try db.one("SELECT * FROM batches WHERE gtin = ? AND lot = ?", [lot.gtin.digits, lot.lot])
      .map(batch(from:))
  }

  func batches(of gtin: GTIN) throws -> [Batch] {
    try db.all("SELECT * FROM batches WHERE gtin = ? ORDER BY lot", [gtin.digits])
      .map(batch(from:))
  }

  func batches(ofProducer taxCode: String) throws -> [Batch] {
    try db.all(
      """
      SELECT batches.* FROM batches JOIN products ON products.gtin = batches.gtin
      WHERE products.producer = ? ORDER BY batches.gtin, batches.lot
      """, [taxCode]
    ).map(batch(from:))
  }

  func serialRanges(_ lot: LotReference) throws -> [SerialRange] {
    try db.all(
      "SELECT * FROM serial_ranges WHERE gtin = ? AND lot = ? ORDER BY first",
      [lot.gtin.digits, lot.lot]
    ).map { row in
      SerialRange(
        lot: lot, first: row["first"], last: row["last"], printRun: row["run"],
        eventSequence: row["event_seq"])
    }
  }

  func movements(_ lot: LotReference) throws -> [Movement] {
    try db.all(
      "SELECT * FROM movements WHERE gtin = ? AND lot = ? ORDER BY event_seq",
      [lot.gtin.digits, lot.lot]
    ).map { row in try Self.movement(from: row, lot: lot) }
  }

  func shipments(_ lot: LotReference) throws -> [Movement] {
    try db.all(
      "SELECT * FROM movements WHERE gtin = ? AND lot = ? AND direction = ? ORDER BY event_seq",
      [lot.gtin.digits, lot.lot, EventKind.shipping.rawValue]
    ).map { row in try Self.movement(from: row, lot: lot) }
  }

  func recallNotice(_ lot: LotReference) throws -> RecallNotice? {
    guard
      let row = try db.one(
        "SELECT reason, recorded_at FROM recalls WHERE gtin = ? AND lot = ?",
        [lot.gtin.digits, lot.lot])
    else { return nil }
    let recordedAt: String = row["recorded_at"]
    return RecallNotice(reason: row["reason"], recordedAt: try Timestamp(recordedAt))
  }

  func recalledLots() throws -> [LotReference] {
    try db.all("SELECT gtin, lot FROM recalls ORDER BY event_seq").map { row in
      try LotReference(gtin: GTIN.checked(row["gtin"]), lot: row["lot"])
    }
  }

  func inputs(of lot: LotReference) throws -> [LotReference] {
    try db.all(
      """
      SELECT input_gtin, input_lot FROM batch_inputs WHERE output_gtin = ? AND output_lot = ?
      ORDER BY input_gtin, input_lot
      """, [lot.gtin.digits, lot.lot]
    ).map { row in try LotReference(gtin: GTIN.checked(row["input_gtin"]), lot: row["input_lot"]) }
  }

  func consumers(of lot: LotReference) throws -> [LotReference] {
    try db.all(
      """
      SELECT output_gtin, output_lot FROM batch_inputs WHERE input_gtin = ? AND input_lot = ?
      ORDER BY output_gtin, output_lot
      """, [lot.gtin.digits, lot.lot]
    ).map { row in
      try LotReference(gtin: GTIN.checked(row["output_gtin"]), lot: row["output_lot"])
    }
  }

  func headSequence() throws -> Int64 {
    try db.int("SELECT MAX(seq) FROM events") ?? 0
  }

  func events(after sequence: Int64, limit: Int) throws -> [Event] {
    try db.all(
      "SELECT body, signature FROM events WHERE seq > ? ORDER BY seq LIMIT ?", [sequence, limit]
    )
    .map { row in try Event(body: Array(row[0] as Data), signature: Array(row[1] as Data)) }
  }

  // MARK: - The audit's reads

  func integrityProblems() throws -> [String] {
    let found = try String.fetchAll(db, sql: "PRAGMA integrity_check(20)")
    return found == ["ok"] ? [] : found
  }

  func storedEvents() throws -> any StoredEventCursor {
    EventRows(
      cursor: try Row.fetchCursor(
        db, sql: "SELECT seq, kind, body, signature, hash FROM events ORDER BY seq"))
  }

  func derivedRows(of table: Projection.Table) throws -> any DerivedRowCursor {
    // rowid order is the order rows were written in.
    DerivedRows(
      cursor: try Row.fetchCursor(
        db,
        sql: "SELECT \(table.columns.joined(separator: ", ")) FROM \(table.name) ORDER BY rowid"))
  }

  // MARK: - Appends

  func head() throws -> (sequence: Int64, hash: [UInt8])? {
    try db.one("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").map { row in
      (row[0], Array(row[1] as Data))
    }
  }

  func batchExists(_ lot: LotReference) throws -> Bool {
    try RawInsert.exists(
      db.cachedStatement(sql: "SELECT 1 FROM batches WHERE gtin = ? AND lot = ?"),
      [lot.gtin.digits, lot.lot], in: db)
  }

  func productExists(_ gtin: GTIN) throws -> Bool {
    try db.int("SELECT 1 FROM products WHERE gtin = ?", [gtin.digits]) != nil
  }

  func lastSerial(_ lot: LotReference) throws -> Int64 {
    try db.int(
      "SELECT MAX(last) FROM serial_ranges WHERE gtin = ? AND lot = ?", [lot.gtin.digits, lot.lot])
      ?? 0
  }

  func insert(_ event: StoredEvent) throws {
    try RawInsert.insertEvent(event, in: db)
  }

  func insert(_ rows: [Projection.Row]) throws {
    try RawInsert.insert(rows, in: db)
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

  func batch(from row: Row) throws -> Batch {
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
      inputs: inputs(of: lot))
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

/// The events table's rows, streamed.
struct EventRows: StoredEventCursor {
  let cursor: RowCursor

  func next() throws -> StoredEvent? {
    try cursor.next().map { row in
      StoredEvent(
        sequence: row[0], kind: row[1], body: Array(row[2] as Data),
        signature: Array(row[3] as Data), hash: Array(row[4] as Data))
    }
  }
}

/// A derived table's rows, streamed, as cells.
struct DerivedRows: DerivedRowCursor {
  let cursor: RowCursor

  func next() throws -> [Cell]? {
    try cursor.next().map { row in (0..<row.count).map { Cell(row[$0] as DatabaseValue) } }
  }
}
