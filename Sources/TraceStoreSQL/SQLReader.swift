import Foundation
import GS1
import Traceability

/// The store's reads and appends over any ``SQLConnection``, inside one snapshot or
/// transaction: each question one query, written once for every SQL backend, and no rule
/// decided here.
package struct SQLReader<Connection: SQLConnection>: TraceTransaction {
  package let connection: Connection

  /// A reader over `connection`.
  package init(_ connection: Connection) {
    self.connection = connection
  }

  private func records<T>(
    _ table: Projection.Table, _ sql: String, _ arguments: [Cell],
    _ decode: (RecordRow) throws -> T
  ) throws -> [T] {
    try connection.rows(sql, arguments).map { try decode(RecordRow(table: table, cells: $0)) }
  }

  private static func key(_ lot: LotReference) -> [Cell] {
    [.text(lot.gtin.digits), .text(lot.lot)]
  }

  package func producer(taxCode: String) throws -> Producer? {
    try records(
      Projection.producers, Statements.producerByTaxCode, [.text(taxCode)], Records.producer
    ).first
  }

  package func producers() throws -> [Producer] {
    try records(Projection.producers, Statements.allProducers, [], Records.producer)
  }

  package func product(_ gtin: GTIN) throws -> Product? {
    try records(
      Projection.products, Statements.productByGTIN, [.text(gtin.digits)], Records.product
    ).first
  }

  package func products() throws -> [Product] {
    try records(Projection.products, Statements.allProducts, [], Records.product)
  }

  package func ratingHistory(_ gtin: GTIN) throws -> RatingHistory {
    RatingHistory(
      try records(Projection.ratings, Statements.ratingsOfGTIN, [.text(gtin.digits)]) { row in
        guard let status = RatingStatus(rawValue: try row.required("status")),
          let level = DecisionLevel(rawValue: try row.required("level"))
        else { throw TraceError.malformed(what: "ratings row", reason: "unknown status or level") }
        return try OCOPRating(
          stars: row.integer("stars").map { Int($0) }, status: status,
          decision: Decision(
            number: row.required("decision"), date: GS1Date.checked(row.required("decision_date")),
            level: level),
          validUntil: row.date("valid_until"))
      })
  }

  package func ratingEvents(_ gtin: GTIN) throws -> [Int64] {
    try connection.rows(
      "SELECT event_seq FROM ratings WHERE gtin = ? ORDER BY event_seq", [.text(gtin.digits)]
    ).compactMap { row in
      if case .integer(let sequence) = row.first { return sequence }
      return nil
    }
  }

  package func batch(_ lot: LotReference) throws -> Batch? {
    try records(Projection.batches, Statements.batchByLot, Self.key(lot), batch).first
  }

  package func batches(of gtin: GTIN) throws -> [Batch] {
    try records(Projection.batches, Statements.batchesOfGTIN, [.text(gtin.digits)], batch)
  }

  package func batches(ofProducer taxCode: String) throws -> [Batch] {
    try records(Projection.batches, Statements.batchesOfProducer, [.text(taxCode)], batch)
  }

  package func serialRanges(_ lot: LotReference) throws -> [SerialRange] {
    try records(Projection.serialRanges, Statements.rangesOfLot, Self.key(lot)) { row in
      SerialRange(
        lot: lot, first: try row.requiredInteger("first"), last: try row.requiredInteger("last"),
        printRun: try row.text("run"), eventSequence: try row.requiredInteger("event_seq"))
    }
  }

  package func movements(_ lot: LotReference) throws -> [Movement] {
    try records(Projection.movements, Statements.movementsOfLot, Self.key(lot)) {
      try Records.movement($0, lot: lot)
    }
  }

  package func photo(sha256: String) throws -> PhotoFile? {
    guard let row = try connection.rows(Statements.photo, [.text(sha256)]).first,
      case .text(let text)? = row.first
    else { return nil }
    guard let bytes = Data(base64Encoded: text) else {
      throw TraceError.malformed(what: "photos row \(sha256)", reason: "is not base64")
    }
    return try PhotoFile(stored: Array(bytes), sha256: sha256)
  }

  package func insert(photo: PhotoFile) throws {
    _ = try connection.rows(
      Statements.insertPhoto,
      [
        .text(photo.reference.sha256), .text(photo.mediaType),
        .text(Data(photo.bytes).base64EncodedString()),
      ])
  }

  package func stages(_ lot: LotReference) throws -> [ProductionStage] {
    try records(Projection.stages, Statements.stagesOfLot, Self.key(lot)) {
      try Records.stage($0, lot: lot)
    }
  }

  package func shipments(_ lot: LotReference) throws -> [Movement] {
    try records(
      Projection.movements, Statements.shipmentsOfLot,
      Self.key(lot) + [.text(EventKind.shipping.rawValue)]
    ) { try Records.movement($0, lot: lot) }
  }

  package func recallNotice(_ lot: LotReference) throws -> RecallNotice? {
    guard
      let recall = try records(
        Projection.recalls, Statements.recallOfLot, Self.key(lot),
        { row in
          (
            reason: try row.required("reason") as String,
            recordedAt: try Timestamp(row.required("recorded_at"))
          )
        }
      ).first
    else { return nil }
    let withdrawal = try records(
      Projection.recallWithdrawals, Statements.withdrawalOfLot, Self.key(lot)
    ) { row in
      RecallWithdrawal(
        reason: try row.required("reason"), recordedAt: try Timestamp(row.required("recorded_at")))
    }.first
    return RecallNotice(
      reason: recall.reason, recordedAt: recall.recordedAt, withdrawal: withdrawal)
  }

  package func recalledLots() throws -> [LotReference] {
    try records(Projection.recalls, Statements.recalled, []) { try $0.lot() }
  }

  package func inputs(of lot: LotReference) throws -> [LotReference] {
    try records(Projection.batchInputs, Statements.inputsOfLot, Self.key(lot)) { row in
      try row.lot(gtin: "input_gtin", lot: "input_lot")
    }
  }

  package func consumers(of lot: LotReference) throws -> [LotReference] {
    try records(Projection.batchInputs, Statements.consumersOfLot, Self.key(lot)) { row in
      try row.lot(gtin: "output_gtin", lot: "output_lot")
    }
  }

  package func headSequence() throws -> Int64 {
    try connection.integer("SELECT MAX(seq) FROM events", []) ?? 0
  }

  package func events(after sequence: Int64, limit: Int) throws -> [Event] {
    try connection.events(after: sequence, limit: limit)
  }

  package func importedEvent(log: String, sequence: Int64) throws -> (
    hash: String, eventSequence: Int64
  )? {
    guard
      let row = try connection.row(
        "SELECT hash, event_seq FROM imported_events WHERE log = ? AND log_seq = ?",
        [.text(log), .integer(sequence)]),
      case .text(let hash) = row[0], case .integer(let event) = row[1]
    else { return nil }
    return (hash, event)
  }

  package func importedHead(log: String) throws -> (sequence: Int64, hash: String)? {
    guard
      let row = try connection.row(
        "SELECT log_seq, hash FROM imported_events WHERE log = ? ORDER BY log_seq DESC LIMIT 1",
        [.text(log)]),
      case .integer(let sequence) = row[0], case .text(let hash) = row[1]
    else { return nil }
    return (sequence, hash)
  }

  package func importedLogs() throws -> [ImportedLog] {
    try connection.rows(
      """
      SELECT i.log, i.log_seq, i.kid FROM imported_events i
      JOIN (SELECT log, MAX(log_seq) AS head FROM imported_events GROUP BY log) h
        ON h.log = i.log AND h.head = i.log_seq
      ORDER BY i.log
      """, []
    ).compactMap { row in
      guard case .text(let log) = row[0], case .integer(let head) = row[1],
        case .text(let kid) = row[2]
      else { return nil }
      return ImportedLog(log: log, head: head, kid: kid)
    }
  }

  // MARK: - The audit's reads

  package func integrityProblems() throws -> [String] {
    try connection.integrityProblems()
  }

  package func storedEvents(after sequence: Int64) throws -> any StoredEventCursor {
    try connection.storedEvents(after: sequence)
  }

  package func derivedRows(of table: Projection.Table, after sequence: Int64) throws
    -> any DerivedRowCursor
  {
    try connection.derivedRows(of: table, after: sequence)
  }

  /// The filter of a derived table's rows read after event `sequence`: none for 0, so that
  /// a whole audit sees every row, whatever its event number says.
  package static func derivedFilter(after sequence: Int64) -> String {
    sequence > 0 ? " WHERE event_seq > \(sequence)" : ""
  }

  // MARK: - Appends

  package func head() throws -> (sequence: Int64, hash: [UInt8])? {
    try connection.head()
  }

  package func prefetch(_ reads: PlannedReads) throws {
    var queries: [PlannedQuery] = []
    for gtin in reads.ratingHistories {
      queries.append(PlannedQuery(sql: Statements.ratingsOfGTIN, arguments: [.text(gtin.digits)]))
    }
    for lot in reads.recallNotices {
      queries.append(PlannedQuery(sql: Statements.recallOfLot, arguments: Self.key(lot)))
    }
    for lot in reads.lastSerials {
      queries.append(PlannedQuery(sql: LastSerialQuery.sql, arguments: Self.key(lot)))
    }
    try connection.prefetch(lots: reads.lots, queries: queries)
  }

  package func batchExists(_ lot: LotReference) throws -> Bool {
    try connection.batchExists(lot)
  }

  package func productExists(_ gtin: GTIN) throws -> Bool {
    try connection.productExists(gtin)
  }

  package func lastSerial(_ lot: LotReference) throws -> Int64 {
    try connection.lastSerial(lot)
  }

  package func insert(_ event: StoredEvent) throws {
    try connection.insert(event)
  }

  package func insert(_ rows: [Projection.Row]) throws {
    try connection.insert(rows)
  }

  // MARK: - Rows to records

  func batch(_ row: RecordRow) throws -> Batch {
    let lot = try row.lot()
    var coordinates: Coordinates?
    if let latitude = try row.text("latitude"), let longitude = try row.text("longitude") {
      coordinates = try Coordinates(latitude: latitude, longitude: longitude)
    }
    let origin = try Origin(
      areaName: row.required("origin_area"),
      address: Address(
        detail: row.text("origin_detail"), commune: row.required("origin_commune"),
        district: row.text("origin_district"), province: row.required("origin_province")),
      coordinates: coordinates, harvestStart: row.date("harvest_start"),
      harvestEnd: row.date("harvest_end"))
    let request = try BatchRequest(
      lot: lot, productionDate: GS1Date.checked(row.required("production_date")),
      expiryDate: GS1Date.checked(row.required("expiry_date")),
      quantity: Quantity(amount: row.required("amount"), unit: UnitCode(row.required("unit"))),
      origin: origin, inputs: inputs(of: lot))
    var rating: RatingAtProduction?
    if let stars = try row.integer("rating_stars"),
      let decisionDate = try row.date("rating_decision_date"),
      let until = try row.date("rating_valid_until")
    {
      rating = RatingAtProduction(
        stars: Int(stars), decision: try row.required("rating_decision"),
        decisionDate: decisionDate, validUntil: until)
    }
    return Batch(
      request: request, rating: rating, eventSequence: try row.requiredInteger("event_seq"))
  }
}

