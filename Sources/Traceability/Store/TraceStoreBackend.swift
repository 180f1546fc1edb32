import GS1

/// The reads a backend answers inside one snapshot or transaction: records by key, the
/// lot graph's edges, the log, and, for the audit, the stored rows as they are.
///
/// It is the port between the rules (written once, in this module) and a database: a
/// backend answers each question with one query and decides nothing. Calls are
/// synchronous because they run inside a database transaction, on the backend's own
/// threads, never on a cooperative one.
package protocol TraceReader {
  /// A producer by tax code.
  func producer(taxCode: String) throws -> Producer?
  /// Every producer, by tax code.
  func producers() throws -> [Producer]
  /// A product by GTIN.
  func product(_ gtin: GTIN) throws -> Product?
  /// Every product, by GTIN.
  func products() throws -> [Product]
  /// A product's rating decisions, in recording order.
  func ratingHistory(_ gtin: GTIN) throws -> RatingHistory
  /// The numbers of the events that recorded a product's rating decisions, in the order
  /// of ``ratingHistory(_:)``.
  func ratingEvents(_ gtin: GTIN) throws -> [Int64]
  /// A batch, with its input lots.
  func batch(_ lot: LotReference) throws -> Batch?
  /// The batches of a product, by lot.
  func batches(of gtin: GTIN) throws -> [Batch]
  /// The batches of every product of a producer, by GTIN and lot.
  func batches(ofProducer taxCode: String) throws -> [Batch]
  /// The serial ranges allocated under a lot, by first serial.
  func serialRanges(_ lot: LotReference) throws -> [SerialRange]
  /// Shipments and receipts of a lot, in event order.
  func movements(_ lot: LotReference) throws -> [Movement]
  /// The production stages of a lot, in event order.
  func stages(_ lot: LotReference) throws -> [ProductionStage]
  /// A product photo's file by its SHA-256 (lowercase hex), checked against it.
  func photo(sha256: String) throws -> PhotoFile?
  /// Shipments only of a lot, in event order.
  func shipments(_ lot: LotReference) throws -> [Movement]
  /// The recall notice of a lot, if it was recalled.
  func recallNotice(_ lot: LotReference) throws -> RecallNotice?
  /// Every recalled lot, in event order.
  func recalledLots() throws -> [LotReference]
  /// The lots `lot` was made from, by GTIN and lot.
  func inputs(of lot: LotReference) throws -> [LotReference]
  /// The lots made from `lot`, by GTIN and lot.
  func consumers(of lot: LotReference) throws -> [LotReference]
  /// The last event's sequence number, 0 for an empty log.
  func headSequence() throws -> Int64
  /// Up to `limit` events after `sequence`, in order.
  func events(after sequence: Int64, limit: Int) throws -> [Event]
  /// The hash (hex) of the event at `sequence` of another log, `log`, if this store has
  /// taken it in, and the number of the event that took it in.
  func importedEvent(log: String, sequence: Int64) throws -> (hash: String, eventSequence: Int64)?
  /// The last event of another log this store has taken in: its place there and hash (hex).
  func importedHead(log: String) throws -> (sequence: Int64, hash: String)?
  /// Every other log this store has taken events from, with its last event's place and
  /// issuer, by log name.
  func importedLogs() throws -> [ImportedLog]

  /// What the database's own physical check of its files finds wrong; empty when nothing.
  func integrityProblems() throws -> [String]
  /// The stored event rows as they are, in sequence order, after event `sequence` (0: all).
  func storedEvents(after sequence: Int64) throws -> any StoredEventCursor
  /// The stored rows of a derived table as they are, in the order they were written: all of
  /// them for `sequence` 0, else those whose event comes after event `sequence`.
  func derivedRows(of table: Projection.Table, after sequence: Int64) throws
    -> any DerivedRowCursor
}

