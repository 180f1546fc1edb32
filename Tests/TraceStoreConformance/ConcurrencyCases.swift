import GS1
import Testing
import Traceability

private typealias F = StoreFixture

/// Several writers at once, each on its own connection: one chain, no serial twice.
enum ConcurrencyCases {
  static let all: [ConformanceCase] = [
    ConformanceCase("writers on four connections at once lose nothing and duplicate nothing") {
      let fixture = try await F.make($0)
      let shared = F.lot(F.sugar, "SHARED")
      _ = try await fixture.store.issueBatch(F.request(F.sugar, "SHARED"))
      let writers = 4
      let rounds = 10
      let handles = try await withThrowingTaskGroup(of: (any TraceStore).self) { group in
        for _ in 0..<writers {
          group.addTask {
            try await fixture.backend.reopen(in: fixture.folder, signer: fixture.key)
          }
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      try await withThrowingTaskGroup(of: Void.self) { group in
        for (index, store) in handles.enumerated() {
          group.addTask {
            for round in 1...rounds {
              let request = try F.request(F.cake, "W\(index)-\(round)")
              _ = try await store.apply([
                .issueBatch(request),
                .allocateSerials(lot: request.lot, count: 10, printRun: "W\(index)"),
                .allocateSerials(lot: shared, count: 5, printRun: "W\(index)"),
              ])
            }
          }
        }
        try await group.waitForAll()
      }
      #expect(try await fixture.store.batches(of: F.cake).count == writers * rounds)
      // The shared lot's ranges tile 1…200 exactly: no serial handed out twice.
      let ranges = try await fixture.store.serialRanges(shared)
      #expect(ranges.count == writers * rounds)
      var next: Int64 = 1
      for range in ranges {
        #expect(range.first == next)
        next = range.last + 1
      }
      #expect(next == Int64(writers * rounds * 5 + 1))
      // One chain: every event follows the one before, with no gap or fork.
      let report = try await fixture.store.audit(trustList: fixture.trustList)
      #expect(report.passed)
      #expect(report.eventsChecked == Int64(3 + 1 + writers * rounds * 3))
    }
  ]
}
