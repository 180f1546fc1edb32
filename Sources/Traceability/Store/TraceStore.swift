import GS1

/// A change to the records. A list of commands is applied as one transaction: all of
/// them, or none.
public enum TraceCommand: Sendable {
  case registerProducer(Producer)
  case registerProduct(Product)
  /// Records an OCOP rating decision for a product (a certificate change).
  case recordRating(gtin: GTIN, rating: OCOPRating)
  /// Issues a batch; with input lots it also records the transformation.
  case issueBatch(BatchRequest)
  /// Allocates the next `count` serials under a lot for a print run.
  /// Serials for a print run; `signed` says whether its labels carry the issuer's
  /// signature (nil: not said), so that a link of a signed run without one is refused.
  case allocateSerials(lot: LotReference, count: Int64, printRun: String?, signed: Bool? = nil)
  case ship(Movement)
  case receive(Movement)
  case recall(lot: LotReference, reason: String)
  /// Lifts a lot's recall, with the reason; the recall stays on record.
  case withdrawRecall(lot: LotReference, reason: String)
  /// Records a step of a lot's production.
  case recordStage(ProductionStage)
  /// Keeps a product photo's file, by its hash, for a product registered after it.
  case storePhoto(PhotoFile)
}

/// What applying a command produced.
public enum TraceReceipt: Sendable, Equatable {
  case producer(Producer)
  case product(Product)
  case rating(GTIN, OCOPRating)
  case batch(Batch)
  case serials(SerialRange)
  case movement(Movement)
  case recall(Recall)
  case stage(ProductionStage)
  case photo(ProductPhoto)
}

/// A contiguous range of serials under one lot, allocated to one print run.
public struct SerialRange: Hashable, Sendable {
  /// A range as a backend reads it back.
  package init(
    lot: LotReference, first: Int64, last: Int64, printRun: String?, eventSequence: Int64
  ) {
    self.lot = lot
    self.first = first
    self.last = last
    self.printRun = printRun
    self.eventSequence = eventSequence
  }

  /// The lot.
  public let lot: LotReference
  /// The first serial.
  public let first: Int64
  /// The last serial (inclusive).
  public let last: Int64
  /// The print run's name, if it gave one.
  public let printRun: String?
  /// The event that allocated it.
  public let eventSequence: Int64
  /// Whether the run's labels carry the issuer's signature, when the run said so and it
  /// was asked (``SerialStatus``).
  public var signed: Bool?
  /// When the run was recorded, when it was asked (``SerialStatus``): the moment its
  /// labels' signatures are judged at. A detail of the reading, not of the range: ranges
  /// compare equal without it.
  public var printedAt: Timestamp?

  public static func == (lhs: SerialRange, rhs: SerialRange) -> Bool {
    (lhs.lot, lhs.first, lhs.last, lhs.printRun, lhs.eventSequence, lhs.signed)
      == (rhs.lot, rhs.first, rhs.last, rhs.printRun, rhs.eventSequence, rhs.signed)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(lot)
    hasher.combine(first)
    hasher.combine(eventSequence)
  }

  /// How many serials the range holds.
  public var count: Int64 { last - first + 1 }
}

/// A lot shipped to, or received from, another party.
public struct Movement: Hashable, Sendable {
  /// The lot that moved.
  public let lot: LotReference
  /// The other party, by name.
  public let party: String
  /// The other party's GLN, if known.
  public let gln: GLN?
  /// The day it moved.
  public let date: GS1Date
  /// How much moved, if recorded.
  public let quantity: Quantity?

  /// Creates a movement.
  public init(
    lot: LotReference, party: String, gln: GLN? = nil, date: GS1Date, quantity: Quantity? = nil
  )
    throws(TraceError)
  {
    self.lot = lot
    self.party = try Text.required(
      party, record: "movement of \(lot)", field: "party", maxLength: 200)
    self.gln = gln
    self.date = date
    self.quantity = quantity
  }
}

