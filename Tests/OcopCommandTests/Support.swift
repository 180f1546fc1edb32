import Foundation
import GRDB
import TestSupport
import Testing

/// A store with the An Giang fixtures imported, two labels printed and a bundle and trust
/// list exported, made once per test run; tests work on copies of it.
enum StoreTemplate {
  static let lot = "8932301001016/DTNQ-2611-02"

  private static let made: Result<String, any Error> = Result {
    let store = try WorkflowTests.workspace()
    let folder = (store as NSString).deletingLastPathComponent
    for arguments in [
      ["import", "all", WorkflowTests.fixtures],
      ["print", lot, "--count", "2", "--out", folder + "/labels"],
      ["export", "bundle", "--out", folder + "/bundle.json"],
      ["keys", "export", "--out", folder + "/trust.json"],
    ] {
      let result = try CommandRunner.run(arguments + ["--store", store])
      guard result.status == 0 else {
        throw CLIFailure(arguments: arguments, stderr: result.stderr)
      }
    }
    return folder
  }

  struct CLIFailure: Error, CustomStringConvertible {
    let arguments: [String]
    let stderr: String
    var description: String { "ocop \(arguments.joined(separator: " ")): \(stderr)" }
  }

  /// A copy of the template in a new folder; returns the copied store's path.
  static func copy() throws -> String {
    let source = try made.get()
    let folder = NSTemporaryDirectory() + "ocop-copy-" + UUID().uuidString
    try FileManager.default.copyItem(atPath: source, toPath: folder)
    return folder + "/ag.sqlite"
  }
}

/// The files that make up a store (the database, its config, key and trust list, its scan
/// log), byte for byte. SQLite's `-shm` index is shared memory, not data, and is left out.
func storeFiles(_ store: String) throws -> [String: Data] {
  let folder = (store as NSString).deletingLastPathComponent
  let stem = ((store as NSString).lastPathComponent as NSString).deletingPathExtension
  var files: [String: Data] = [:]
  for name in try FileManager.default.contentsOfDirectory(atPath: folder)
  where name.hasPrefix(stem + ".") && !name.hasSuffix("-shm") {
    files[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
  }
  return files
}

/// Serial ranges as stored, by lot, in order; and whether any two overlap.
func serialRanges(_ store: String) throws -> [(
  lot: String, first: Int64, last: Int64, run: String?
)] {
  try SQLiteFile.rows(
    store, "SELECT gtin, lot, first, last, run FROM serial_ranges ORDER BY gtin, lot, first"
  ).map { row in
    (
      lot: (row["gtin"] as String) + "/" + (row["lot"] as String), first: row["first"],
      last: row["last"], run: row["run"]
    )
  }
}

/// Ranges of one lot that share a serial.
func overlappingRanges(_ store: String) throws -> [String] {
  var problems: [String] = []
  let ranges = try serialRanges(store)
  for (previous, next) in zip(ranges, ranges.dropFirst())
  where previous.lot == next.lot && next.first <= previous.last {
    problems.append(
      "\(next.lot): \(previous.first)–\(previous.last) and \(next.first)–\(next.last)")
  }
  return problems
}

extension CommandRunner {
  /// Starts `ocop` with its output thrown away and, after `seconds`, kills it with SIGKILL if
  /// it is still running. Returns whether it was killed.
  static func runAndKill(_ arguments: [String], after seconds: Double) throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    return try runAndKill(arguments) { Date() >= deadline }
  }

  /// Starts `ocop` with its output thrown away and kills it with SIGKILL as soon as
  /// `condition` holds (asked every fifth of a millisecond), if it is still running then.
  /// Returns whether it was killed.
  static func runAndKill(_ arguments: [String], when condition: () -> Bool) throws -> Bool {
    let process = try Subprocess.start([executable.path] + arguments)
    while process.isRunning && !condition() { usleep(200) }
    if process.isRunning { process.send(SIGKILL) }
    return try process.wait(timeout: 600).signalled
  }

  /// How long a run of `ocop` takes, in seconds, and its result.
  static func timed(_ arguments: [String]) throws -> (seconds: Double, result: Result) {
    let start = Date()
    let result = try run(arguments)
    return (Date().timeIntervalSince(start), result)
  }
}

/// `ocop serve` started for a test on a free loopback port; stopped by ``stop()``.
final class ServedStore {
  let port: Int
  private let process: Subprocess.Running

  /// Starts `ocop serve` with `arguments` (the port is added); what it writes on standard
  /// error is ``log``.
  init(_ arguments: [String], environment: [String: String] = [:], port: Int? = nil) throws {
    self.port = try port ?? PostgresWorkflowTests.freePort()
    process = try Subprocess.start(
      [CommandRunner.executable.path, "serve", "--port", String(self.port)] + arguments,
      environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
  }

  /// What the server has written on standard error so far.
  var log: Data { process.complained() }

  /// Whether the server accepts connections, waiting up to 10 seconds for it.
  func listening() -> Bool {
    for _ in 0..<100 {
      if GS1ResolverSuiteTests.accepts(port) { return true }
      Thread.sleep(forTimeInterval: 0.1)
    }
    return false
  }

  /// The answer to a plain-HTTP GET of `path`, once the server listens.
  func get(_ path: String, accept: String) throws -> (status: Int, body: String) {
    _ = listening()
    return try PostgresWorkflowTests.get("http://127.0.0.1:\(port)" + path, accept: accept)
  }

  func stop() {
    process.send(SIGTERM)
    _ = try? process.wait(timeout: 60)
  }
}