/// A write transaction: the reads, and the appends the rules make. Nothing is visible to
/// others until the backend commits, and a throw rolls everything back.
package protocol TraceTransaction: TraceReader {
  /// The last event's sequence number and hash, nil for an empty log.
  func head() throws -> (sequence: Int64, hash: [UInt8])?
  /// Whether a batch exists (a hot path of bulk issuing: no record is built).
  func batchExists(_ lot: LotReference) throws -> Bool
  /// Whether a product exists.
  func productExists(_ gtin: GTIN) throws -> Bool
  /// The highest serial allocated under a lot, 0 when none.
  func lastSerial(_ lot: LotReference) throws -> Int64
  /// Appends a sealed event row.
  func insert(_ event: StoredEvent) throws
  /// Appends derived rows, each to its table.
  func insert(_ rows: [Projection.Row]) throws
  /// Keeps a photo's file under its hash (nothing happens when it is kept already).
  func insert(photo: PhotoFile) throws
  /// Says what a list of commands is about to read, so a backend for which each question
  /// is a round trip can ask them all at once.
  func prefetch(_ reads: PlannedReads) throws
}

extension TraceTransaction {
  package func prefetch(_ reads: PlannedReads) throws {}
}

/// What a list of commands will read, named before the first command runs.
package struct PlannedReads: Sendable {
  /// The lots ``TraceTransaction/batchExists(_:)`` will be asked about (and, for their
  /// GTINs, ``TraceTransaction/productExists(_:)``).
  package var lots: [LotReference] = []
  /// The products whose rating history will be read.
  package var ratingHistories: [GTIN] = []
  /// The lots whose recall notice will be read.
  package var recallNotices: [LotReference] = []
  /// The lots whose last serial will be read.
  package var lastSerials: [LotReference] = []

  package init() {}

  /// Whether nothing is to be read.
  package var isEmpty: Bool {
    lots.isEmpty && ratingHistories.isEmpty && recallNotices.isEmpty && lastSerials.isEmpty
  }
}

/// Another store's log, as far as this store has taken it in.
public struct ImportedLog: Hashable, Sendable {
  /// The log's name: the hex SHA-256 of its first event.
  public let log: String
  /// How many of its events are here (its events 1 to this one).
  public let head: Int64
  /// The issuer of its last event here.
  public let kid: String

  /// A log's summary.
  package init(log: String, head: Int64, kid: String) {
    self.log = log
    self.head = head
    self.kid = kid
  }
}

/// An event row as the log stores it.
package struct StoredEvent: Sendable {
  /// Its sequence number.
  package let sequence: Int64
  /// Its kind, as stored beside the body.
  package let kind: String
  /// The canonical body.
  package let body: [UInt8]
  /// The issuer's signature.
  package let signature: [UInt8]
  /// The hash stored with it.
  package let hash: [UInt8]

  /// An event row.
  package init(sequence: Int64, kind: String, body: [UInt8], signature: [UInt8], hash: [UInt8]) {
    self.sequence = sequence
    self.kind = kind
    self.body = body
    self.signature = signature
    self.hash = hash
  }
}

/// The reason and time of a recall, as the recalls table holds them.
package struct RecallNotice: Hashable, Sendable {
  /// Why.
  package let reason: String
  /// When it was recorded.
  package let recordedAt: Timestamp
  /// Its withdrawal, when it was lifted.
  package let withdrawal: RecallWithdrawal?

  /// A notice.
  package init(reason: String, recordedAt: Timestamp, withdrawal: RecallWithdrawal? = nil) {
    self.reason = reason
    self.recordedAt = recordedAt
    self.withdrawal = withdrawal
  }

  /// Whether the recall stands: not withdrawn.
  package var inForce: Bool { withdrawal == nil }

  /// Why `lot`, whose recall (if any) `notice` records, cannot be recalled: a lot is
  /// recalled once, and a withdrawn recall stays on record. Nil when it can.
  package static func recallRefusal(_ notice: RecallNotice?, of lot: LotReference) -> TraceError? {
    guard let notice else { return nil }
    guard let withdrawal = notice.withdrawal else {
      return .alreadyExists(kind: "recall of lot", key: lot.description)
    }
    return .malformed(
      what: "recall of lot \(lot)",
      reason:
        "the lot was recalled on \(notice.recordedAt.day) and the recall withdrawn on \(withdrawal.recordedAt.day); a lot is recalled once"
    )
  }

  /// Why the recall of `lot` that `notice` records cannot be withdrawn: there is none, or
  /// it was withdrawn already. Nil when it can.
  package static func withdrawalRefusal(_ notice: RecallNotice?, of lot: LotReference)
    -> TraceError?
  {
    guard let notice else {
      return .malformed(what: "withdrawal of a recall", reason: "lot \(lot) is not recalled")
    }
    guard let withdrawal = notice.withdrawal else { return nil }
    return .malformed(
      what: "withdrawal of a recall",
      reason: "the recall of lot \(lot) was already withdrawn on \(withdrawal.recordedAt.day)")
  }
}

