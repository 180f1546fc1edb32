import Foundation
import TestSupport
import Testing

/// Commands killed with SIGKILL at random points: after every kill the file passes SQLite's
/// integrity check and `ocop audit`, no serial has been handed out twice, the command either
/// happened whole or left no trace, and running it again finishes the job.
///
/// Kill times are drawn from a seeded generator over the command's own measured duration:
/// `OCOP_CRASH_SEED` and `OCOP_CRASH_TRIALS` (default 20) repeat or widen a run.
@Suite("Killed at random points", .serialized)
struct CrashTests {
  static let trials = Int(ProcessInfo.processInfo.environment["OCOP_CRASH_TRIALS"] ?? "") ?? 20
  static let seed =
    UInt64(ProcessInfo.processInfo.environment["OCOP_CRASH_SEED"] ?? "") ?? 20_261_129

  /// Kill delays: a seeded fraction of the command's duration. The duration is the shortest
  /// run seen so far (the calibration, then every run that went through whole), since a run
  /// slowed by a busy machine would put kills after the end.
  struct Schedule {
    var generator: SeededGenerator
    var seconds: Double

    init(salt: UInt64, seconds: Double) {
      generator = SeededGenerator(seed: CrashTests.seed ^ salt)
      self.seconds = seconds
    }

    mutating func next() -> Double { Double.random(in: 0...1, using: &generator) * seconds }
    mutating func observed(_ run: Double) { seconds = min(seconds, run) }
  }

  /// The store passes SQLite's check and the audit, and no two ranges share a serial.
  static func expectSound(_ store: String, trial: String) throws {
    #expect(try SQLiteFile.integrityCheck(store) == ["ok"], "\(trial)")
    let audit = try CommandRunner.run(["audit", "--store", store])
    #expect(audit.status == 0, "\(trial): \(audit.stdout) \(audit.stderr)")
    #expect(try overlappingRanges(store).isEmpty, "\(trial)")
  }

