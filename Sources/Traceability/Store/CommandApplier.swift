import GS1

/// The rules of the store: checks each command against the records as they stand inside
/// the write transaction, then appends its events. A refused command throws, and the
/// backend rolls the transaction back.
struct CommandApplier {
  let db: any TraceTransaction
  /// Products known to exist, and rating histories, read once per transaction: a bulk
  /// import issues many batches of the same few products.
  private var knownProducts: Set<GTIN> = []
  private var histories: [GTIN: RatingHistory] = [:]
  /// The rating decisions this transaction has recorded, by product: a list may hold the
  /// same decision twice before either is stored.
  private var recordedRatings: [GTIN: [OCOPRating]] = [:]

  /// The kid of the key that signs this transaction's events.
  let signer: String

  init(_ transaction: any TraceTransaction, signer: String) {
    db = transaction
    self.signer = signer
  }

  /// Applies `commands` in order in `transaction`, signing their events with `signer` at
  /// `time`: every receipt, or the first refusal (naming its command when there are
  /// several).
  static func apply(
    _ commands: [TraceCommand], in transaction: any TraceTransaction, signer: IssuerKey,
    time: Timestamp
  ) throws -> [TraceReceipt] {
    var log = EventAppender(transaction, signer: signer, time: time)
    let reads = planned(commands)
    if !reads.isEmpty { try transaction.prefetch(reads) }
    var applier = CommandApplier(transaction, signer: signer.kid)
    var receipts: [TraceReceipt] = []
    receipts.reserveCapacity(commands.count)
    for (index, command) in commands.enumerated() {
      do {
        receipts.append(try applier.apply(command, log: &log))
      } catch let error as TraceError where commands.count > 1 {
        throw TraceError.command(index: index, error: error)
      }
    }
    try log.finish()
    return receipts
  }

  /// The commands' reads, asked about at once by a backend that pays a round trip for each:
  /// every lot they issue or allocate under (a bulk import's hot path); and, for a short
  /// list (a command of the CLI, a print run), the records its first reads need too.
  static func planned(_ commands: [TraceCommand]) -> PlannedReads {
    var reads = PlannedReads()
    reads.lots = commands.compactMap { command -> LotReference? in
      switch command {
      case .issueBatch(let request): request.lot
      case .allocateSerials(let lot, _, _, _): lot
      default: nil
      }
    }
    guard commands.count <= 4 else { return reads }
    for command in commands {
      switch command {
      case .issueBatch(let request):
        if !reads.ratingHistories.contains(request.lot.gtin) {
          reads.ratingHistories.append(request.lot.gtin)
        }
        reads.recallNotices += request.inputs
      case .allocateSerials(let lot, _, _, _):
        reads.recallNotices.append(lot)
        reads.lastSerials.append(lot)
      default:
        break
      }
    }
    return reads
  }

