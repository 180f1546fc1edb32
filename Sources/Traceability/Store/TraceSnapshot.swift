import GS1

/// The records of a store as they were at one instant: every read made through one
/// snapshot sees the same state, whatever other writers commit meanwhile.
///
/// A snapshot lives only inside ``TraceStore/snapshot(_:)``, which runs its body on the
/// backend's own thread: read what is needed there, and build the answer there or after.
/// An export made of many reads (a bundle's events and its records, say) reads them all
/// through one snapshot, so it never holds records of events it does not hold.
public struct TraceSnapshot {
  private let reader: any TraceReader

  /// A snapshot over a backend's reader.
  package init(_ reader: any TraceReader) {
    self.reader = reader
  }

  /// A producer by tax code.
  public func producer(taxCode: String) throws -> Producer? {
    try reader.producer(taxCode: taxCode)
  }

  /// Every producer, by tax code.
  public func producers() throws -> [Producer] { try reader.producers() }

  /// A product by GTIN.
  public func product(_ gtin: GTIN) throws -> Product? { try reader.product(gtin) }

  /// Every product, by GTIN.
  public func products() throws -> [Product] { try reader.products() }

  /// A product's OCOP rating history, in recording order.
  public func ratingHistory(_ gtin: GTIN) throws -> RatingHistory {
    try reader.ratingHistory(gtin)
  }

  /// A product's rating decisions that an issuer `trustList` trusts for ratings signed, in
  /// recording order: the decisions a label's stars, or the programme's figures, rest on.
  public func ratingHistory(_ gtin: GTIN, trustedBy trustList: TrustList) throws
    -> RatingHistory
  {
    let history = try reader.ratingHistory(gtin)
    let signers = try RatingSigners.of(gtin, in: reader)
    return RatingSigners.trusted(history, signers: signers, by: trustList)
  }

  /// A batch by GTIN and lot.
  public func batch(_ lot: LotReference) throws -> Batch? { try reader.batch(lot) }

  /// The batches of a product, by lot.
  public func batches(of gtin: GTIN) throws -> [Batch] { try reader.batches(of: gtin) }

  /// The serial ranges allocated under a lot, in order.
  public func serialRanges(_ lot: LotReference) throws -> [SerialRange] {
    try reader.serialRanges(lot)
  }

  /// Shipments and receipts of a lot.
  public func movements(_ lot: LotReference) throws -> [Movement] { try reader.movements(lot) }

  /// The production stages of a lot, in the order they were recorded.
  public func stages(_ lot: LotReference) throws -> [ProductionStage] { try reader.stages(lot) }

  /// A product photo's file by its SHA-256, if the store keeps it.
  public func photo(sha256: String) throws -> PhotoFile? { try reader.photo(sha256: sha256) }

  /// Every recall, with what it reaches.
  public func recalls() throws -> [Recall] {
    try reader.recalledLots().compactMap { lot in try Lineage.recall(lot, in: reader) }
  }

  /// The sequence number of the last event (0 for an empty log).
  public func headSequence() throws -> Int64 { try reader.headSequence() }

  /// Up to `limit` events of the log after sequence number `sequence`, in order.
  public func events(after sequence: Int64, limit: Int) throws -> [Event] {
    try reader.events(after: sequence, limit: limit)
  }

  /// The whole log, in order.
  public func events() throws -> [Event] {
    var all: [Event] = []
    while true {
      let page = try reader.events(after: all.last?.sequence ?? 0, limit: 10_000)
      if page.isEmpty { return all }
      all += page
    }
  }
}

@available(*, unavailable)
extension TraceSnapshot: Sendable {}
