import Foundation
import Synchronization
import Traceability

/// A clock that starts at a fixed moment and ticks one second per reading, so event times
/// are the same on every run.
public final class TestClock: Sendable {
  private let seconds: Mutex<TimeInterval>

  /// A clock whose first reading is one second after `start`.
  public init(start: String = "2026-11-01T08:00:00Z") {
    let formatter = ISO8601DateFormatter()
    seconds = Mutex(formatter.date(from: start)?.timeIntervalSince1970 ?? 0)
  }

  /// The next reading.
  public func now() -> Timestamp {
    let value = seconds.withLock { seconds in
      seconds += 1
      return seconds
    }
    return Timestamp(Date(timeIntervalSince1970: value))
  }
}
