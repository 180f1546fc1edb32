import Foundation
import Synchronization

/// Seals events on another core while the writer goes on: writes each body in canonical
/// form, chains it to the one before (its `prev` is that body's SHA-256) and signs it.
///
/// Within a transaction the writer needs no event's bytes, only its sequence number (for
/// the derived rows), so sealing runs beside the writer's checks and inserts: bodies are
/// written and chained in order on one serial queue, and each chunk's signatures are then
/// made on whichever core is free. ``finish()`` waits for all of it and returns every
/// sealed event in order.
final class EventSealer: Sendable {
  struct Sealed: Sendable {
    let sequence: Int64
    let kind: EventKind
    let body: [UInt8]
    let signature: [UInt8]
    let hash: [UInt8]
  }

  private struct Chain {
    var previousHash: [UInt8]
    /// Chunks of sealed events by the sequence number of their first event.
    var sealed: [Int64: [Sealed]] = [:]
    var failure: TraceError?
  }

  private struct Request: Sendable {
    let sequence: Int64
    let kind: EventKind
    let data: CanonicalJSON
  }

  private let key: IssuerKey
  private let kid: String
  private let time: Timestamp
  private let chain: Mutex<Chain>
  private let waiting = Mutex<[Request]>([])
  private let queue = DispatchQueue(label: "ocop-trace.event-sealer")
  private let signing = DispatchGroup()
  /// Whether any chunk was handed to another thread.
  private let handedOver = Mutex(false)
  private static let chunk = 16

  /// A sealer that continues the chain after `previousHash`.
  init(key: IssuerKey, time: Timestamp, previousHash: [UInt8]) {
    self.key = key
    kid = key.kid
    self.time = time
    chain = Mutex(Chain(previousHash: previousHash))
  }

  /// Queues an event for sealing.
  func submit(sequence: Int64, kind: EventKind, data: CanonicalJSON) {
    let full = waiting.withLock { waiting -> [Request]? in
      waiting.append(Request(sequence: sequence, kind: kind, data: data))
      guard waiting.count >= Self.chunk else { return nil }
      defer { waiting = [] }
      return waiting
    }
    if let full {
      handedOver.withLock { $0 = true }
      queue.async { [self] in seal(full, signHere: false) }
    }
  }

  /// Writes and chains the bodies of `requests` (on the serial queue), then signs them on
  /// any core.
  private func seal(_ requests: [Request], signHere: Bool) {
    guard let first = requests.first else { return }
    var previous = chain.withLock { $0.previousHash }
    var chained: [(Request, [UInt8], [UInt8])] = []
    chained.reserveCapacity(requests.count)
    for request in requests {
      let body = Event.body(
        sequence: request.sequence, kind: request.kind, data: request.data, at: time, kid: kid,
        previousHash: previous)
      previous = Event.hash(body: body)
      chained.append((request, body, previous))
    }
    chain.withLock { $0.previousHash = previous }
    let sign: @Sendable () -> Void = { [self, chained] in
      do throws(TraceError) {
        let sealed = try chained.map { request, body, hash throws(TraceError) in
          Sealed(
            sequence: request.sequence, kind: request.kind, body: body,
            signature: try key.sign(Event.signaturePrefix + body), hash: hash)
        }
        chain.withLock { $0.sealed[first.sequence] = sealed }
      } catch {
        chain.withLock { $0.failure = error }
      }
    }
    if signHere { sign() } else { DispatchQueue.global().async(group: signing, execute: sign) }
  }

  /// Takes the events sealed so far that follow on from `next` without a gap, so the
  /// writer can store them while the rest are being sealed.
  func takeReady(from next: Int64) -> [Sealed] {
    chain.withLock { chain in
      var ready: [Sealed] = []
      var cursor = next
      while let chunk = chain.sealed.removeValue(forKey: cursor) {
        ready += chunk
        cursor += Int64(chunk.count)
      }
      return ready
    }
  }

  /// Seals what is still queued and returns every sealed event not yet taken, in order.
  func finish() throws(TraceError) -> [Sealed] {
    let rest = waiting.withLock { waiting -> [Request] in
      defer { waiting = [] }
      return waiting
    }
    if !handedOver.withLock({ $0 }) {
      // A small transaction: sealing here costs less than handing it over.
      seal(rest, signHere: true)
    } else {
      // The queue is serial: sealing the rest after waiting for it keeps the order.
      queue.sync { seal(rest, signHere: false) }
      signing.wait()
    }
    return try chain.withLock { chain throws(TraceError) -> [Sealed] in
      if let failure = chain.failure { throw failure }
      return chain.sealed.keys.sorted().flatMap { chain.sealed[$0] ?? [] }
    }
  }
}