/// Records from their rows.
private enum Records {
  static func producer(_ row: RecordRow) throws -> Producer {
    guard let kind = ProducerKind(rawValue: try row.required("kind")) else {
      throw TraceError.malformed(what: "producers row", reason: "unknown kind")
    }
    return try Producer(
      taxCode: row.required("tax_code"), kind: kind, name: row.required("name"),
      address: Address(
        detail: row.text("detail"), commune: row.required("commune"),
        district: row.text("district"), province: row.required("province")),
      gln: row.text("gln").map { try GLN($0) }, later: try later(row, "contact"))
  }

  /// The canonical JSON a column keeps a record's later members in; nil for NULL.
  static func later(_ row: RecordRow, _ column: String) throws -> CanonicalJSON? {
    guard let text = try row.text(column) else { return nil }
    do {
      return try CanonicalJSON(canonical: Array(text.utf8))
    } catch {
      throw TraceError.malformed(
        what: "\(row.table.name) row", reason: "column \(column): \(error)")
    }
  }

  static func stage(_ row: RecordRow, lot: LotReference) throws -> ProductionStage {
    guard let kind = StageKind(rawValue: try row.required("stage")) else {
      throw TraceError.malformed(what: "stages row", reason: "unknown stage")
    }
    return try ProductionStage(
      lot: lot, kind: kind, time: StageTime(row.required("time")),
      location: StageLocation(row.required("location")), locationName: row.text("location_name"),
      item: row.text("item"), eventSequence: row.requiredInteger("event_seq"))
  }

