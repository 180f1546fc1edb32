/// The lot graph's rules, over any backend's reads: traces backward and forward, what a
/// recall reaches, whether a serial was printed.
package enum Lineage {
  /// Which way a trace walks: to the lots a lot was made from, or to those made from it.
  package enum Direction: Sendable {
    case backward, forward
  }

  /// Whether `serial` lies in a range allocated under `lot`. Serials are allocated as
  /// decimal numbers without leading zeros, so any other spelling was never printed.
  package static func serialStatus(_ lot: LotReference, serial: String, in reader: any TraceReader)
    throws -> SerialStatus
  {
    guard let number = Int64(serial), String(number) == serial, number > 0 else {
      return .outsideAnyRange
    }
    guard
      var range = try reader.serialRanges(lot).first(where: {
        $0.first <= number && number <= $0.last
      })
    else { return .outsideAnyRange }
    // Whether the run was signed is in its event (runs recorded before it was said: nil),
    // the producer's own for a run taken in from its log; and when the run was recorded.
    if let event = try reader.events(after: range.eventSequence - 1, limit: 1).first?
      .recordBearing()
    {
      if case .bool(let signed)? = event.data["signed"] { range.signed = signed }
      range.printedAt = event.recordedAt
    }
    return .allocated(range)
  }

  /// The recall of `lot` with its reach: every lot made from it, and where it and they
  /// were shipped. Nil when the lot was not recalled.
  package static func recall(_ lot: LotReference, in reader: any TraceReader) throws -> Recall? {
    guard let notice = try reader.recallNotice(lot) else { return nil }
    let downstream = try downstreamLots(of: lot, in: reader)
    var shipments: [Movement] = []
    for reached in [lot] + downstream {
      shipments += try reader.shipments(reached)
    }
    return Recall(
      lot: lot, reason: notice.reason, recordedAt: notice.recordedAt, downstream: downstream,
      shipments: shipments, withdrawal: notice.withdrawal)
  }

  /// Every lot made from `lot`, transitively, breadth first, each once.
  package static func downstreamLots(of lot: LotReference, in reader: any TraceReader) throws
    -> [LotReference]
  {
    var seen: Set<LotReference> = [lot]
    var queue = [lot]
    var next = 0
    var result: [LotReference] = []
    while next < queue.count {
      let current = queue[next]
      next += 1
      for consumer in try reader.consumers(of: current) where seen.insert(consumer).inserted {
        result.append(consumer)
        queue.append(consumer)
      }
    }
    return result
  }

  /// The lot with its product, producer and recall, and the lots one step further, to the
  /// ends of the graph.
  package static func trace(
    _ lot: LotReference, _ direction: Direction, in reader: any TraceReader
  ) throws -> TraceNode {
    var visiting: Set<LotReference> = []
    return try node(lot, direction, reader, &visiting)
  }

  private static func node(
    _ lot: LotReference, _ direction: Direction, _ reader: any TraceReader,
    _ visiting: inout Set<LotReference>
  ) throws -> TraceNode {
    guard let batch = try reader.batch(lot) else {
      throw TraceError.notFound(kind: "lot", key: lot.description)
    }
    guard let product = try reader.product(lot.gtin),
      let producer = try reader.producer(taxCode: product.producerTaxCode)
    else { throw TraceError.notFound(kind: "product", key: lot.gtin.digits) }
    visiting.insert(lot)
    defer { visiting.remove(lot) }
    let next = direction == .backward ? batch.request.inputs : try reader.consumers(of: lot)
    var children: [TraceNode] = []
    // Lots are issued after their inputs exist, so the graph has no cycles; the check
    // only guards against a store edited by hand.
    for child in next where !visiting.contains(child) {
      children.append(try node(child, direction, reader, &visiting))
    }
    let recall = try reader.recallNotice(lot).map {
      Recall(
        lot: lot, reason: $0.reason, recordedAt: $0.recordedAt, downstream: [], shipments: [],
        withdrawal: $0.withdrawal)
    }
    return TraceNode(
      batch: batch, product: product, producer: producer, recall: recall, children: children)
  }
}