/// A recall of a lot, and what it reaches.
public struct Recall: Hashable, Sendable {
  /// The recalled lot.
  public let lot: LotReference
  /// Why.
  public let reason: String
  /// When it was recorded.
  public let recordedAt: Timestamp
  /// Every lot made from it, transitively: what the recall reaches downstream.
  public let downstream: [LotReference]
  /// Where it, and the lots made from it, were shipped.
  public let shipments: [Movement]
  /// Its withdrawal, when the recall was lifted; the recall then no longer stands.
  public var withdrawal: RecallWithdrawal? = nil

  /// Whether the recall stands: not withdrawn.
  public var inForce: Bool { withdrawal == nil }
}

/// A recall lifted, and why (the lot was found sound): signed, as the recall was, and shown
/// beside it.
public struct RecallWithdrawal: Hashable, Sendable {
  /// Why the recall was lifted.
  public let reason: String
  /// When.
  public let recordedAt: Timestamp

  public init(reason: String, recordedAt: Timestamp) {
    self.reason = reason
    self.recordedAt = recordedAt
  }
}

/// A lot with its producer and origin, and the lots one step further along a trace.
public struct TraceNode: Hashable, Sendable {
  /// The lot.
  public let batch: Batch
  /// Its product.
  public let product: Product
  /// Who made it.
  public let producer: Producer
  /// Whether it has been recalled (the recall's reach is not filled in on a trace).
  public let recall: Recall?
  /// The next step: inputs for a backward trace, consumers for a forward one.
  public let children: [TraceNode]
}

extension TraceNode {
  /// The recall of this lot or, depth first, of the first lot below it that was recalled:
  /// on a backward trace, whether the lot or anything it was made from is recalled.
  public var firstRecall: Recall? {
    (recall?.inForce == true ? recall : nil) ?? children.lazy.compactMap(\.firstRecall).first
  }

  /// The first recall, of the lot or a lot it was made from, that was withdrawn: shown
  /// beside a valid verdict.
  public var firstWithdrawnRecall: Recall? {
    (recall?.inForce == false ? recall : nil)
      ?? children.lazy.compactMap(\.firstWithdrawnRecall).first
  }
}

/// Whether a serial was allocated under a lot.
public enum SerialStatus: Hashable, Sendable {
  /// The serial lies in an allocated range.
  case allocated(SerialRange)
  /// No print run of the lot allocated it.
  case outsideAnyRange
}

/// The result of re-checking a store: every event's chain link, signature and issuer, and
/// every derived record against the log.
public struct AuditReport: Hashable, Sendable {
  /// How many events were checked.
  public let eventsChecked: Int64
  /// The last good event's sequence number and hash (hex), if any.
  public let headSequence: Int64
  /// The last good event's hash, hex.
  public let headHash: String
  /// The first failure, or nil if everything checked out.
  public let failure: AuditFailure?
  /// Where the audit began: 0 for the whole log, else the checkpoint's event.
  public let since: Int64
  /// Where a passing audit stopped, to carry on from next time; nil after a failure.
  public let checkpoint: AuditCheckpoint?

  /// Whether the store passed.
  public var passed: Bool { failure == nil }

  /// A report: what was checked, the head reached, and the first failure if any.
  public init(
    eventsChecked: Int64, headSequence: Int64, headHash: String, failure: AuditFailure?,
    since: Int64 = 0, checkpoint: AuditCheckpoint? = nil
  ) {
    self.eventsChecked = eventsChecked
    self.headSequence = headSequence
    self.headHash = headHash
    self.failure = failure
    self.since = since
    self.checkpoint = failure == nil ? checkpoint : nil
  }
}

/// The first thing an audit found wrong, and where.
public struct AuditFailure: Hashable, Sendable, CustomStringConvertible {
  /// The event at fault, when one is.
  public let sequence: Int64?
  /// The record concerned: `event 12`, `batches row for 08931234567897/A`…
  public let record: String
  /// What is wrong.
  public let reason: String

  public var description: String { "\(record): \(reason)" }
}

