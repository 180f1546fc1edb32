import GS1

/// What taking in another store's log did.
public struct LogImportReport: Hashable, Sendable {
  /// One log the bundle carried.
  public struct Log: Hashable, Sendable {
    /// Its name: the hex SHA-256 of its first event.
    public let log: String
    /// The issuer of its last event in the bundle.
    public let kid: String
    /// Its events this import added.
    public let added: Int
    /// Its events the store held already.
    public let alreadyHeld: Int
    /// Its last event's place, now held.
    public let head: Int64
  }

  /// The logs, in the order the bundle first reaches them; this store's own log is left
  /// out (its events are held already, and checked to be the same).
  public let logs: [Log]
  /// How many events this store appended.
  public var eventsAdded: Int { logs.reduce(0) { $0 + $1.added } }
}

/// An event of a log: the log's name, the event's place in it and its hash (hex).
public struct LogPlace: Hashable, Sendable {
  public let log: String
  public let sequence: Int64
  public let hash: String

  public init(log: String, sequence: Int64, hash: String) {
    self.log = log
    self.sequence = sequence
    self.hash = hash.lowercased()
  }
}

/// Another log's events, checked and flattened for an import: every event of the bundle's
/// log, each preceded by what it carries (innermost first), so that every event is taken in
/// after the events it repeats.
struct LogImportPlan {
  struct Item {
    let log: String
    let event: Event
  }

  let items: [Item]
  let trustList: TrustList
  /// How far each log was held when the plan was made, and the store's own log: events
  /// there were not checked again (an event held already is compared by its hash).
  let held: [String: Int64]
  let ownLog: String?

  /// Checks `events`, a whole log from its first event, against `trustList`: each follows
  /// the one before, and each (and everything it carries) that the store does not hold yet
  /// (`held`: how far it holds each log; `ownLog`: its own) is signed by an issuer the list
  /// trusts at its time and within its entry's scope.
  ///
  /// With `base`, `events` are a log's events after that one (an update), and follow it.
  init(
    _ events: [Event], trustList: TrustList, held: [String: Int64] = [:], ownLog: String? = nil,
    after base: LogPlace? = nil
  ) throws(TraceError) {
    self.trustList = trustList
    self.held = held
    self.ownLog = ownLog
    func isNew(_ log: String, _ event: Event) -> Bool {
      Self.isNew(log, event, held: held, ownLog: ownLog)
    }
    guard let first = events.first else {
      throw .malformed(what: "log", reason: "holds no events")
    }
    let log = base?.log ?? first.logName
    var previous = base.flatMap { ByteText.bytes(hex: $0.hash) } ?? Event.genesisHash
    var items: [Item] = []
    for (index, event) in events.enumerated() {
      let expected = (base?.sequence ?? 0) + Int64(index + 1)
      func refuse(_ reason: String) -> TraceError {
        .malformed(what: "event \(expected) (\(event.kind.rawValue))", reason: reason)
      }
      guard event.sequence == expected else {
        throw refuse("says it is event \(event.sequence): the log is not whole and in order")
      }
      guard event.previousHash == previous else {
        throw refuse("does not follow event \(expected - 1): its previous-hash link is broken")
      }
      previous = event.hash
      if isNew(log, event), let problem = trustList.refusal(of: event) {
        throw refuse("is refused: \(problem)")
      }
      let carried: [(log: String, event: Event)]
      do { carried = try event.carriedChain() } catch { throw refuse(error.description) }
      for (innerLog, inner) in carried.reversed() {
        if isNew(innerLog, inner), let problem = trustList.refusal(of: inner) {
          throw refuse(
            "carries event \(inner.sequence) (\(inner.kind.rawValue)) of log \(innerLog.prefix(16))…, which is refused: \(problem)"
          )
        }
        items.append(Item(log: innerLog, event: inner))
      }
      items.append(Item(log: log, event: event))
    }
    self.items = items
  }

