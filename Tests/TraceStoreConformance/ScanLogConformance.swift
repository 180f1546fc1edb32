import GS1
import Testing
import Traceability

/// What every scan log does, checked on a new, empty one: scans recorded together, a tally
/// that says which of the scan ids it is given are stored, and retention.
public enum ScanLogConformance {
  public static func check(_ log: any ScanLog) async throws {
    let lot = try LotReference(gtin: GTIN("8932301001016"), lot: "DTNQ-2611-02")
    func scan(_ day: String, place: String = "p", serial: String = "1") -> Scan {
      Scan(lot: lot, serial: serial, place: place, time: try! Timestamp(day + "T00:00:00Z"))
    }
    let days = ["2024-01-01", "2025-06-01", "2026-11-01", "2026-11-20", "2026-11-28"]
    let stored = days.map { scan($0) }
    try await log.record(stored)
    try await log.record([scan("2026-11-28", place: "q", serial: "2")])

    let first = try await log.tally(lot, serial: "1", storedAmong: []).tally
    #expect(first.places == ["p": 5])
    #expect(first.firstSeen == (try Timestamp("2024-01-01T00:00:00Z")))
    #expect(first.summary.scans == 5)
    #expect(first.summary.places == 1)
    // Of the ids asked about, those stored (for this code) are named.
    let waiting = scan("2026-11-29", place: "r")
    let (_, ids) = try await log.tally(
      lot, serial: "1", storedAmong: [stored[4].id, waiting.id, stored[0].id])
    #expect(ids == [stored[4].id, stored[0].id])
    let other = try await log.tally(lot, serial: "2", storedAmong: [stored[4].id])
    #expect(other.stored.isEmpty)
    // Another serial's scans are its own.
    #expect(other.tally.places == ["q": 1])

    // Older than a cut-off, then the oldest beyond a number of rows.
    #expect(
      try await log.prune(before: try Timestamp("2025-01-01T00:00:00Z"), keepingAtMost: nil)
        == 1)
    #expect(try await log.prune(before: nil, keepingAtMost: 3) == 2)
    let kept = try await log.tally(lot, serial: "1", storedAmong: []).tally
    #expect(kept.summary.scans == 2)
    #expect(kept.firstSeen == (try Timestamp("2026-11-20T00:00:00Z")))
    #expect(try await log.prune(before: nil, keepingAtMost: 10) == 0)
  }
}
