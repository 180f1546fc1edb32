import Foundation
import TestSupport
import Testing

/// Exports killed with SIGKILL while they write: the name asked for holds nothing, or the
/// whole export, and the same command run again writes it.
///
/// Half the kills land the moment anything of the export shows in its folder (the file or
/// folder itself, or a hidden temporary beside it), which is where a file written in place
/// is cut short; the others at seeded points over the command's measured duration.
///
/// The kills and checks take minutes of waiting on child processes, so they run on a thread
/// of their own rather than on one of the concurrency pool's few threads, which the tests
/// that serve answers in this process need; they return what they found wrong.
@Suite("Exports killed while they write", .serialized)
struct ExportCrashTests {
  static let trials = 8

  /// The template store with 3,000 more batches, so that its exports take long enough to
  /// write to be caught half-way; made once, in a folder of its own.
  private static let made: Result<String, any Error> = Result {
    let store = try StoreTemplate.copy()
    let csv = (store as NSString).deletingLastPathComponent + "/more-batches.csv"
    var text =
      "gtin,lot,production_date,expiry_date,quantity,unit,origin_area,origin_commune,origin_province\n"
    for row in 0..<3000 {
      text +=
        "8932301001016,BIG-\(row),2026-11-02,2027-11-01,10,KGM,Vùng thốt nốt Ô Lâm,Xã Ô Lâm,An Giang\n"
    }
    try text.write(toFile: csv, atomically: true, encoding: .utf8)
    let imported = try CommandRunner.run(["import", "batches", csv, "--store", store])
    guard imported.status == 0 else { throw ExportFailure(imported.stderr) }
    return (store as NSString).deletingLastPathComponent
  }

  /// A copy of the big store in a new folder; returns the copied store's path.
  static func bigStore() throws -> String {
    let folder = NSTemporaryDirectory() + "ocop-big-" + UUID().uuidString
    try FileManager.default.copyItem(atPath: try made.get(), toPath: folder)
    return folder + "/ag.sqlite"
  }

  /// Whether anything of the export named `name` shows in `folder`.
  static func appeared(_ name: String, in folder: String) -> Bool {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return entries.contains { $0 == name || $0.hasPrefix("." + name + ".tmp-") }
  }

  /// Kills the export `arguments` (less its `--out`) once in each of `trials` ways, on a
  /// thread of its own; after each, `check` is given the export's path, when it exists, and
  /// says what is wrong with it. Returns every problem, named by its trial.
  static func killRepeatedly(
    _ arguments: [String], folder: String, salt: UInt64,
    check: @escaping @Sendable (String) throws -> String?
  ) async throws -> [String] {
    try await onOwnThread {
      let command = { (out: String) in arguments + ["--out", out] }
      let measured = try CommandRunner.timed(command(folder + "/calibration"))
      guard measured.result.status == 0 else { throw ExportFailure(measured.result.stderr) }
      var generator = SeededGenerator(seed: CrashTests.seed ^ salt)
      var killedWhileWriting = 0
      var problems: [String] = []
      for trial in 0..<trials {
        let name = "export-\(trial)"
        let out = folder + "/" + name
        let label: String
        if trial % 2 == 0 {
          label = "trial \(trial), killed as the export appeared"
          if try CommandRunner.runAndKill(command(out), when: { appeared(name, in: folder) }) {
            killedWhileWriting += 1
          }
        } else {
          let delay = Double.random(in: 0...1, using: &generator) * measured.seconds
          label = "trial \(trial), killed at \(Int(delay * 1000)) ms"
          _ = try CommandRunner.runAndKill(command(out), after: delay)
        }
        if FileManager.default.fileExists(atPath: out) {
          if let problem = try check(out) { problems.append("\(label): \(problem)") }
          continue
        }
        let again = try CommandRunner.run(command(out))
        if again.status != 0 {
          problems.append("\(label): run again: \(again.stderr)")
        } else if let problem = try check(out) {
          problems.append("\(label), run again: \(problem)")
        }
      }
      if killedWhileWriting == 0 {
        problems.append("no kill landed while an export was being written")
      }
      return problems
    }
  }

