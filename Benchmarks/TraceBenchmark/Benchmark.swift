import Crypto
import Foundation
import GS1
import TraceStoreSQLite
import Traceability

/// The benchmark table: each store operation beside the bare cryptography it rests on,
/// measured in the same run on the same messages.
enum Benchmark {
  static func run() async {
    let batches = option("--batches").flatMap(Int.init) ?? 20_000
    let million = arguments.contains("--million")
    do {
      try await measure(batches: batches, million: million)
    } catch {
      fail("\(error)")
    }
  }

  static func time(_ body: () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }

  static func row(
    _ name: String, _ count: Int, _ seconds: Double, reference: Double? = nil, target: String = ""
  ) {
    let rate = Double(count) / seconds
    let perItem = seconds / Double(count) * 1e6
    var line = name.padding(toLength: 44, withPad: " ", startingAt: 0)
    line += String(format: "%12.0f/s %10.1f µs", rate, perItem)
    if let reference {
      line += String(format: "   %5.2f×", seconds / Double(count) / reference)
    } else {
      line += "         "
    }
    print(line + "  " + target)
  }

  static func measure(batches: Int, million: Bool) async throws {
    let folder = NSTemporaryDirectory() + "ocop-trace-bench-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let key = try IssuerKey.generate(name: "benchmark")
    let keyPath = folder + "/issuer.key"
    try key.write(to: keyPath)

    print(
      "trace store benchmark: \(batches) batches, \(ProcessInfo.processInfo.activeProcessorCount) cores"
    )
    print(String(repeating: "-", count: 96))
    print(
      "operation".padding(toLength: 44, withPad: " ", startingAt: 0)
        + "        rate    per item   vs bare  target")

    // Three rounds, each timing an operation and, right beside it, the bare cryptography
    // on exactly the messages it signed or verified; the round with the median ratio is
    // reported, so a slow moment of a shared machine affects both sides alike.
    let store = try SQLiteTraceStore(path: folder + "/bench.sqlite", signer: key, create: true)
    try await Setup.register(store)
    let signing = try IssuerKey.generate(name: "bare")
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let requests = try (0..<3 * batches).map { try Setup.request("L\($0)") }
    var issueRounds: [(issue: Double, sign: Double, parallel: Double)] = []
    for round in 0..<3 {
      let first = round * batches
      let issue = try await time {
        for start in stride(from: first, to: first + batches, by: 1000) {
          _ = try await store.apply(requests[start..<start + 1000].map { .issueBatch($0) })
        }
      }
      let messages = try await store.events(after: Int64(first + 2), limit: batches).map(
        \.signedMessage)
      let sign = try await time { for message in messages { _ = try signing.sign(message) } }
      // The store seals events on every core; bare signing on every core, for comparison.
      let parallel = await time {
        DispatchQueue.concurrentPerform(iterations: cores) { part in
          for index in stride(from: part, to: messages.count, by: cores) {
            _ = try? signing.sign(messages[index])
          }
        }
      }
      issueRounds.append((issue, sign, parallel))
    }
    let issueRound = issueRounds.sorted { $0.issue / $0.sign < $1.issue / $1.sign }[1]
    row("Ed25519 sign (bare, same messages)", batches, issueRound.sign)
    row("Ed25519 sign (bare, all \(cores) cores)", batches, issueRound.parallel)
    row(
      "issue batches (signed events), 1000/txn", batches, issueRound.issue,
      reference: issueRound.sign / Double(batches), target: "≤ 2.00× sign")

    let single = 200
    let singleSeconds = try await time {
      for index in 0..<single { _ = try await store.issueBatch(Setup.request("ONE\(index)")) }
    }
    row(
      "issue batches, one transaction each", single, singleSeconds,
      reference: issueRound.sign / Double(batches), target: "(fsync each)")

    let events = try await store.events()
    let publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: key.publicKey)
    let trust = try Setup.trustList(key)
    var auditRounds: [(audit: Double, verify: Double)] = []
    var report: AuditReport?
    for _ in 0..<3 {
      var verified = 0
      let verify = await time {
        for event in events
        where publicKey.isValidSignature(event.signature, for: event.signedMessage) {
          verified += 1
        }
      }
      guard verified == events.count else { fail("bare verification failed") }
      let audit = try await time { report = try await store.audit(trustList: trust) }
      auditRounds.append((audit, verify))
    }
    guard let report, report.passed else {
      fail("audit failed: \(String(describing: report?.failure))")
    }
    let auditRound = auditRounds.sorted { $0.audit / $0.verify < $1.audit / $1.verify }[1]
    row("Ed25519 verify (bare, same messages)", events.count, auditRound.verify)
    row(
      "audit (chain, signatures, derived rows)", Int(report.eventsChecked), auditRound.audit,
      reference: auditRound.verify / Double(events.count), target: "≤ 1.50× verify")

    let lot = try LotReference(gtin: Setup.gtin, lot: "L0")
    let allocations = 500
    let allocateSeconds = try await time {
      for _ in 0..<allocations { _ = try await store.allocateSerials(lot, count: 1000) }
    }
    row("serial range allocation (1000 serials each)", allocations, allocateSeconds)

    if million {
      // Filled and audited each in a process of its own, so neither inherits the other's
      // memory: the audit's peak is its own.
      let path = folder + "/million.sqlite"
      let bigKey = folder + "/million.key"
      let total = 1_000_000
      let fillSeconds = try await time {
        _ = try runSelf(["fill", "--store", path, "--key", bigKey, "--events", String(total)])
      }
      row(
        "issue 1,000,000 events, 5000/txn", total, fillSeconds,
        reference: issueRound.sign / Double(batches))
      let output = try runSelf(["audit", "--store", path, "--key", bigKey])
      print("audit of 1,000,000 events in a fresh process: \(output)")
    }
    print(String(repeating: "-", count: 96))
  }

  static func runSelf(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