  mutating func apply(_ command: TraceCommand, log: inout EventAppender) throws -> TraceReceipt {
    switch command {
    case .registerProducer(let producer):
      if try db.producer(taxCode: producer.taxCode) != nil {
        throw TraceError.alreadyExists(kind: "producer", key: producer.taxCode)
      }
      try log.append(.producerRegistered, producer.json)
      return .producer(producer)

    case .registerProduct(let product):
      if try db.product(product.gtin) != nil {
        throw TraceError.alreadyExists(kind: "product", key: product.gtin.digits)
      }
      if try db.producer(taxCode: product.producerTaxCode) == nil {
        throw TraceError.notFound(kind: "producer", key: product.producerTaxCode)
      }
      if let photo = product.photo, try db.photo(sha256: photo.sha256) == nil {
        throw TraceError.notFound(kind: "photo", key: photo.sha256)
      }
      try log.append(.productRegistered, product.json)
      return .product(product)

    case .recordRating(let gtin, let rating):
      try requireProduct(gtin)
      // The same decision twice under this store's key is a mistake; a decision taken in
      // from a producer's log may be recorded again by the office, under its own key.
      let history = try db.ratingHistory(gtin).entries
      let events = try db.ratingEvents(gtin)
      var ownDecisions = recordedRatings[gtin, default: []]
      // The decisions this store's key recorded that bear on this one: the same decision,
      // or a certification on the same day.
      for (entry, sequence) in zip(history, events)
      where entry.isSameDecision(as: rating)
        || (rating.status == .certified && entry.status == .certified
          && entry.decision.date == rating.decision.date)
      {
        let kid = try db.events(after: sequence - 1, limit: 1).first?.recordBearing()?.kid
        if kid == signer { ownDecisions.append(entry) }
      }
      if ownDecisions.contains(where: { $0.isSameDecision(as: rating) }) {
        let stars = rating.stars.map { "\($0)★ " } ?? ""
        throw TraceError.alreadyExists(
          kind: "rating decision",
          key:
            "\(rating.decision.number) of \(rating.decision.date.iso) (\(stars)\(rating.status.rawValue)) "
            + "for product \(gtin.digits)")
      }
      // Two certifications of one product on one day contradict each other: which stars
      // would it hold? (A revocation or a renewal on the same day is a later decision.)
      if rating.status == .certified,
        let clash = ownDecisions.first(where: {
          $0.status == .certified && $0.decision.date == rating.decision.date
        })
      {
        throw TraceError.invalidField(
          record: "OCOP rating \(rating.decision.number)", field: "decision_date",
          value: rating.decision.date.iso,
          reason:
            "product \(gtin.digits) was already certified that day by decision \(clash.decision.number)"
            + (clash.stars.map { " (\($0)★)" } ?? "") + "; a product is certified once a day")
      }
      recordedRatings[gtin, default: []].append(rating)
      histories[gtin] = nil
      try log.append(
        .ratingRecorded, .object(["gtin": .string(gtin.digits), "rating": rating.json]))
      return .rating(gtin, rating)

    case .issueBatch(let request):
      return .batch(try issue(request, log: &log))

    case .allocateSerials(let lot, let count, let printRun, let signed):
      return .serials(
        try allocate(lot, count: count, printRun: printRun, signed: signed, log: &log))

    case .ship(let movement), .receive(let movement):
      try requireBatch(movement.lot)
      let kind: EventKind
      if case .ship = command { kind = .shipping } else { kind = .receiving }
      try log.append(
        kind,
        .object([
          "lot": movement.lot.json, "party": .string(movement.party),
          "gln": movement.gln.map { .string($0.digits) } ?? .null,
          "date": .string(movement.date.iso),
          "quantity": movement.quantity?.json ?? .null,
        ]))
      return .movement(movement)

    case .recall(let lot, let reason):
      try requireBatch(lot)
      let reason = try Text.required(
        reason, record: "recall of \(lot)", field: "reason", maxLength: 1000)
      if let refusal = RecallNotice.recallRefusal(try db.recallNotice(lot), of: lot) {
        throw refusal
      }
      try log.append(.recall, .object(["lot": lot.json, "reason": .string(reason)]))
      guard let recall = try Lineage.recall(lot, in: db) else {
        throw TraceError.malformed(what: "store", reason: "the recall was not recorded")
      }
      return .recall(recall)

    case .withdrawRecall(let lot, let reason):
      try requireBatch(lot)
      let reason = try Text.required(
        reason, record: "withdrawal of the recall of \(lot)", field: "reason", maxLength: 1000)
      if let refusal = RecallNotice.withdrawalRefusal(try db.recallNotice(lot), of: lot) {
        throw refusal
      }
      try log.append(.recallWithdrawn, .object(["lot": lot.json, "reason": .string(reason)]))
      guard let recall = try Lineage.recall(lot, in: db) else {
        throw TraceError.malformed(what: "store", reason: "the withdrawal was not recorded")
      }
      return .recall(recall)

    case .storePhoto(let photo):
      try db.insert(photo: photo)
      return .photo(photo.reference)

    case .recordStage(let stage):
      guard let batch = try db.batch(stage.lot) else {
        throw TraceError.notFound(kind: "lot", key: stage.lot.description)
      }
      try Self.check(stage, expiry: batch.request.expiryDate)
      let sequence = try log.append(.stageRecorded, stage.json)
      return .stage(try ProductionStage(json: stage.json, eventSequence: sequence))
    }
  }

  /// Why a stage cannot be recorded, if it cannot: it happened after the lot's expiry
  /// date, or is dated more than a day from now (a clock set wrong, or a typing slip).
  static func check(_ stage: ProductionStage, expiry: GS1Date?) throws(TraceError) {
    if let expiry, stage.time.localDay > expiry.iso {
      throw .invalidField(
        record: "stage of \(stage.lot)", field: "time", value: stage.time.text,
        reason: "is after the lot's expiry date \(expiry.iso)")
    }
    if stage.time.utc.date.timeIntervalSinceNow > 86_400 {
      throw .invalidField(
        record: "stage of \(stage.lot)", field: "time", value: stage.time.text,
        reason: "is in the future")
    }
  }

