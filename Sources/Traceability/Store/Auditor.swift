import Crypto
import Dispatch

/// The audit, written once over any backend's reads.
extension Auditor {
  /// First asks the database for its own physical check of its files (pages, indexes,
  /// constraints). Then reads the log in order in one snapshot, streaming, so memory stays
  /// bounded whatever its length. For each event: its sequence number follows the last,
  /// its body is canonical and names that number, its `prev` is the last event's hash, its
  /// issuer is trusted at its time and its signature verifies, its stored hash is right;
  /// and the rows derived from it are exactly the rows the derived tables hold for it.
  /// Derived rows that no event accounts for are found at the end, and so is a product
  /// photo whose bytes are not those of the hash its record names.
  ///
  /// From a `checkpoint` (``AuditCheckpoint``), the checkpoint's event must still be there
  /// with its hash; then only the events after it and the derived rows whose event comes
  /// after it are read, and only the photos of products added since are checked.
  static func audit(
    _ reader: any TraceReader, trustList: TrustList, expectedHead: ExpectedHead?,
    location: String, verified: VerifiedSignatures? = nil, since checkpoint: AuditCheckpoint? = nil
  ) throws -> AuditReport {
    var auditor = Auditor(trustList: trustList)
    auditor.verified = verified
    let start = checkpoint?.sequence ?? 0
    if checkpoint == nil {
      let integrity = try reader.integrityProblems()
      if !integrity.isEmpty {
        return auditor.report(
          AuditFailure(
            sequence: nil, record: "file \(location)",
            reason: "fails the database's integrity check: " + integrity.joined(separator: "; ")))
      }
    }
    var derived = try Projection.tables.map { table in
      try DerivedTableReader(cursor: reader.derivedRows(of: table, after: start))
    }
    // From a checkpoint, its own event is read first, and must be the one it names.
    let events = try reader.storedEvents(after: max(0, start - 1))
    if let checkpoint, start > 0 {
      let record = "event \(start)"
      guard let row = try events.next(), row.sequence == start else {
        return auditor.report(
          AuditFailure(
            sequence: start, record: record,
            reason: "is missing: the log no longer reaches the checkpoint's head"))
      }
      let hash = Event.hash(body: row.body)
      guard ByteText.hex(hash) == checkpoint.hash, row.hash == hash else {
        return auditor.report(
          AuditFailure(
            sequence: start, record: record,
            reason:
              "its hash is not the checkpoint's (\(checkpoint.hash.prefix(16))…): the log was rewritten"
          ))
      }
      auditor.resume(from: checkpoint)
    }
    while let row = try events.next() {
      if let failure = try auditor.check(row, derived: &derived, expectedHead: expectedHead) {
        return auditor.report(failure)
      }
    }
    for (index, table) in derived.enumerated() {
      if let orphan = table.pending {
        return auditor.report(
          AuditFailure(
            sequence: nil, record: "\(Projection.tables[index].name) row \(orphan.description)",
            reason: "no event in the log accounts for it"))
      }
    }
    // The photos kept beside the log: each one a product names must have the bytes of its
    // hash (one a product taken in from another log names may be absent). From a checkpoint,
    // those of the products added since.
    let products = try reader.products().filter {
      checkpoint == nil || auditor.productsAdded.contains($0.gtin.digits)
    }
    for hash in Set(products.compactMap { $0.photo?.sha256 }).sorted() {
      do {
        _ = try reader.photo(sha256: hash)
      } catch {
        return auditor.report(
          AuditFailure(
            sequence: nil, record: "photos row \(hash)", reason: "\(error)"))
      }
    }
    if let expectedHead, auditor.checked < expectedHead.sequence {
      return auditor.report(
        AuditFailure(
          sequence: expectedHead.sequence, record: "event \(expectedHead.sequence)",
          reason: "is missing: the log ends at event \(auditor.checked), it has been cut short"))
    }
    return auditor.report(nil)
  }
}

/// The next stored row of one derived table, read in audit order.
struct DerivedTableReader {
  let cursor: any DerivedRowCursor
  var pending: [Cell]?

  init(cursor: any DerivedRowCursor) throws {
    self.cursor = cursor
    pending = try cursor.next()
  }

  mutating func advance() throws { pending = try cursor.next() }
}

extension [Cell] {
  var description: String { "(" + map(\.description).joined(separator: ", ") + ")" }
}

/// The audit's running state: the last good event and its hash, and how far each other
/// log taken in has come.
struct Auditor {
  let trustList: TrustList
  /// Signatures already checked, for the events whose bytes they were checked on.
  var verified: VerifiedSignatures?
  var checked: Int64 = 0
  var previousHash = Event.genesisHash
  /// This store's log's name: its first event's hash.
  var ownLog: String?
  /// Each other log's last event taken in: its place and hash.
  var logs: [String: (sequence: Int64, hash: [UInt8])] = [:]