  /// Whether a store that held each log as far as `held` says, and whose own log is
  /// `ownLog`, did not hold `event` of `log`.
  static func isNew(_ log: String, _ event: Event, held: [String: Int64], ownLog: String?)
    -> Bool
  {
    log != ownLog && event.sequence > held[log] ?? 0
  }

  /// Refuses `event` of `log`, to be stored, if it was not checked when the plan was made
  /// (the store held it then, and no longer does: never, as a store only grows) and its
  /// issuer's entry refuses it.
  func checkBeforeStoring(_ log: String, _ event: Event) throws(TraceError) {
    guard !Self.isNew(log, event, held: held, ownLog: ownLog),
      let problem = trustList.refusal(of: event)
    else { return }
    throw .malformed(what: "event \(event.sequence) of its log", reason: "is refused: \(problem)")
  }

}

extension TraceStoreBackend {
  /// Takes in another store's log, `events` (its whole log, from its first event), in one
  /// transaction: every event checked against `trustList` (signature, validity, scope), and
  /// each one this store does not hold yet kept with its own signature, in an `imported`
  /// event this store signs, with the records it brings. An event held already must be the
  /// same (else the log has forked, and nothing is kept); a log continues where this store
  /// left it. Importing the same log again adds nothing; a longer one adds what is new.
  ///
  /// With `base`, `events` are an update: the events of log `base.log` after event
  /// `base.sequence`, which the store must hold (with that hash) or hold past.
  public func importLog(_ events: [Event], trustList: TrustList, after base: LogPlace? = nil)
    async throws(TraceError) -> LogImportReport
  {
    guard let signer else {
      throw .store(
        path: location, reason: "was opened without an issuer key, so it cannot be written")
    }
    // What the store holds already is compared by hash, not checked again.
    let (held, own, baseHash) = try await read { reader in
      (
        Dictionary(uniqueKeysWithValues: try reader.importedLogs().map { ($0.log, $0.head) }),
        try reader.events(after: 0, limit: 1).first?.logName,
        try base.flatMap { try reader.importedEvent(log: $0.log, sequence: $0.sequence)?.hash }
      )
    }
    if let base, base.log != own, held[base.log] ?? 0 < base.sequence {
      let holds = held[base.log] ?? 0
      throw .malformed(
        what: "update of log \(base.log.prefix(16))…",
        reason:
          "follows its event \(base.sequence), and this store holds that log up to event \(holds): import the bundle up to event \(base.sequence) first"
      )
    }
    if let base, base.log != own, let baseHash, baseHash.lowercased() != base.hash {
      throw .malformed(
        what: "update of log \(base.log.prefix(16))…",
        reason:
          "follows its event \(base.sequence) with hash \(base.hash.prefix(16))…, and this store took in that event with hash \(baseHash.prefix(16))…: the log has forked"
      )
    }
    // An update with nothing new: its base is held, and there is nothing to add.
    if base != nil, events.isEmpty { return LogImportReport(logs: []) }
    let plan = try LogImportPlan(
      events, trustList: trustList, held: held, ownLog: own, after: base)
    let time = clock()
    return try await write { transaction in
      var importer = try LogImporter(
        transaction, signer: signer, time: time, ownLog: plan.ownLog)
      try importer.take(plan)
      return try importer.finish()
    }
  }