/// The stored event rows, one at a time.
package protocol StoredEventCursor {
  /// The next row, or nil at the end.
  func next() throws -> StoredEvent?
}

/// A derived table's stored rows, one at a time.
package protocol DerivedRowCursor {
  /// The next row's cells, or nil at the end.
  func next() throws -> [Cell]?
}

/// A store that keeps the records in a database: it opens snapshots and transactions, and
/// every record operation of ``TraceStore`` is written once, over them, in this module.
///
/// A backend implements ``read(_:)`` and ``write(_:)`` (running the body on threads of its
/// own, never blocking a cooperative thread) and the reads of ``TraceReader``.
package protocol TraceStoreBackend: TraceStore {
  /// The store's location, as messages name it (a file path, a URL without password).
  var location: String { get }
  /// The key that signs new events; nil for a store opened to read.
  var signer: IssuerKey? { get }
  /// The clock that stamps new events.
  var clock: @Sendable () -> Timestamp { get }
  /// Runs `body` on one consistent snapshot.
  func read<T: Sendable>(_ body: @Sendable (any TraceReader) throws -> T) async throws(TraceError)
    -> T
  /// Runs `body` in one write transaction that begins after every earlier one committed,
  /// committing when it returns and rolling back when it throws; retries when the database
  /// refuses the transaction for contention.
  func write<T: Sendable>(_ body: @Sendable (any TraceTransaction) throws -> T)
    async throws(TraceError) -> T
}

extension TraceStoreBackend {
  public func apply(_ commands: [TraceCommand]) async throws(TraceError) -> [TraceReceipt] {
    guard let signer else {
      throw .store(
        path: location, reason: "was opened without an issuer key, so it cannot be written")
    }
    let time = clock()
    return try await write { transaction in
      try CommandApplier.apply(commands, in: transaction, signer: signer, time: time)
    }
  }

  public func apply(inPieces next: @escaping @Sendable () throws -> [TraceCommand]?)
    async throws -> Int
  {
    guard let signer else {
      throw TraceError.store(
        path: location, reason: "was opened without an issuer key, so it cannot be written")
    }
    let time = clock()
    return try await write { transaction in
      var applied = 0
      while let piece = try next() {
        do {
          _ = try CommandApplier.apply(piece, in: transaction, signer: signer, time: time)
        } catch let error as TraceError {
          // Placed among all the pieces' commands.
          if case .command(let index, let inner) = error {
            throw TraceError.command(index: applied + index, error: inner)
          }
          throw piece.count == 1 ? TraceError.command(index: applied, error: error) : error
        }
        applied += piece.count
      }
      return applied
    }
  }

  public func importedLogs() async throws(TraceError) -> [ImportedLog] {
    try await read { try $0.importedLogs() }
  }

  public func producer(taxCode: String) async throws(TraceError) -> Producer? {
    try await read { try $0.producer(taxCode: taxCode) }
  }

  public func producers() async throws(TraceError) -> [Producer] {
    try await read { try $0.producers() }
  }

  public func product(_ gtin: GTIN) async throws(TraceError) -> Product? {
    try await read { try $0.product(gtin) }
  }

  public func products() async throws(TraceError) -> [Product] {
    try await read { try $0.products() }
  }

  public func ratingHistory(_ gtin: GTIN) async throws(TraceError) -> RatingHistory {
    try await read { try $0.ratingHistory(gtin) }
  }

  public func batch(_ lot: LotReference) async throws(TraceError) -> Batch? {
    try await read { try $0.batch(lot) }
  }

  public func batches(of gtin: GTIN) async throws(TraceError) -> [Batch] {
    try await read { try $0.batches(of: gtin) }
  }

  public func batches(ofProducer taxCode: String) async throws(TraceError) -> [Batch] {
    try await read { try $0.batches(ofProducer: taxCode) }
  }

  public func serialRanges(_ lot: LotReference) async throws(TraceError) -> [SerialRange] {
    try await read { try $0.serialRanges(lot) }
  }