  init(trustList: TrustList) { self.trustList = trustList }

  /// Where the audit began: 0, or the checkpoint's event.
  var start: Int64 = 0
  /// The GTINs of the products whose rows the audit checked.
  var productsAdded: Set<String> = []

  /// Carries on from `checkpoint`, whose event has been found with its hash.
  mutating func resume(from checkpoint: AuditCheckpoint) {
    start = checkpoint.sequence
    checked = checkpoint.sequence
    previousHash = ByteText.bytes(hex: checkpoint.hash) ?? Event.genesisHash
    ownLog = checkpoint.log
    logs = checkpoint.logs.compactMapValues { head in
      ByteText.bytes(hex: head.hash).map { (head.sequence, $0) }
    }
  }

  func report(_ failure: AuditFailure?) -> AuditReport {
    let headHash = ByteText.hex(previousHash)
    return AuditReport(
      eventsChecked: checked - start, headSequence: checked, headHash: headHash,
      failure: failure, since: start,
      checkpoint: AuditCheckpoint(
        sequence: checked, hash: headHash, log: ownLog,
        logs: logs.mapValues { .init(sequence: $0.sequence, hash: ByteText.hex($0.hash)) }))
  }

  mutating func check(
    _ row: StoredEvent, derived: inout [DerivedTableReader], expectedHead: ExpectedHead?
  ) throws -> AuditFailure? {
    let sequence = row.sequence
    let expected = checked + 1
    func fail(_ reason: String) -> AuditFailure {
      AuditFailure(sequence: expected, record: "event \(expected)", reason: reason)
    }
    if sequence != expected {
      return fail("is missing: the log jumps from event \(checked) to event \(sequence)")
    }
    let body = row.body
    let signature = row.signature
    let event: Event
    do { event = try Event(body: body, signature: signature) } catch {
      return fail("its body cannot be read: \(error)")
    }
    if event.sequence != sequence {
      return fail("its body says it is event \(event.sequence): events have been moved")
    }
    if row.kind != event.kind.rawValue {
      return fail("its kind column says \(row.kind), its body says \(event.kind.rawValue)")
    }
    if event.previousHash != previousHash {
      return fail("does not follow event \(checked): its previous-hash link is broken")
    }
    if let problem = trustList.check(
      kid: event.kid, signature: signature, message: event.signedMessage, at: event.recordedAt,
      verified: verified?.result(for: event, signature: signature))
    {
      return fail("signature refused: \(problem)")
    }
    if let problem = trustList.scopeProblem(of: event) {
      return fail("refused: \(problem)")
    }
    if sequence == 1 { ownLog = event.logName }
    // What an import carries is read once, for its checks and its rows.
    var carried: [(log: String, event: Event)] = []
    if event.kind == .imported {
      do { carried = try event.carriedChain() } catch {
        return fail("what it imports cannot be read: \(error)")
      }
      if let reason = checkImport(carried) { return fail(reason) }
    }
    let hash = Event.hash(body: body)
    if row.hash != hash { return fail("its stored hash is not the hash of its body") }
    if let expectedHead, expectedHead.sequence == sequence,
      ByteText.hex(hash) != expectedHead.hash.lowercased()
    {
      return fail(
        "its hash is not the one noted earlier (\(expectedHead.hash)): the log was rewritten")
    }
    let rows =
      try carried.first.map {
        try Projection.rows(importing: $0.event, of: $0.log, sequence: sequence)
      } ?? Projection.rows(for: event)
    for wanted in rows {
      let table = Projection.tables[wanted.table]
      let record = "\(table.name) row for event \(sequence)"
      guard let stored = derived[wanted.table].pending else {
        return AuditFailure(sequence: sequence, record: record, reason: "is missing")
      }
      if case .integer(let storedSequence) = stored.first, storedSequence < sequence {
        return AuditFailure(
          sequence: storedSequence, record: "\(table.name) row \(stored.description)",
          reason: "does not match what event \(storedSequence) records")
      }
      if wanted.table == Projection.products.index, wanted.cells.count > 1,
        case .text(let gtin) = wanted.cells[1]
      {
        productsAdded.insert(gtin)
      }
      if stored != wanted.cells {
        let difference = zip(table.columns, zip(stored, wanted.cells)).first { $0.1.0 != $0.1.1 }
        let detail =
          difference.map { "column \($0.0) holds \($0.1.0), the log says \($0.1.1)" }
          ?? "it differs from the log"
        return AuditFailure(sequence: sequence, record: record, reason: detail)
      }
      try derived[wanted.table].advance()
    }
    checked = sequence
    previousHash = hash
    return nil
  }