  /// Takes in another store's whole log as ``importLog(_:trustList:after:)`` does, its
  /// events handed out by `next` a piece at a time (in order, from the log's first event)
  /// until it gives nil, all in one transaction: memory holds one piece. Each piece is
  /// checked inside the transaction, as the whole log would be.
  public func importLog(
    inPieces next: @escaping @Sendable () throws -> [Event]?, trustList: TrustList
  ) async throws -> LogImportReport {
    guard let signer else {
      throw TraceError.store(
        path: location, reason: "was opened without an issuer key, so it cannot be written")
    }
    let time = clock()
    return try await write { transaction in
      let held = Dictionary(
        uniqueKeysWithValues: try transaction.importedLogs().map { ($0.log, $0.head) })
      let own = try transaction.events(after: 0, limit: 1).first?.logName
      var importer = try LogImporter(transaction, signer: signer, time: time, ownLog: own)
      // Each piece follows the last one's last event.
      var last: LogPlace?
      while let events = try next(), !events.isEmpty {
        let plan = try LogImportPlan(
          events, trustList: trustList, held: held, ownLog: own, after: last)
        try importer.take(plan)
        let end = events[events.count - 1]
        last = LogPlace(
          log: last?.log ?? events[0].logName, sequence: end.sequence,
          hash: ByteText.hex(end.hash))
      }
      guard last != nil else { throw TraceError.malformed(what: "log", reason: "holds no events") }
      return try importer.finish()
    }
  }
}

/// The import's rules, applied inside the write transaction, a plan (or a piece of one) at
/// a time.
struct LogImporter {
  let db: any TraceTransaction
  private var appender: EventAppender
  /// The store's own log: one name from its first event on.
  private let own: String?
  private var heads: [String: (sequence: Int64, hash: String)] = [:]
  private var order: [String] = []
  private var added: [String: Int] = [:]
  private var held: [String: Int] = [:]
  private var kids: [String: String] = [:]

  init(_ transaction: any TraceTransaction, signer: IssuerKey, time: Timestamp, ownLog: String?)
    throws
  {
    db = transaction
    appender = EventAppender(transaction, signer: signer, time: time)
    own = try ownLog ?? transaction.events(after: 0, limit: 1).first?.logName
  }

  mutating func take(_ plan: LogImportPlan) throws {
    for item in plan.items {
      let event = item.event
      let log = item.log
      let hash = ByteText.hex(event.hash)
      let place = "event \(event.sequence) of log \(log.prefix(16))…"
      if log == own {
        guard let mine = try db.events(after: event.sequence - 1, limit: 1).first,
          mine.sequence == event.sequence, mine.hash == event.hash
        else {
          throw TraceError.malformed(
            what: place,
            reason: "claims to be this store's own event \(event.sequence), and is not")
        }
        continue
      }
      if !order.contains(log) { order.append(log) }
      kids[log] = event.kid
      let head: (sequence: Int64, hash: String)
      if let known = heads[log] {
        head = known
      } else {
        head = try db.importedHead(log: log) ?? (0, ByteText.hex(Event.genesisHash))
        heads[log] = head
      }
      if event.sequence <= head.sequence {
        guard let stored = try db.importedEvent(log: log, sequence: event.sequence) else {
          throw TraceError.malformed(what: place, reason: "is missing from this store's copy")
        }
        guard stored.hash == hash else {
          throw TraceError.malformed(
            what: place,
            reason:
              "differs from the one this store took in at its event \(stored.eventSequence): the log has forked"
          )
        }
        held[log, default: 0] += 1
        continue
      }
      guard event.sequence == head.sequence + 1 else {
        throw TraceError.malformed(
          what: place,
          reason:
            "does not follow on: this store holds that log up to event \(head.sequence), so events \(head.sequence + 1) to \(event.sequence - 1) are missing"
        )
      }
      guard ByteText.hex(event.previousHash) == head.hash else {
        throw TraceError.malformed(
          what: place,
          reason:
            "does not follow event \(head.sequence) as this store holds it: the log has forked")
      }
      if event.sequence == 1, event.logName != log {
        throw TraceError.malformed(
          what: place, reason: "is the first event of a log named otherwise")
      }
      try plan.checkBeforeStoring(log, event)
      if event.kind != .imported {
        do { try checkRecords(event) } catch let error as TraceError {
          throw TraceError.malformed(
            what: place + " (\(event.kind.rawValue))", reason: error.description)
        }
      }
      try appender.appendImport(event, of: log)
      heads[log] = (event.sequence, hash)
      added[log, default: 0] += 1
    }
  }