  public func serialStatus(_ lot: LotReference, serial: String) async throws(TraceError)
    -> SerialStatus
  {
    try await read { try Lineage.serialStatus(lot, serial: serial, in: $0) }
  }

  public func movements(_ lot: LotReference) async throws(TraceError) -> [Movement] {
    try await read { try $0.movements(lot) }
  }

  public func stages(_ lot: LotReference) async throws(TraceError) -> [ProductionStage] {
    try await read { try $0.stages(lot) }
  }

  public func photo(sha256: String) async throws(TraceError) -> PhotoFile? {
    try await read { try $0.photo(sha256: sha256) }
  }

  public func recall(_ lot: LotReference) async throws(TraceError) -> Recall? {
    try await read { try Lineage.recall(lot, in: $0) }
  }

  public func recalls() async throws(TraceError) -> [Recall] {
    try await read { reader in
      try reader.recalledLots().compactMap { lot in try Lineage.recall(lot, in: reader) }
    }
  }

  public func traceBackward(_ lot: LotReference) async throws(TraceError) -> TraceNode {
    try await read { try Lineage.trace(lot, .backward, in: $0) }
  }

  public func traceForward(_ lot: LotReference) async throws(TraceError) -> TraceNode {
    try await read { try Lineage.trace(lot, .forward, in: $0) }
  }

  public func scanEvidence(_ lot: LotReference, serial: String?) async throws(TraceError)
    -> ScanEvidence?
  {
    try await read { try ScanEvidence.read(lot, serial: serial, in: $0) }
  }

  public func events(after sequence: Int64, limit: Int) async throws(TraceError) -> [Event] {
    try await read { try $0.events(after: sequence, limit: limit) }
  }

  public func headSequence() async throws(TraceError) -> Int64 {
    try await read { try $0.headSequence() }
  }

  public func snapshot<T: Sendable>(_ body: @Sendable (TraceSnapshot) throws -> T)
    async throws(TraceError) -> T
  {
    try await read { try body(TraceSnapshot($0)) }
  }

  public func audit(trustList: TrustList, expectedHead: (sequence: Int64, hash: String)?)
    async throws(TraceError) -> AuditReport
  {
    try await audit(trustList: trustList, expectedHead: expectedHead, verified: nil)
  }

  /// The audit, taking the signature checks in `verified` for the events they were made
  /// on (see ``VerifiedSignatures``).
  public func audit(
    trustList: TrustList, expectedHead: (sequence: Int64, hash: String)?,
    verified: VerifiedSignatures?
  ) async throws(TraceError) -> AuditReport {
    let head = expectedHead.map { ExpectedHead(sequence: $0.sequence, hash: $0.hash) }
    let location = location
    return try await read { reader in
      try Auditor.audit(
        reader, trustList: trustList, expectedHead: head, location: location, verified: verified)
    }
  }

  public func audit(trustList: TrustList, since checkpoint: AuditCheckpoint)
    async throws(TraceError) -> AuditReport
  {
    try await audit(trustList: trustList, since: checkpoint, expectedHead: nil, verified: nil)
  }

  /// The audit from `checkpoint`, taking the signature checks in `verified`; with
  /// `expectedHead`, the log must reach that event with that hash.
  public func audit(
    trustList: TrustList, since checkpoint: AuditCheckpoint,
    expectedHead: (sequence: Int64, hash: String)?, verified: VerifiedSignatures?
  ) async throws(TraceError) -> AuditReport {
    try await read { reader in
      try audit(
        reader, trustList: trustList, since: checkpoint, expectedHead: expectedHead,
        verified: verified)
    }
  }
}

extension TraceStoreBackend {
  /// The audit from `checkpoint` over `reader`, which may be the backend's own write
  /// transaction: for events appended and then checked before they are committed.
  package func audit(
    _ reader: any TraceReader, trustList: TrustList, since checkpoint: AuditCheckpoint,
    expectedHead: (sequence: Int64, hash: String)?, verified: VerifiedSignatures?
  ) throws -> AuditReport {
    try Auditor.audit(
      reader, trustList: trustList,
      expectedHead: expectedHead.map { ExpectedHead(sequence: $0.sequence, hash: $0.hash) },
      location: location, verified: verified, since: checkpoint)
  }
}

/// The head an audit is told to expect.
struct ExpectedHead: Sendable {
  let sequence: Int64
  let hash: String
}