  static func product(_ row: RecordRow) throws -> Product {
    guard let group = ProductGroup(rawValue: try row.required("product_group")) else {
      throw TraceError.malformed(what: "products row", reason: "unknown group")
    }
    return try Product(
      gtin: GTIN.checked(row.required("gtin")), producerTaxCode: row.required("producer"),
      nameVietnamese: row.required("name_vi"), nameEnglish: row.text("name_en"), group: group,
      netContent: Quantity(
        amount: row.required("net_amount"), unit: UnitCode(row.required("net_unit"))),
      ingredients: row.text("ingredients"), storage: row.text("storage"),
      usage: row.text("usage"), later: try later(row, "details"))
  }

  static func movement(_ row: RecordRow, lot: LotReference) throws -> Movement {
    var quantity: Quantity?
    if let amount = try row.text("amount"), let unit = try row.text("unit") {
      quantity = try Quantity(amount: amount, unit: UnitCode(unit))
    }
    return try Movement(
      lot: lot, party: row.required("party"), gln: row.text("gln").map { try GLN($0) },
      date: GS1Date.checked(row.required("date")), quantity: quantity)
  }
}

/// The record queries, written once.
private enum Statements {
  static func select(_ table: Projection.Table, _ rest: String) -> String {
    "SELECT \(table.selectList) FROM \(table.name) \(rest)"
  }

