import Foundation
import Synchronization

/// Signs messages on other cores while the caller goes on: messages are handed over in
/// chunks, and ``finish()`` returns every signature in submission order.
final class PipelinedSigner: Sendable {
  private struct State {
    var waiting: [[UInt8]] = []
    var submitted = 0
    var signatures: [Int: [[UInt8]]] = [:]
    var failure: TraceError?
  }

  private let key: IssuerKey
  private let state = Mutex(State())
  private let group = DispatchGroup()
  private static let chunk = 32

  init(key: IssuerKey) { self.key = key }

  /// Queues `message` for signing.
  func submit(_ message: [UInt8]) {
    let full = state.withLock { state -> (Int, [[UInt8]])? in
      state.waiting.append(message)
      guard state.waiting.count >= Self.chunk else { return nil }
      defer {
        state.submitted += state.waiting.count
        state.waiting = []
      }
      return (state.submitted, state.waiting)
    }
    if let full { dispatch(full.1, startingAt: full.0) }
  }

  private func dispatch(_ messages: [[UInt8]], startingAt start: Int) {
    DispatchQueue.global().async(group: group) { [self] in
      var signed: [[UInt8]] = []
      signed.reserveCapacity(messages.count)
      do throws(TraceError) {
        for message in messages { signed.append(try key.sign(message)) }
        state.withLock { $0.signatures[start] = signed }
      } catch {
        state.withLock { $0.failure = error }
      }
    }
  }

  /// Signs what is still queued and returns every signature, in submission order.
  func finish() throws(TraceError) -> [[UInt8]] {
    let (start, rest) = state.withLock { state -> (Int, [[UInt8]]) in
      defer {
        state.submitted += state.waiting.count
        state.waiting = []
      }
      return (state.submitted, state.waiting)
    }
    if start == 0 {
      // Nothing was handed over: sign here rather than wait for another thread.
      return try rest.map { message throws(TraceError) in try key.sign(message) }
    }
    if !rest.isEmpty { dispatch(rest, startingAt: start) }
    group.wait()
    return try state.withLock { state throws(TraceError) -> [[UInt8]] in
      if let failure = state.failure { throw failure }
      return state.signatures.keys.sorted().flatMap { state.signatures[$0] ?? [] }
    }
  }
}