  @Test func aBulkImportIsAllOrNothingAndRunsAgain() throws {
    let rows = 2000
    let csv = NSTemporaryDirectory() + "ocop-bulk-\(UUID().uuidString).csv"
    var text =
      "gtin,lot,production_date,expiry_date,quantity,unit,origin_area,origin_commune,origin_province\n"
    for row in 0..<rows {
      text +=
        "8932301001016,BULK-\(row),2026-11-02,2027-11-01,10,KGM,Vùng thốt nốt Ô Lâm,Xã Ô Lâm,An Giang\n"
    }
    try text.write(toFile: csv, atomically: true, encoding: .utf8)
    let command = { (store: String) in ["import", "batches", csv, "--store", store] }
    let measured = try CommandRunner.timed(command(try StoreTemplate.copy()))
    #expect(measured.result.status == 0, "\(measured.result.stderr)")
    var outcomes = Outcomes(operation: "import of \(rows) batches", seconds: measured.seconds)
    var schedule = Schedule(salt: 1, seconds: measured.seconds)
    for trial in 0..<Self.trials {
      let delay = schedule.next()
      let store = try StoreTemplate.copy()
      defer {
        try? FileManager.default.removeItem(atPath: (store as NSString).deletingLastPathComponent)
      }
      let name = "import trial \(trial), kill at \(Int(delay * 1000)) ms"
      let killed = try CommandRunner.runAndKill(command(store), after: delay)
      try Self.expectSound(store, trial: name)
      let imported = try SQLiteFile.int(
        store, "SELECT count(*) FROM batches WHERE lot LIKE 'BULK-%'")
      #expect(imported == 0 || imported == rows, "\(name): \(imported) rows, half an import")
      outcomes.record(killed: killed, leftUndone: imported == 0)
      let (seconds, again) = try CommandRunner.timed(command(store))
      if again.status == 0 { schedule.observed(seconds) }
      if imported == 0 {
        #expect(again.status == 0, "\(name): \(again.stderr)")
      } else {
        #expect(again.status == 1 && again.stderr.contains("already exists"), "\(name)")
      }
      #expect(
        try SQLiteFile.int(store, "SELECT count(*) FROM batches WHERE lot LIKE 'BULK-%'") == rows,
        "\(name)")
      try Self.expectSound(store, trial: name)
    }
    outcomes.report()
  }

  @Test func aBatchIssueIsAllOrNothingAndRunsAgain() throws {
    let store = try StoreTemplate.copy()
    let command = { (lot: String) in
      [
        "batch", "issue", "--gtin", "8932301001016", "--lot", lot, "--produced", "2026-09-11",
        "--expires", "2027-09-10", "--quantity", "750", "--unit", "KGM", "--area",
        "Vùng thốt nốt Ô Lâm", "--commune", "Xã Ô Lâm", "--province", "An Giang", "--input",
        "8935481001012/NTN-2609-02", "--store", store,
      ]
    }
    let measured = try CommandRunner.timed(command("CRASH-CAL"))
    #expect(measured.result.status == 0, "\(measured.result.stderr)")
    var outcomes = Outcomes(operation: "batch issue", seconds: measured.seconds)
    var schedule = Schedule(salt: 2, seconds: measured.seconds)
    for trial in 0..<Self.trials {
      let delay = schedule.next()
      let lot = "CRASH-\(trial)"
      let name = "batch issue trial \(trial), kill at \(Int(delay * 1000)) ms"
      let killed = try CommandRunner.runAndKill(command(lot), after: delay)
      try Self.expectSound(store, trial: name)
      let rows = try SQLiteFile.int(
        store,
        "SELECT count(*) FROM batches b JOIN batch_inputs i ON i.output_lot = b.lot WHERE b.lot = '\(lot)' AND b.amount = '750'"
      )
      let bare = try SQLiteFile.int(store, "SELECT count(*) FROM batches WHERE lot = '\(lot)'")
      #expect(rows == bare, "\(name): a batch without its input")
      outcomes.record(killed: killed, leftUndone: bare == 0)
      if bare == 0 {
        let (seconds, again) = try CommandRunner.timed(command(lot))
        if again.status == 0 { schedule.observed(seconds) }
        #expect(again.status == 0, "\(name): \(again.stderr)")
      }
      #expect(try SQLiteFile.int(store, "SELECT count(*) FROM batches WHERE lot = '\(lot)'") == 1)
    }
    try Self.expectSound(store, trial: "after every batch trial")
    outcomes.report()
  }

  @Test func aPrintRunKeepsItsSerialsAndTheSameCommandFinishesIt() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let labels = 2000
    let command = { (run: String) in
      [
        "print", StoreTemplate.lot, "--count", String(labels), "--run", run, "--out",
        folder + "/" + run, "--no-read-back", "--store", store,
      ]
    }
    let measured = try CommandRunner.timed(command("calibration"))
    #expect(measured.result.status == 0, "\(measured.result.stderr)")
    var outcomes = Outcomes(operation: "print run of \(labels) labels", seconds: measured.seconds)
    var resumed = 0
    var schedule = Schedule(salt: 3, seconds: measured.seconds)
    for trial in 0..<Self.trials {
      let delay = schedule.next()
      let run = "crash-\(trial)"
      let name = "print trial \(trial), kill at \(Int(delay * 1000)) ms"
      let killed = try CommandRunner.runAndKill(command(run), after: delay)
      try Self.expectSound(store, trial: name)
      let out = folder + "/" + run
      let allocated = try serialRanges(store).contains { $0.run == run }
      let finished = FileManager.default.fileExists(atPath: out)
      outcomes.record(killed: killed, leftUndone: !finished)
      if allocated && !finished { resumed += 1 }
      if !finished {
        let (seconds, again) = try CommandRunner.timed(command(run))
        if again.status == 0 { schedule.observed(seconds) }
        #expect(again.status == 0, "\(name): \(again.stderr)")
      }
      // The run is recorded once, its folder holds exactly its serials' labels, and nothing
      // half-written is left beside it.
      let ranges = try serialRanges(store).filter { $0.run == run }
      try #require(ranges.count == 1, "\(name): \(ranges.count) ranges")
      let range = ranges[0]
      #expect(range.last - range.first + 1 == Int64(labels), "\(name)")
      let files = try FileManager.default.subpathsOfDirectory(atPath: out).filter {
        $0.hasSuffix(".png")
      }
      let lotCode = StoreTemplate.lot.split(separator: "/")[1]
      let expected = Set((range.first...range.last).map { "\(lotCode)-\($0).png" })
      #expect(Set(files.map { ($0 as NSString).lastPathComponent }) == expected, "\(name)")
      #expect(
        !FileManager.default.fileExists(atPath: folder + "/." + run + ".partial"), "\(name)")
      if trial % 5 == 0 {
        let last = try #require(files.first { $0.hasSuffix("-\(range.last).png") })
        let verified = try CommandRunner.run(["verify", out + "/" + last, "--store", store])
        #expect(verified.stdout.hasPrefix("VALID"), "\(name): \(verified.stdout)")
      }
      try? FileManager.default.removeItem(atPath: out)
    }
    // Every serial handed out belongs to a finished run: none lost to a kill.
    let allocated = try serialRanges(store).filter { $0.lot.hasSuffix("DTNQ-2611-02") }
      .reduce(Int64(0)) { $0 + $1.last - $1.first + 1 }
    #expect(allocated == Int64(2 + labels * (Self.trials + 1)))
    outcomes.report()
    print("  of which \(resumed) were stopped after allocating and finished by the same command")
  }
}

/// What the kills of one operation hit, printed with the test's output.
struct Outcomes {
  let operation: String
  let seconds: Double
  var finishedFirst = 0
  var killedUndone = 0
  var killedDone = 0

  mutating func record(killed: Bool, leftUndone: Bool) {
    if !killed {
      finishedFirst += 1
    } else if leftUndone {
      killedUndone += 1
    } else {
      killedDone += 1
    }
  }

  /// Prints the tally, and fails unless a good share of the kills landed while the command
  /// was running.
  func report() {
    print(
      "\(operation) (\(Int(seconds * 1000)) ms), \(CrashTests.trials) kills, seed \(CrashTests.seed): "
        + "\(killedUndone) stopped it unfinished, \(killedDone) after its effect was whole, "
        + "\(finishedFirst) came after it had finished")
    #expect(killedUndone + killedDone >= CrashTests.trials / 4, "\(operation): too few kills hit")
  }
}
