import Foundation
import Synchronization
import Traceability

/// Which scans the resolver counts, so that nobody can make a genuine code look copied.
///
/// A scan counts only when the link is genuine for the record: its signature verifies,
/// or it is unsigned and its data matches the record (any verdict but forged; an unknown
/// lot or a serial never printed is not answered at all). And a client counts once per
/// code in ``itemWindow``, and at most ``clientLimit`` codes in ``clientWindow``: a
/// phone scanning a label twice is one scan, and a script walking serials 1…N stops
/// counting after a few.
final class ScanAllowance: Sendable {
  static let itemWindow: TimeInterval = 600
  static let clientWindow: TimeInterval = 60
  static let clientLimit = 30
  /// Entries kept before expired ones are swept.
  static let sweepAt = 50_000

  private struct State {
    var lastCounted: [String: TimeInterval] = [:]
    var clients: [String: (start: TimeInterval, count: Int)] = [:]
  }
  private let state = Mutex(State())

  /// Whether `result`, a scan of a serial, is one the log may count at all.
  static func countable(_ result: ScanResult) -> Bool {
    guard result.verdict != .forged else { return false }
    switch result.signature {
    case .valid?, .unsigned?: return true
    default: return false
    }
  }

  /// Whether a scan of `item` by `client` at `now` (seconds) is counted; records it if so.
  func allow(client: String?, item: String, now: TimeInterval) -> Bool {
    let client = client ?? "unknown"
    let key = client + " " + item
    return state.withLock { state in
      if state.lastCounted.count > Self.sweepAt || state.clients.count > Self.sweepAt {
        state.lastCounted = state.lastCounted.filter { now - $0.value < Self.itemWindow }
        state.clients = state.clients.filter { now - $0.value.start < Self.clientWindow }
      }
      if let last = state.lastCounted[key], now - last < Self.itemWindow { return false }
      var window = state.clients[client] ?? (now, 0)
      if now - window.start >= Self.clientWindow { window = (now, 0) }
      guard window.count < Self.clientLimit else { return false }
      window.count += 1
      state.clients[client] = window
      state.lastCounted[key] = now
      return true
    }
  }
}

extension TraceResolver {
  /// How long a request waits for the scan log before it answers without the count.
  static let scanLogWait: Duration = .milliseconds(250)

  /// Records the scan when it `counts`, and returns the code's summary; nil when the scan
  /// log does not answer within ``scanLogWait`` (a write goes on behind the answer) or
  /// fails: the scan log never changes or holds up an answer.
  func scanSummary(_ lot: LotReference, serial: String, client: String?, counts: Bool) async
    -> ScanSummary?
  {
    guard let scanLog else { return nil }
    let place = ScanPlace.of(address: client)
    let recording = Task {
      counts
        ? try await scanLog.record(lot, serial: serial, place: place, at: .now())
        : try await scanLog.summary(lot, serial: serial)
    }
    // Whichever comes first, the summary or the deadline, answers; the other is dropped.
    return await withCheckedContinuation { continuation in
      let answered = Mutex(false)
      let answer: @Sendable (ScanSummary?) -> Void = { summary in
        if answered.withLock({ done in
          defer { done = true }
          return !done
        }) {
          continuation.resume(returning: summary)
        }
      }
      Task { answer(try? await recording.value) }
      Task {
        try? await Task.sleep(for: Self.scanLogWait)
        answer(nil)
      }
    }
  }
}
