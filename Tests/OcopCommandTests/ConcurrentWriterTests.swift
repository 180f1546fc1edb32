import Foundation
import TestSupport
import Testing

/// Four `ocop` processes issuing batches and printing into one store at once.
@Suite("Four writers at once")
struct ConcurrentWriterTests {
  static let writers = 4
  static let rounds = 5
  static let labelsPerRun = 40

  /// One writer: for each round, a batch of its own, labels for it, and labels for the lot
  /// all writers share. Stops at the first command that fails.
  static func script(writer: Int, store: String, folder: String) -> String {
    var lines = ["set -e"]
    for round in 0..<rounds {
      let lot = "W\(writer)-\(round)"
      lines.append(
        "\"$OCOP\" batch issue --gtin 8932301001016 --lot \(lot) --produced 2026-11-20 --expires 2027-11-19 --quantity 100 --unit KGM --area 'Vùng thốt nốt Ô Lâm' --commune 'Xã Ô Lâm' --province 'An Giang' --store '\(store)'"
      )
      lines.append(
        "\"$OCOP\" print 8932301001016/\(lot) --count \(labelsPerRun) --no-read-back --out '\(folder)/\(lot)' --store '\(store)'"
      )
      lines.append(
        "\"$OCOP\" print \(StoreTemplate.lot) --count \(labelsPerRun) --run w\(writer)-r\(round) --no-read-back --out '\(folder)/shared-\(writer)-\(round)' --store '\(store)'"
      )
    }
    return lines.joined(separator: "\n")
  }

  @Test func nothingLostNothingDuplicatedNoLockReachesTheUser() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let sharedBefore = try serialRanges(store).filter { $0.lot.hasSuffix("DTNQ-2611-02") }
    var processes: [Subprocess.Running] = []
    for writer in 0..<Self.writers {
      processes.append(
        try Subprocess.start(
          ["/bin/sh", "-c", Self.script(writer: writer, store: store, folder: folder)],
          environment: ProcessInfo.processInfo.environment.merging([
            "OCOP": CommandRunner.executable.path
          ]) { $1 }))
    }
    for (writer, process) in processes.enumerated() {
      let result = try process.wait(timeout: 900)
      let out = String(decoding: result.stdout, as: UTF8.self)
      let err = String(decoding: result.stderr, as: UTF8.self)
      #expect(result.status == 0, "writer \(writer): \(err)")
      #expect(!(out + err).lowercased().contains("locked"), "writer \(writer): \(err)")
      #expect(!(out + err).lowercased().contains("busy"), "writer \(writer): \(err)")
    }
    // Every batch is there once, with one run of labels; the shared lot's runs are
    // contiguous after what it had, none overlapping, each with its labels.
    for writer in 0..<Self.writers {
      for round in 0..<Self.rounds {
        let lot = "W\(writer)-\(round)"
        #expect(try SQLiteFile.int(store, "SELECT count(*) FROM batches WHERE lot = '\(lot)'") == 1)
        let ranges = try serialRanges(store).filter { $0.lot.hasSuffix("/" + lot) }
        #expect(ranges.map { [$0.first, $0.last] } == [[1, Int64(Self.labelsPerRun)]], "\(lot)")
        #expect(
          try FileManager.default.contentsOfDirectory(atPath: folder + "/" + lot).count
            == Self.labelsPerRun)
        let shared = folder + "/shared-\(writer)-\(round)"
        #expect(
          try FileManager.default.contentsOfDirectory(atPath: shared).count == Self.labelsPerRun)
      }
    }
    #expect(try overlappingRanges(store).isEmpty)
    let shared = try serialRanges(store).filter { $0.lot.hasSuffix("DTNQ-2611-02") }
    #expect(shared.count == sharedBefore.count + Self.writers * Self.rounds)
    let firstNew = (sharedBefore.map(\.last).max() ?? 0) + 1
    var next = firstNew
    for range in shared.dropFirst(sharedBefore.count) {
      #expect(range.first == next, "a gap or an overlap before \(range.first)")
      next = range.last + 1
    }
    #expect(next - firstNew == Int64(Self.writers * Self.rounds * Self.labelsPerRun))
    #expect(try SQLiteFile.integrityCheck(store) == ["ok"])
    let audit = try CommandRunner.run(["audit", "--store", store])
    #expect(audit.status == 0, "\(audit.stdout)")
  }

  /// Two runs of the same command on one lot, the second started while the first draws
  /// into the default folder: each owns its folder, neither takes the other's for a stopped
  /// run, and "printed N" is what each folder holds.
  @Test func twoPrintRunsOfOneCommandAtOnceEachKeepTheirLabels() async throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let before = try serialRanges(store).filter { $0.lot.hasSuffix("DTNQ-2611-02") }
    let last = before.map(\.last).max() ?? 0
    // Read back, so that the first run is still drawing when the second starts.
    let command = ["print", StoreTemplate.lot, "--count", "200", "--store", store]
    async let first = Task.detached { try CommandRunner.run(command, in: folder) }.value
    try await Task.sleep(nanoseconds: 500_000_000)
    async let second = Task.detached { try CommandRunner.run(command, in: folder) }.value
    let results = try await [first, second]
    for result in results { #expect(result.status == 0, "\(result.stderr)") }
    let after = try serialRanges(store).filter { $0.lot.hasSuffix("DTNQ-2611-02") }
    let new = after.dropFirst(before.count).map { [$0.first, $0.last] }
    #expect(new == [[last + 1, last + 200], [last + 201, last + 400]])
    #expect(try overlappingRanges(store).isEmpty)
    for range in new {
      let labels = folder + "/labels/DTNQ-2611-02-run-\(range[0])-\(range[1])"
      let files = try FileManager.default.contentsOfDirectory(atPath: labels)
      #expect(files.filter { $0.hasSuffix(".png") }.count == 200, "\(labels)")
    }
    for result in results {
      #expect(result.stdout.contains("printed 200 labels"), "\(result.stdout)")
    }
    // No stopped run is left behind: no hidden folder, no lock.
    let left = try FileManager.default.contentsOfDirectory(atPath: folder + "/labels")
    #expect(left.allSatisfy { !$0.hasPrefix(".") }, "\(left)")
  }
}
