import Foundation
import GS1
import TestSupport
import Testing
import TraceStoreSQLite
import Traceability

@testable import Exchange

/// A bundle in ocop's layout is read as a stream, a megabyte at a time, with the same
/// outcome as reading it whole; anything else, or anything wrong, is read whole.
@Suite("Bundles read as a stream")
struct BundleStreamTests {
  /// Read in pieces of 64 events through reads of 4 KiB, so that the events come in many
  /// pieces and bodies and records straddle the reader's buffer.
  static let piece = 64
  static let readSize = 4096

  /// A store of 300 batches exported to a file.
  static func exported(in folder: TemporaryFolder) async throws -> (String, TrustList) {
    let path = try await ExportSnapshotTests.populated(in: folder)
    let store = try SQLiteTraceStore(path: path, signer: ExportSnapshotTests.key)
    _ = try await store.apply(
      try (0..<300).map { .issueBatch(try ExportSnapshotTests.request("S\($0)")) })
    let issuer = ExportSnapshotTests.key.trustedIssuer(validFrom: try Timestamp("2026-01-01"))
    let bundle = folder.file("bundle.json")
    try Data(try await TraceBundle.export(store, issuer: issuer)).write(
      to: URL(fileURLWithPath: bundle))
    return (bundle, TrustList([issuer]))
  }

  @Test func aBundleReadAsAStreamIsCheckedAsAWholeOne() async throws {
    let folder = TemporaryFolder("ocop-bundle-stream")
    let (bundle, trust) = try await Self.exported(in: folder)
    let size = try #require(
      try FileManager.default.attributesOfItem(atPath: bundle)[.size] as? Int)
    #expect(size > 50 * Self.readSize)
    let streamed = try await BundleStore.checkStreamed(
      path: bundle, trustList: trust, piece: Self.piece, readSize: Self.readSize)
    defer { try? FileManager.default.removeItem(atPath: streamed.folder) }
    let whole = try await BundleStore(
      bytes: Array(try Data(contentsOf: URL(fileURLWithPath: bundle))), path: bundle,
      trustList: trust)
    defer { whole.remove() }
    #expect(streamed.report == whole.report)
    #expect(streamed.report.eventsChecked == 304)
    #expect(
      try await TraceBundle.recordsEncoded(streamed.store)
        == (try await TraceBundle.recordsEncoded(whole.store)))
  }

  @Test func anythingWrongIsLeftToTheWholeReadingWithItsWords() async throws {
    let folder = TemporaryFolder("ocop-bundle-stream-wrong")
    let (bundle, trust) = try await Self.exported(in: folder)
    let text = try String(contentsOfFile: bundle, encoding: .utf8)
    // A record changed: not streamed; refused from the file as from its bytes.
    let changed = folder.file("changed.json")
    let records = try #require(text.range(of: #","records":"#))
    try
      (text[..<records.upperBound]
      + text[records.upperBound...].replacingOccurrences(of: "S299", with: "S298"))
      .write(toFile: changed, atomically: true, encoding: .utf8)
    await #expect(throws: BundleStore.NotStreamed.self) {
      try await BundleStore.checkStreamed(
        path: changed, trustList: trust, piece: Self.piece, readSize: Self.readSize)
    }
    let fromFile = await #expect(throws: TraceError.self) {
      try await BundleStore(path: changed, trustList: trust)
    }
    let fromBytes = await #expect(throws: TraceError.self) {
      try await BundleStore(
        bytes: Array(try Data(contentsOf: URL(fileURLWithPath: changed))), path: changed,
        trustList: trust)
    }
    #expect(fromFile != nil && fromFile == fromBytes)
    #expect(fromFile?.description.contains("do not match its signed events") == true)
    // Another layout of the same JSON: read whole, and accepted.
    let pretty = folder.file("pretty.json")
    try JSONSerialization.data(
      withJSONObject: try JSONSerialization.jsonObject(with: Data(text.utf8)),
      options: [.prettyPrinted]
    ).write(to: URL(fileURLWithPath: pretty))
    await #expect(throws: BundleStore.NotStreamed.self) {
      try await BundleStore.checkStreamed(
        path: pretty, trustList: trust, piece: Self.piece, readSize: Self.readSize)
    }
    let read = try await BundleStore(path: pretty, trustList: trust)
    defer { read.remove() }
    #expect(read.report.eventsChecked == 304)
  }

  @Test func aBundleTakenInAPieceAtATimeIsTakenInAsAWholeOne() async throws {
    let folder = TemporaryFolder("ocop-bundle-stream-import")
    let (bundle, sourceTrust) = try await Self.exported(in: folder)
    let office = try IssuerKey(seed: [UInt8](repeating: 9, count: 32), name: "Văn phòng OCOP")
    var trust = sourceTrust
    trust.set(office.trustedIssuer(validFrom: try Timestamp("2026-01-01")))
    let whole = try SQLiteTraceStore(
      path: folder.file("whole.sqlite"), signer: office, create: true)
    let pieces = try SQLiteTraceStore(
      path: folder.file("pieces.sqlite"), signer: office, create: true)
    let wholeReport = try await whole.importLog(
      try TraceBundle.events(path: bundle).events, trustList: trust)
    let descriptor = open(bundle, O_RDONLY)
    defer { close(descriptor) }
    let reader = try BundleEventPieces(
      descriptor: descriptor, piece: Self.piece, readSize: Self.readSize)
    let piecesReport = try await pieces.importLog(
      inPieces: { try reader.next() }, trustList: trust)
    #expect(piecesReport.eventsAdded == 304)
    #expect(piecesReport == wholeReport)
    #expect(try await pieces.importedLogs() == (try await whole.importedLogs()))
    #expect(
      try await TraceBundle.recordsEncoded(pieces)
        == (try await TraceBundle.recordsEncoded(whole)))
    #expect(try await pieces.audit(trustList: trust).passed)
    // A piece that does not follow the one before: nothing is kept.
    let other = try SQLiteTraceStore(
      path: folder.file("other.sqlite"), signer: office, create: true)
    let events = try TraceBundle.events(path: bundle).events
    let handed = Handed([Array(events[0..<100]), Array(events[101...])])
    await #expect(throws: TraceError.self) {
      try await other.importLog(inPieces: { handed.next() }, trustList: trust)
    }
    #expect(try await other.headSequence() == 0)
  }
}

/// Pieces handed out in turn.
private final class Handed: @unchecked Sendable {
  private var pieces: [[Event]]
  init(_ pieces: [[Event]]) { self.pieces = pieces }
  func next() -> [Event]? { pieces.isEmpty ? nil : pieces.removeFirst() }
}