  @Test func aBundleKilledWhileWrittenIsMissingOrWhole() async throws {
    let store = try Self.bigStore()
    let folder = (store as NSString).deletingLastPathComponent
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let label = folder + "/labels/DTNQ-2611-02-1.png"
    let events = try SQLiteFile.int(store, "SELECT count(*) FROM events")
    let verified = Counter()
    let problems = try await Self.killRepeatedly(
      ["export", "bundle", "--store", store], folder: folder, salt: 7
    ) { out in
      // Every bundle is read whole; the first two are also verified as a retailer would
      // (replayed and audited, which takes seconds on a store this size).
      let data = try Data(contentsOf: URL(fileURLWithPath: out))
      let bundle = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
      let head = (bundle?["head"] as? [String: Any])?["seq"] as? Int
      guard (bundle?["events"] as? [Any])?.count == events, head == events else {
        return "not a whole bundle of \(events) events"
      }
      guard verified.increment() <= 2 else { return nil }
      let result = try CommandRunner.run([
        "verify", "--bundle", out, "--trust", folder + "/trust.json", label,
      ])
      return result.status == 0 ? nil : "does not verify: \(result.stderr)"
    }
    #expect(verified.value > 0)
    #expect(problems.isEmpty, "\(problems)")
  }

  @Test func anEPCISDocumentKilledWhileWrittenIsMissingOrWhole() async throws {
    let store = try Self.bigStore()
    let folder = (store as NSString).deletingLastPathComponent
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let problems = try await Self.killRepeatedly(
      ["export", "epcis", "--store", store], folder: folder, salt: 8
    ) { out in
      let data = try Data(contentsOf: URL(fileURLWithPath: out))
      let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
      let body = document?["epcisBody"] as? [String: Any]
      let events = body?["eventList"] as? [Any]
      return (events?.count ?? 0) > 3000 ? nil : "not a whole EPCIS document"
    }
    #expect(problems.isEmpty, "\(problems)")
  }

  @Test func aCSVExportKilledWhileWrittenLeavesNoFolderOrAWholeOne() async throws {
    let store = try Self.bigStore()
    let folder = (store as NSString).deletingLastPathComponent
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let reference = folder + "/reference"
    let exported = try CommandRunner.run(["export", "csv", "--out", reference, "--store", store])
    try #require(exported.status == 0, "\(exported.stderr)")
    // Every file, those in photos/ included.
    @Sendable func contents(_ path: String) throws -> [String: Data] {
      var files: [String: Data] = [:]
      for name in try FileManager.default.subpathsOfDirectory(atPath: path) {
        var isFolder: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isFolder)
        if isFolder.boolValue { continue }
        files[name] = try Data(contentsOf: URL(fileURLWithPath: path + "/" + name))
      }
      return files
    }
    let expected = try contents(reference)
    #expect(expected.keys.filter { !$0.hasPrefix("photos/") }.count == 5)
    #expect(expected.keys.filter { $0.hasPrefix("photos/") }.count == 53)
    let problems = try await Self.killRepeatedly(
      ["export", "csv", "--store", store], folder: folder, salt: 9
    ) { out in
      let written = try contents(out)
      return written == expected
        ? nil : "holds \(written.keys.sorted()), not the whole export"
    }
    #expect(problems.isEmpty, "\(problems)")
  }
}

/// A step of a test that could not be done, with what `ocop` said.
struct ExportFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// A count shared with a thread of its own.
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  // Guarded by `lock`.
  private var count = 0
  /// Adds one and returns the new count.
  func increment() -> Int {
    lock.withLock {
      count += 1
      return count
    }
  }
  var value: Int { lock.withLock { count } }
}

/// Runs `body` on a thread of its own and waits for it without holding a thread of the
/// concurrency pool.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { continuation in
    Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
  }
}
