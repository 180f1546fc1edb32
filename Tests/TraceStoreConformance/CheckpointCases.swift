import Foundation
import GS1
import Testing
import Traceability

private typealias F = StoreFixture
private typealias Federation = FederationCases.Federation

/// The audit from a checkpoint, and a log taken in by updates: only what follows is
/// checked, and what follows is checked as the whole audit checks it.
enum CheckpointCases {
  /// A populated store (9 events) audited whole, then two more batches issued.
  static func grown(_ backend: any ConformanceBackend) async throws -> (
    StoreFixture, AuditCheckpoint
  ) {
    let fixture = try await F.populated(backend)
    let whole = try await fixture.store.audit(trustList: fixture.trustList)
    let checkpoint = try #require(whole.checkpoint)
    _ = try await fixture.store.apply([
      .issueBatch(F.request(F.sugar, "D")), .issueBatch(F.request(F.sugar, "E")),
    ])
    return (fixture, checkpoint)
  }

  static let all: [ConformanceCase] = [
    ConformanceCase("audit since a checkpoint: only the events after it are checked") {
      let (fixture, checkpoint) = try await grown($0)
      #expect(checkpoint.sequence == 9)
      #expect(checkpoint.log != nil)
      let report = try await fixture.store.audit(trustList: fixture.trustList, since: checkpoint)
      #expect(report.passed, "\(String(describing: report.failure))")
      #expect(report.since == 9)
      #expect(report.eventsChecked == 2)
      #expect(report.headSequence == 11)
      // The same head and hash as the whole audit's.
      let whole = try await fixture.store.audit(trustList: fixture.trustList)
      #expect(report.headHash == whole.headHash)
      #expect(report.checkpoint == whole.checkpoint)
    },
    ConformanceCase("audit since a checkpoint: a derived row of a later event edited is found") {
      let (fixture, checkpoint) = try await grown($0)
      try await fixture.tamper(
        .setDerivedColumn(
          table: "batches", column: "expiry_date", to: "2030-01-01", whereColumn: "lot", is: "E"))
      let failure = try #require(
        try await fixture.store.audit(trustList: fixture.trustList, since: checkpoint).failure)
      #expect(failure.record == "batches row for event 11")
    },
    ConformanceCase("audit since a checkpoint: a row no later event accounts for is found") {
      let (fixture, checkpoint) = try await grown($0)
      try await fixture.tamper(
        .insertDerivedRow(
          table: "recalls",
          cells: [
            .integer(11), .text(F.sugar.digits), .text("E"), .text("invented"),
            .text("2026-11-20T00:00:00Z"),
          ]))
      let failure = try #require(
        try await fixture.store.audit(trustList: fixture.trustList, since: checkpoint).failure)
      #expect(failure.record.hasPrefix("recalls row"))
    },
    ConformanceCase("audit since a checkpoint: a later event edited is found") {
      let (fixture, checkpoint) = try await grown($0)
      try await fixture.tamper(
        .replaceInEventBody(sequence: 10, text: "\"D\"", replacement: "\"X\""))
      let failure = try #require(
        try await fixture.store.audit(trustList: fixture.trustList, since: checkpoint).failure)
      #expect(failure.record == "event 10")
    },
    ConformanceCase("audit since a checkpoint: the checkpoint's event rewritten is found") {
      let (fixture, checkpoint) = try await grown($0)
      try await fixture.tamper(.zeroHash(sequence: 9))
      let failure = try #require(
        try await fixture.store.audit(trustList: fixture.trustList, since: checkpoint).failure)
      #expect(failure.record == "event 9")
      #expect(failure.reason.contains("not the checkpoint's"))
      // A checkpoint beyond the log: the log was cut short.
      let beyond = AuditCheckpoint(
        sequence: 40, hash: checkpoint.hash, log: checkpoint.log, logs: checkpoint.logs)
      let cut = try #require(
        try await fixture.store.audit(trustList: fixture.trustList, since: beyond).failure)
      #expect(cut.record == "event 40")
    },
    ConformanceCase("audit since a checkpoint: what came before it is the whole audit's") {
      let (fixture, checkpoint) = try await grown($0)
      try await fixture.tamper(
        .setDerivedColumn(
          table: "batches", column: "expiry_date", to: "2030-01-01", whereColumn: "lot", is: "A"))
      // Not read from the checkpoint on; found by the whole audit, the default.
      #expect(try await fixture.store.audit(trustList: fixture.trustList, since: checkpoint).passed)
      #expect(try await fixture.store.audit(trustList: fixture.trustList).failure != nil)
    },
    ConformanceCase("audit since a checkpoint: other logs taken in carry on from it") {
      let f = try await Federation.make($0)
      let province = f.province.store
      let sugarEvents = try await f.sugar.store.events()
      // The sugar maker's log up to its fourth event, then the rest as an update.
      _ = try await province.importLog(Array(sugarEvents.prefix(4)), trustList: f.provinceTrust)
      let checkpoint = try #require(
        try await province.audit(trustList: f.provinceTrust).checkpoint)
      #expect(!checkpoint.logs.isEmpty)
      let base = LogPlace(
        log: sugarEvents[0].logName, sequence: 4, hash: ByteText.hex(sugarEvents[3].hash))
      let update = try await province.importLog(
        Array(sugarEvents.dropFirst(4)), trustList: f.provinceTrust, after: base)
      #expect(update.eventsAdded > 0)
      let report = try await province.audit(trustList: f.provinceTrust, since: checkpoint)
      #expect(report.passed, "\(String(describing: report.failure))")
      #expect(report.eventsChecked > 0)
      // An update after an event the store does not hold yet is refused, and adds nothing.
      let before = try await province.headSequence()
      let ahead = LogPlace(log: base.log, sequence: Int64(sugarEvents.count) + 3, hash: base.hash)
      let error = await #expect(throws: TraceError.self) {
        try await province.importLog(
          Array(sugarEvents.suffix(1)), trustList: f.provinceTrust, after: ahead)
      }
      #expect(error?.description.contains("import the bundle up to event") == true)
      // One whose base hash is not the event held is a fork.
      let forked = LogPlace(log: base.log, sequence: 4, hash: String(repeating: "ab", count: 32))
      let fork = await #expect(throws: TraceError.self) {
        try await province.importLog(
          Array(sugarEvents.dropFirst(4)), trustList: f.provinceTrust, after: forked)
      }
      #expect(fork?.description.contains("forked") == true)
      #expect(try await province.headSequence() == before)
    },
  ]
}