  static let producerByTaxCode = select(Projection.producers, "WHERE tax_code = ?")
  static let allProducers = select(Projection.producers, "ORDER BY tax_code")
  static let productByGTIN = select(Projection.products, "WHERE gtin = ?")
  static let allProducts = select(Projection.products, "ORDER BY gtin")
  static let ratingsOfGTIN = select(Projection.ratings, "WHERE gtin = ? ORDER BY event_seq")
  static let batchByLot = select(Projection.batches, "WHERE gtin = ? AND lot = ?")
  static let batchesOfGTIN = select(Projection.batches, "WHERE gtin = ? ORDER BY lot")
  static let batchesOfProducer = select(
    Projection.batches,
    """
    JOIN products ON products.gtin = batches.gtin
    WHERE products.producer = ? ORDER BY batches.gtin, batches.lot
    """)
  static let rangesOfLot = select(
    Projection.serialRanges, "WHERE gtin = ? AND lot = ? ORDER BY first")
  static let movementsOfLot = select(
    Projection.movements, "WHERE gtin = ? AND lot = ? ORDER BY event_seq")
  static let photo = "SELECT data FROM photos WHERE sha256 = ?"
  static let insertPhoto =
    "INSERT INTO photos (sha256, type, data) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING"
  static let stagesOfLot = select(
    Projection.stages, "WHERE gtin = ? AND lot = ? ORDER BY event_seq")
  static let shipmentsOfLot = select(
    Projection.movements, "WHERE gtin = ? AND lot = ? AND direction = ? ORDER BY event_seq")
  static let recallOfLot = select(Projection.recalls, "WHERE gtin = ? AND lot = ?")
  static let recalled = select(Projection.recalls, "ORDER BY event_seq")
  static let withdrawalOfLot = select(Projection.recallWithdrawals, "WHERE gtin = ? AND lot = ?")
  static let inputsOfLot = select(
    Projection.batchInputs,
    "WHERE output_gtin = ? AND output_lot = ? ORDER BY input_gtin, input_lot")
  static let consumersOfLot = select(
    Projection.batchInputs,
    "WHERE input_gtin = ? AND input_lot = ? ORDER BY output_gtin, output_lot")
}