/// The traceability records: producers, products and their OCOP ratings, batches with
/// their origin, input lots, serial ranges, movements and recalls, kept as a signed,
/// hash-chained event log from which every record is derived.
///
/// The protocol speaks only of records, and every call is asynchronous: a store on a
/// server answers over the network, and a server's handlers never wait on a thread.
/// Backends conform through ``TraceStoreBackend``, which writes every operation once over
/// their reads and transactions.
public protocol TraceStore: EvidenceSource {
  /// Applies `commands` in one transaction, signing each event: all of them or none.
  func apply(_ commands: [TraceCommand]) async throws(TraceError) -> [TraceReceipt]
  /// Applies the commands `next` hands out, a piece at a time until it gives nil, in one
  /// transaction, as ``apply(_:)`` applies them: all of them or none, whatever `next` or a
  /// command throws. A refused command's ``TraceError/commandIndex`` counts from the first
  /// piece's first command. Memory holds one piece at a time. Returns how many commands
  /// were applied.
  func apply(inPieces next: @escaping @Sendable () throws -> [TraceCommand]?)
    async throws -> Int
  /// Takes in another store's whole log, checked against `trustList`, in one transaction:
  /// all of what is new, or nothing. With `base`, an update: that log's events after the
  /// event `base` names, which the store holds.
  func importLog(_ events: [Event], trustList: TrustList, after base: LogPlace?)
    async throws(TraceError) -> LogImportReport
  /// Takes in another store's whole log, its events handed out by `next` a piece at a
  /// time until it gives nil, in one transaction: all of what is new, or nothing.
  func importLog(inPieces next: @escaping @Sendable () throws -> [Event]?, trustList: TrustList)
    async throws -> LogImportReport
  /// Every other log this store has taken events from.
  func importedLogs() async throws(TraceError) -> [ImportedLog]

  /// A producer by tax code.
  func producer(taxCode: String) async throws(TraceError) -> Producer?
  /// Every producer, by tax code.
  func producers() async throws(TraceError) -> [Producer]
  /// A product by GTIN.
  func product(_ gtin: GTIN) async throws(TraceError) -> Product?
  /// Every product, by GTIN.
  func products() async throws(TraceError) -> [Product]
  /// A product's OCOP rating history, in recording order.
  func ratingHistory(_ gtin: GTIN) async throws(TraceError) -> RatingHistory
  /// A batch by GTIN and lot.
  func batch(_ lot: LotReference) async throws(TraceError) -> Batch?
  /// The batches of a product, by lot.
  func batches(of gtin: GTIN) async throws(TraceError) -> [Batch]
  /// The batches of every product of a producer.
  func batches(ofProducer taxCode: String) async throws(TraceError) -> [Batch]
  /// The serial ranges allocated under a lot, in order.
  func serialRanges(_ lot: LotReference) async throws(TraceError) -> [SerialRange]
  /// Whether `serial` was allocated under `lot`.
  func serialStatus(_ lot: LotReference, serial: String) async throws(TraceError) -> SerialStatus
  /// Shipments and receipts of a lot.
  func movements(_ lot: LotReference) async throws(TraceError) -> [Movement]
  /// The production stages of a lot, in the order they were recorded.
  func stages(_ lot: LotReference) async throws(TraceError) -> [ProductionStage]
  /// A product photo's file by its SHA-256 (lowercase hex), checked against it; nil when
  /// the store does not keep it (a product taken in from another store's log, say).
  func photo(sha256: String) async throws(TraceError) -> PhotoFile?
  /// The recall of a lot, if it was recalled.
  func recall(_ lot: LotReference) async throws(TraceError) -> Recall?
  /// Every recall.
  func recalls() async throws(TraceError) -> [Recall]
  /// The lot and its inputs, transitively, with their producers and origins.
  func traceBackward(_ lot: LotReference) async throws(TraceError) -> TraceNode
  /// The lot and every lot that consumed it, transitively.
  func traceForward(_ lot: LotReference) async throws(TraceError) -> TraceNode
  /// Up to `limit` events of the log after sequence number `sequence`, in order.
  func events(after sequence: Int64, limit: Int) async throws(TraceError) -> [Event]
  /// Runs `body` on one consistent snapshot of the store, on the backend's own thread:
  /// every read it makes sees the records as they were at one instant, whatever other
  /// writers commit meanwhile. For answers made of many reads, such as an export.
  func snapshot<T: Sendable>(_ body: @Sendable (TraceSnapshot) throws -> T)
    async throws(TraceError) -> T
  /// The sequence number of the last event (0 for an empty log): it changes whenever any
  /// record does.
  func headSequence() async throws(TraceError) -> Int64
  /// Re-checks the whole log against `trustList`, and every derived record against the
  /// log. With `expectedHead`, also checks that the event with that sequence number still
  /// has that hash, which finds a log cut short after it was noted.
  func audit(trustList: TrustList, expectedHead: (sequence: Int64, hash: String)?)
    async throws(TraceError)
    -> AuditReport
  /// Re-checks what follows `checkpoint` (see ``AuditCheckpoint``): its event is still there
  /// with its hash, and every event after it and every derived row they made hold as the
  /// whole audit checks them. The database's own physical check is the whole audit's.
  func audit(trustList: TrustList, since checkpoint: AuditCheckpoint) async throws(TraceError)
    -> AuditReport
}