  /// Writes what is left, and says what the import did.
  mutating func finish() throws -> LogImportReport {
    try appender.finish()
    return LogImportReport(
      logs: order.map { log in
        LogImportReport.Log(
          log: log, kid: kids[log] ?? "", added: added[log] ?? 0, alreadyHeld: held[log] ?? 0,
          head: heads[log]?.sequence ?? 0)
      })
  }

  /// The rules an imported event's records must keep here, as a command's do: what it
  /// creates is new, what it names exists, a print run follows the lot's last serial.
  func checkRecords(_ event: Event) throws {
    let data = event.data
    func lot(_ json: CanonicalJSON?) throws -> LotReference {
      guard let json else { throw TraceError.malformed(what: "record", reason: "names no lot") }
      return try LotReference(json: json)
    }
    func requireLot(_ lot: LotReference, _ role: String = "lot") throws {
      if try !db.batchExists(lot) { throw TraceError.notFound(kind: role, key: lot.description) }
    }
    switch event.kind {
    case .producerRegistered:
      let producer = try Producer(json: data)
      if try db.producer(taxCode: producer.taxCode) != nil {
        throw TraceError.alreadyExists(kind: "producer", key: producer.taxCode)
      }
    case .productRegistered:
      let product = try Product(json: data)
      if try db.productExists(product.gtin) {
        throw TraceError.alreadyExists(kind: "product", key: product.gtin.digits)
      }
      if try db.producer(taxCode: product.producerTaxCode) == nil {
        throw TraceError.notFound(kind: "producer", key: product.producerTaxCode)
      }
    case .ratingRecorded:
      let gtin = try GTIN.checked(Field.string(data, "gtin"))
      _ = try OCOPRating(json: Field.object(data, "rating"))
      if try !db.productExists(gtin) {
        throw TraceError.notFound(kind: "product", key: gtin.digits)
      }
    case .commissioning:
      let made = try lot(data["lot"])
      _ = try GS1Date.checked(Field.string(data, "productionDate"))
      _ = try GS1Date.checked(Field.string(data, "expiryDate"))
      _ = try Quantity(json: Field.object(data, "quantity"))
      _ = try Origin(json: Field.object(data, "origin"))
      if try !db.productExists(made.gtin) {
        throw TraceError.notFound(kind: "product", key: made.gtin.digits)
      }
      if try db.batchExists(made) {
        throw TraceError.alreadyExists(kind: "lot", key: made.description)
      }
    case .transformation:
      for output in data["outputs"]?.arrayValue ?? [] { try requireLot(lot(output)) }
      for input in data["inputs"]?.arrayValue ?? [] { try requireLot(lot(input), "input lot") }
    case .serialsAllocated:
      let allocated = try lot(data["lot"])
      try requireLot(allocated)
      let first = try Field.integer(data, "first")
      let last = try Field.integer(data, "last")
      let before = try db.lastSerial(allocated)
      guard first == before + 1, last >= first else {
        throw TraceError.invalidField(
          record: "print run for \(allocated)", field: "serials", value: "\(first)–\(last)",
          reason: "must follow the lot's last serial here, \(before)")
      }
    case .shipping, .receiving:
      try requireLot(lot(data["lot"]))
    case .recall:
      let recalled = try lot(data["lot"])
      try requireLot(recalled)
      if let refusal = RecallNotice.recallRefusal(try db.recallNotice(recalled), of: recalled) {
        throw refusal
      }
    case .recallWithdrawn:
      let lifted = try lot(data["lot"])
      if let refusal = RecallNotice.withdrawalRefusal(try db.recallNotice(lifted), of: lifted) {
        throw refusal
      }
    case .stageRecorded:
      let stage = try ProductionStage(json: data, eventSequence: 0)
      try requireLot(stage.lot)
    case .imported:
      break
    }
  }
}
