import Foundation
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
    },
    ConformanceCase(
      "writers issuing the same lots at once: one list is taken whole, the rest refused"
    ) {
      // Lists longer than a CLI command's, so a server backend asks whether the lots exist
      // before its turn at the chain: the writers that lose the race find them at the
      // insert, and are run again to be refused by the rules, not by the database.
      let fixture = try await F.make($0)
      let handles = try await withThrowingTaskGroup(of: (any TraceStore).self) { group in
        for _ in 0..<4 {
          group.addTask {
            try await fixture.backend.reopen(in: fixture.folder, signer: fixture.key)
          }
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      let commands = try (1...6).map { TraceCommand.issueBatch(try F.request(F.cake, "R\($0)")) }
      let outcomes = await withTaskGroup(of: String?.self) { group in
        for store in handles {
          group.addTask {
            do {
              _ = try await store.apply(commands)
              return nil
            } catch {
              return "\(error)"
            }
          }
        }
        return await group.reduce(into: []) { $0.append($1) }
      }
      #expect(outcomes.filter { $0 == nil }.count == 1, "\(outcomes)")
      for refusal in outcomes.compactMap({ $0 }) {
        #expect(refusal.contains("lot 08936059000024/R1 already exists"), "\(refusal)")
      }
      #expect(
        try await fixture.store.batches(of: F.cake).map(\.lot.lot).sorted()
          == (1...6).map { "R\($0)" })
      let report = try await fixture.store.audit(trustList: fixture.trustList)
      #expect(report.passed)
      #expect(report.eventsChecked == 3 + 6)
    },
    ConformanceCase("a snapshot sees one instant: a write committed between its reads is not in it")
    {
      let fixture = try await F.populated($0)
      let writer = try await fixture.backend.reopen(in: fixture.folder, signer: fixture.key)
      let seen = try await fixture.store.snapshot { snapshot in
        let before = try snapshot.headSequence()
        try waitFor { _ = try await writer.issueBatch(try F.request(F.sugar, "MEANWHILE")) }
        return (
          before: before, after: try snapshot.headSequence(),
          lots: try snapshot.batches(of: F.sugar).map(\.lot.lot), events: try snapshot.events()
        )
      }
      #expect(seen.before == 9 && seen.after == 9)
      #expect(seen.lots == ["A", "B"])
      #expect(seen.events.map(\.sequence) == Array(1...9))
      // The write did commit, and the next snapshot sees it.
      #expect(try await fixture.store.headSequence() == 10)
      #expect(try await fixture.store.snapshot { try $0.batches(of: F.sugar).count } == 3)
    },
  ]
}

/// Runs `work` and waits for it on the calling thread (a backend's, inside a snapshot), so
/// that it has committed before the thread goes on.
private func waitFor(_ work: @escaping @Sendable () async throws -> Void) throws {
  let done = DispatchSemaphore(value: 0)
  let failure = Failure()
  Task {
    do { try await work() } catch { failure.error = error }
    done.signal()
  }
  done.wait()
  if let error = failure.error { throw error }
}

/// An error handed from a task to the thread waiting for it, after the task signalled.
private final class Failure: @unchecked Sendable {
  var error: (any Error)?
}
