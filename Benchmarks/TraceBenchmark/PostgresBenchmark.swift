import Foundation
import GS1
import TraceStorePostgres
import TraceStoreSQLite
import Traceability

/// The server store beside the embedded one, on the same workloads in the same run:
/// issuing and allocating at both transaction sizes, several writers at once, and the audit.
enum PostgresBenchmark {
  static func run() async {
    guard let url = option("--store") else {
      fail("postgres needs --store postgres://… (an empty database; PGPASSWORD for its password)")
    }
    do {
      try await measure(url: url, million: option("--million"))
    } catch {
      fail("\(error)")
    }
  }

  static func row(_ name: String, _ count: Int, sqlite: Double, postgres: Double, target: String) {
    var line = name.padding(toLength: 40, withPad: " ", startingAt: 0)
    line += String(
      format: "%12.0f/s %12.0f/s   %5.2f×", Double(count) / sqlite, Double(count) / postgres,
      sqlite / postgres)
    print(line + "  " + target)
  }

  static func measure(url: String, million: String?) async throws {
    let folder = NSTemporaryDirectory() + "ocop-pg-bench-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let key = try IssuerKey.generate(name: "benchmark")
    let location = try PostgresLocation(url)
    let postgres = try await PostgresTraceStore.open(location, signer: key, create: true)
    let sqlite = try SQLiteTraceStore(path: folder + "/bench.sqlite", signer: key, create: true)
    try await Setup.register(postgres)
    try await Setup.register(sqlite)
    let stores: [any TraceStore] = [sqlite, postgres]
    let cores = ProcessInfo.processInfo.activeProcessorCount

    print("PostgreSQL beside SQLite: \(location), \(cores) cores, one run")
    print(String(repeating: "-", count: 96))
    print(
      "operation".padding(toLength: 40, withPad: " ", startingAt: 0)
        + "      SQLite    PostgreSQL   PG/SQLite  target")

    // Each workload on each store, alternating, three rounds; the median ratio's round.
    func compare(
      _ name: String, count: Int, target: String, _ work: (any TraceStore, Int) async throws -> Void
    )
      async throws
    {
      var rounds: [(Double, Double)] = []
      for round in 0..<3 {
        var seconds: [Double] = []
        for store in stores {
          seconds.append(try await Benchmark.time { try await work(store, round) })
        }
        rounds.append((seconds[0], seconds[1]))
      }
      let median = rounds.sorted { $0.0 / $0.1 < $1.0 / $1.1 }[1]
      row(name, count, sqlite: median.0, postgres: median.1, target: target)
    }

    let bulk = 5_000
    try await compare("issue batches, 1000/txn", count: bulk, target: "≥ 0.50×") { store, round in
      for start in stride(from: 0, to: bulk, by: 1000) {
        _ = try await store.apply(
          (start..<start + 1000).map { .issueBatch(try Setup.request("B\(round)-\($0)")) })
      }
    }
    let single = 1_000
    try await compare("issue batches, one txn each", count: single, target: "≥ 0.50×") {
      store, round in
      for index in 0..<single {
        _ = try await store.issueBatch(Setup.request("S\(round)-\(index)"))
      }
    }
    let lot = try LotReference(gtin: Setup.gtin, lot: "B0-0")
    try await compare("allocate serials (1000), one txn each", count: single, target: "≥ 0.50×") {
      store, _ in
      for _ in 0..<single { _ = try await store.allocateSerials(lot, count: 1000) }
    }

    // Several writers at once, each on a connection of its own, one transaction per batch.
    let perWriter = 500
    func writers(_ count: Int, round: Int) async throws -> Double {
      let handles = try await (0..<count).asyncMap { _ in
        try await PostgresTraceStore.open(location, signer: key)
      }
      return try await Benchmark.time {
        try await withThrowingTaskGroup(of: Void.self) { group in
          for (index, store) in handles.enumerated() {
            group.addTask {
              for batch in 0..<perWriter {
                _ = try await store.issueBatch(
                  Setup.request("W\(count)-\(round)-\(index)-\(batch)"))
              }
            }
          }
          try await group.waitForAll()
        }
      }
    }
    var writerRounds: [(one: Double, four: Double)] = []
    for round in 0..<3 {
      writerRounds.append((try await writers(1, round: round), try await writers(4, round: round)))
    }
    let writerRound = writerRounds.sorted {
      $0.one * 4 / $0.four < $1.one * 4 / $1.four
    }[1]
    var line = "4 PostgreSQL writers vs 1 (one txn each)".padding(
      toLength: 40, withPad: " ", startingAt: 0)
    line += String(
      format: "%12.0f/s %12.0f/s   %5.2f×", Double(perWriter) / writerRound.one,
      Double(4 * perWriter) / writerRound.four, writerRound.one * 4 / writerRound.four)
    print(line + "  ≥ 2.00× (columns: 1 writer, 4 writers)")

    // The audit of what both now hold: the same workloads, so the same number of events.
    let trust = try Setup.trustList(key)
    try await compare(
      "audit (chain, signatures, rows)",
      count: Int(try await sqlite.headSequence()), target: "≥ 0.50× (PostgreSQL ≤ 2× the time)"
    ) { store, _ in
      let report = try await store.audit(trustList: trust)
      guard report.passed else { fail("audit failed: \(String(describing: report.failure))") }
    }

    if let million {
      // Filled and audited each in a process of its own, so the audit's peak is its own.
      let keyPath = folder + "/million.key"
      let total = 1_000_000
      let fill = try await Benchmark.time {
        _ = try Benchmark.runSelf([
          "fill", "--store", million, "--key", keyPath, "--events", String(total),
        ])
      }
      print(
        String(
          format: "issue 1,000,000 events on PostgreSQL, 5000/txn: %.0f s (%.0f/s)", fill,
          Double(total) / fill))
      let output = try Benchmark.runSelf(["audit", "--store", million, "--key", keyPath])
      print("audit of 1,000,000 events on PostgreSQL in a fresh process: \(output)")
    }
    print(String(repeating: "-", count: 96))
  }
}

extension Sequence {
  func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
    var result: [T] = []
    for element in self { result.append(try await transform(element)) }
    return result
  }
}