  private mutating func requireProduct(_ gtin: GTIN) throws {
    if knownProducts.contains(gtin) { return }
    guard try db.productExists(gtin) else {
      throw TraceError.notFound(kind: "product", key: gtin.digits)
    }
    knownProducts.insert(gtin)
  }

  private func batchExists(_ lot: LotReference) throws -> Bool {
    try db.batchExists(lot)
  }

  private func recallReason(_ lot: LotReference) throws -> String? {
    try db.recallNotice(lot).flatMap { $0.inForce ? $0.reason : nil }
  }

  private func requireBatch(_ lot: LotReference) throws {
    if try !batchExists(lot) { throw TraceError.notFound(kind: "lot", key: lot.description) }
  }

  private mutating func issue(_ request: BatchRequest, log: inout EventAppender) throws -> Batch {
    let lot = request.lot
    try requireProduct(lot.gtin)
    if try batchExists(lot) {
      throw TraceError.alreadyExists(kind: "lot", key: lot.description)
    }
    for input in request.inputs {
      guard try batchExists(input) else {
        throw TraceError.notFound(kind: "input lot", key: input.description)
      }
      if let reason = try recallReason(input) {
        throw TraceError.recalled(lot: input.description, reason: reason)
      }
    }
    let history = try histories[lot.gtin] ?? db.ratingHistory(lot.gtin)
    histories[lot.gtin] = history
    let rating = history.inForce(on: request.productionDate).flatMap {
      entry -> RatingAtProduction? in
      guard let stars = entry.stars, let until = entry.validUntil else { return nil }
      return RatingAtProduction(
        stars: stars, decision: entry.decision.number, decisionDate: entry.decision.date,
        validUntil: until)
    }
    let note: CanonicalJSON =
      rating == nil
      ? .string(
        "no OCOP certificate was in force on the production date \(request.productionDate.iso)")
      : .null
    let sequence = try log.append(
      .commissioning,
      .object([
        "lot": lot.json, "productionDate": .string(request.productionDate.iso),
        "expiryDate": .string(request.expiryDate.iso), "quantity": request.quantity.json,
        "origin": request.origin.json, "rating": rating?.json ?? .null, "ratingNote": note,
      ]))
    if !request.inputs.isEmpty {
      try log.append(
        .transformation,
        .object(["inputs": .array(request.inputs.map(\.json)), "outputs": .array([lot.json])]))
    }
    return Batch(request: request, rating: rating, eventSequence: sequence)
  }

  private mutating func allocate(
    _ lot: LotReference, count: Int64, printRun: String?, signed: Bool?,
    log: inout EventAppender
  ) throws -> SerialRange {
    try requireBatch(lot)
    guard (1...10_000_000).contains(count) else {
      throw TraceError.invalidField(
        record: "print run for \(lot)", field: "count", value: String(count),
        reason: "must be from 1 to 10000000")
    }
    if let reason = try recallReason(lot) {
      throw TraceError.recalled(lot: lot.description, reason: reason)
    }
    let run = try Text.optional(
      printRun, record: "print run for \(lot)", field: "name", maxLength: 100)
    let first = try db.lastSerial(lot) + 1
    // Serials are AI (21) values: at most 20 characters.
    guard first + count - 1 < 100_000_000_000_000_000 else {
      throw TraceError.invalidField(
        record: "print run for \(lot)", field: "count", value: String(count),
        reason: "would run past the largest serial")
    }
    var data: CanonicalMembers = [
      "lot": lot.json, "first": .integer(first), "last": .integer(first + count - 1),
      "run": run.json,
    ]
    if let signed { _ = data.insert("signed", .bool(signed)) }
    let sequence = try log.append(.serialsAllocated, .object(data))
    var range = SerialRange(
      lot: lot, first: first, last: first + count - 1, printRun: run, eventSequence: sequence)
    range.signed = signed
    return range
  }
}

extension RatingAtProduction {
  /// The rating as canonical JSON.
  public var json: CanonicalJSON {
    .object([
      "stars": .integer(Int64(stars)), "decision": .string(decision),
      "decisionDate": .string(decisionDate.iso), "validUntil": .string(validUntil.iso),
    ])
  }
}
