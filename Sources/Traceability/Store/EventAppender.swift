/// Appends events after the chain's head, with their derived rows.
///
/// The head is read at the first append, not before: a backend that lets writers check
/// their input before taking its turn at the chain (PostgreSQL's) takes the turn there.
///
/// The derived rows are written at once; each event is sealed (encoded, chained, signed)
/// on another core meanwhile, and ``finish()`` writes the sealed events in the same
/// transaction. (Derived rows name their event by `event_seq`; the audit, not a foreign
/// key, checks that they match it.)
struct EventAppender {
  let transaction: any TraceTransaction
  let time: Timestamp
  let signer: IssuerKey
  /// Made at the first append, from the head.
  private var sealer: EventSealer?
  private var headSequence: Int64 = 0
  /// The first event not yet written.
  private var nextToWrite: Int64 = 1

  init(_ transaction: any TraceTransaction, signer: IssuerKey, time: Timestamp) {
    self.transaction = transaction
    self.time = time
    self.signer = signer
  }

  /// The sealer, made from the chain's head at the first append.
  private mutating func started() throws -> EventSealer {
    if let sealer { return sealer }
    let head = try transaction.head()
    headSequence = head?.sequence ?? 0
    nextToWrite = headSequence + 1
    let sealer = EventSealer(key: signer, time: time, previousHash: head?.hash ?? Event.genesisHash)
    self.sealer = sealer
    return sealer
  }

  /// Queues one event for sealing and stores the rows derived from it; returns its
  /// sequence number.
  @discardableResult
  mutating func append(_ kind: EventKind, _ data: CanonicalJSON) throws -> Int64 {
    let time = time
    return try append(kind, data) { sequence in
      try Projection.rows(kind: kind, data: data, sequence: sequence, at: time)
    }
  }

  /// Appends an `imported` event that carries `event` of `log`, with the rows derived from
  /// `event` as it is (not read back from the new event's data).
  mutating func appendImport(_ event: Event, of log: String) throws {
    try append(.imported, Event.importData(log: log, event: event)) { sequence in
      try Projection.rows(importing: event, of: log, sequence: sequence)
    }
  }

  /// Queues an event for sealing and stores `rows(sequence)`; returns its sequence number.
  @discardableResult
  private mutating func append(
    _ kind: EventKind, _ data: CanonicalJSON, rows: (Int64) throws -> [Projection.Row]
  ) throws -> Int64 {
    let sealer = try started()
    let sequence = headSequence + 1
    sealer.submit(sequence: sequence, kind: kind, data: data)
    try transaction.insert(rows(sequence))
    headSequence = sequence
    try write(sealer.takeReady(from: nextToWrite))
    return sequence
  }

  /// Waits for every event to be sealed and writes those not yet written.
  mutating func finish() throws {
    if let sealer { try write(sealer.finish()) }
  }

  private mutating func write(_ events: [EventSealer.Sealed]) throws {
    guard !events.isEmpty else { return }
    for event in events {
      try transaction.insert(
        StoredEvent(
          sequence: event.sequence, kind: event.kind.rawValue, body: event.body,
          signature: event.signature, hash: event.hash))
    }
    nextToWrite = events[events.count - 1].sequence + 1
  }
}