  /// Checks what an `imported` event carries (`chain`, outermost first): each carried
  /// event's signature and scope against the trust list; the outermost continues its log
  /// (the next place, linked by its previous hash, a log's first event named by its hash);
  /// one carried deeper (an import of an import) was taken in before, or is this store's
  /// own.
  mutating func checkImport(_ chain: [(log: String, event: Event)]) -> String? {
    for (depth, (log, inner)) in chain.enumerated() {
      let place = "it imports event \(inner.sequence) of log \(log.prefix(16))…, which"
      if let problem = trustList.refusal(of: inner) {
        return "\(place) is refused: \(problem)"
      }
      if depth > 0 {
        let known = log == ownLog ? checked : logs[log]?.sequence ?? 0
        if inner.sequence > known {
          return "\(place) this store had not taken in before the import that repeats it"
        }
        continue
      }
      if log == ownLog { return "\(place) is this store's own log" }
      let head = logs[log] ?? (0, Event.genesisHash)
      if inner.sequence != head.sequence + 1 {
        return "\(place) does not follow event \(head.sequence) of that log"
      }
      if inner.previousHash != head.hash {
        return
          "\(place) does not follow event \(head.sequence) of that log: its previous-hash link is broken"
      }
      if inner.sequence == 1, inner.logName != log {
        return "\(place) is the first event of a log with another name"
      }
      logs[log] = (inner.sequence, inner.hash)
    }
    return nil
  }
}

/// A buffer whose slots are each written by one thread only.
private struct SendableSlots: @unchecked Sendable {
  let buffer: UnsafeMutableBufferPointer<UInt8>
  init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }
}

/// The Ed25519 checks of a log's signatures, made beforehand (on every core, while the log
/// is being stored): for each event from the first one recorded on, the SHA-256 of its hash
/// and signature as checked, and whether the signature is its issuer's in the trust list.
/// The audit takes a result only for an event whose hash and signature are exactly those
/// checked, and makes every other check itself. It takes 33 bytes an event.
public struct VerifiedSignatures: Sendable {
  /// The sequence number of the first event recorded.
  private var first: Int64 = 1
  /// 32 bytes an event: SHA-256 of its hash and signature.
  private var digests: [UInt8] = []
  /// One an event: 0 not checked, 1 good, 2 bad.
  private var results: [UInt8] = []

  /// None yet.
  public init() {}

  /// Checks the signature of every event in `events` (one log's, in order) against its
  /// issuer's key in `trustList` (an issuer the list does not hold is left to the audit), on
  /// every core.
  public init(_ events: [Event], trustList: TrustList) {
    record(events, results: Self.check(events, trustList: trustList))
  }

  /// The checks of `events` against `trustList`, made on every core: for each, 0 for an
  /// issuer the list does not hold, 1 for a good signature, 2 for a bad one.
  public static func check(_ events: [Event], trustList: TrustList) -> [UInt8] {
    let count = events.count
    let results = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: count)
    results.initialize(repeating: 0)
    defer { results.deallocate() }
    let slots = SendableSlots(results)
    let chunk = 256
    DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { part in
      for index in (part * chunk)..<min(count, (part + 1) * chunk) {
        let event = events[index]
        guard let issuer = trustList.issuers[event.kid] else { continue }
        slots.buffer[index] = issuer.verifies(event.signature, of: event.signedMessage) ? 1 : 2
      }
    }
    return Array(results)
  }

  /// Records the checks of `events`, which follow those recorded before, as
  /// ``check(_:trustList:)`` made them.
  public mutating func record(_ events: [Event], results: [UInt8]) {
    if self.results.isEmpty, let head = events.first { first = head.sequence }
    digests.reserveCapacity(digests.count + 32 * events.count)
    for event in events {
      digests += Self.digest(event.hash, event.signature)
    }
    self.results += results
  }

  private static func digest(_ hash: [UInt8], _ signature: [UInt8]) -> [UInt8] {
    var hasher = SHA256()
    hasher.update(data: hash)
    hasher.update(data: signature)
    return Array(hasher.finalize())
  }

  /// The check made on `event` with `signature`, or nil when none was made on those bytes.
  func result(for event: Event, signature: [UInt8]) -> Bool? {
    let index = Int(event.sequence - first)
    guard index >= 0, index < results.count, results[index] != 0 else { return nil }
    let expected = digests[(index * 32)..<(index * 32 + 32)]
    guard expected.elementsEqual(Self.digest(event.hash, signature)) else { return nil }
    return results[index] == 1
  }
}