extension TraceStore {
  /// Issues one batch.
  public func issueBatch(_ request: BatchRequest) async throws(TraceError) -> Batch {
    guard case .batch(let batch) = try await apply([.issueBatch(request)]).first else {
      throw .malformed(what: "store", reason: "issuing returned no batch")
    }
    return batch
  }

  /// Allocates serials for a print run, whose labels are `signed` or not (nil: not said).
  public func allocateSerials(
    _ lot: LotReference, count: Int64, printRun: String? = nil, signed: Bool? = nil
  ) async throws(TraceError) -> SerialRange {
    guard
      case .serials(let range) = try await apply([
        .allocateSerials(lot: lot, count: count, printRun: printRun, signed: signed)
      ]).first
    else { throw .malformed(what: "store", reason: "allocation returned no range") }
    return range
  }

  /// Recalls a lot and reports what the recall reaches downstream.
  public func recall(_ lot: LotReference, reason: String) async throws(TraceError) -> Recall {
    guard case .recall(let recall) = try await apply([.recall(lot: lot, reason: reason)]).first
    else {
      throw .malformed(what: "store", reason: "recall returned nothing")
    }
    return recall
  }

  /// Lifts a lot's recall, giving why; returns the recall with its withdrawal.
  public func withdrawRecall(_ lot: LotReference, reason: String) async throws(TraceError)
    -> Recall
  {
    guard
      case .recall(let recall) = try await apply([.withdrawRecall(lot: lot, reason: reason)])
        .first
    else {
      throw .malformed(what: "store", reason: "the withdrawal returned nothing")
    }
    return recall
  }

  /// Records a step of a lot's production.
  public func recordStage(_ stage: ProductionStage) async throws(TraceError) -> ProductionStage {
    guard case .stage(let recorded) = try await apply([.recordStage(stage)]).first else {
      throw .malformed(what: "store", reason: "the stage was not recorded")
    }
    return recorded
  }

  /// The whole log, in order.
  public func events() async throws(TraceError) -> [Event] {
    var all: [Event] = []
    while true {
      let page = try await events(after: all.last?.sequence ?? 0, limit: 10_000)
      if page.isEmpty { return all }
      all += page
    }
  }

  /// Takes in another store's whole log (see ``importLog(_:trustList:after:)``).
  public func importLog(_ events: [Event], trustList: TrustList) async throws(TraceError)
    -> LogImportReport
  {
    try await importLog(events, trustList: trustList, after: nil)
  }

  /// Audits without an expected head.
  public func audit(trustList: TrustList) async throws(TraceError) -> AuditReport {
    try await audit(trustList: trustList, expectedHead: nil)
  }
}

/// Where a verifier finds the records a scan rests on.
public protocol EvidenceSource: Sendable {
  /// Everything that bears on a scan of `lot` (and `serial`), read in one snapshot; nil
  /// when there is no record of the lot.
  func scanEvidence(_ lot: LotReference, serial: String?) async throws(TraceError)
    -> ScanEvidence?
}
