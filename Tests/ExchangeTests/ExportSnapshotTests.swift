import Exchange
import Foundation
import GS1
import TestSupport
import Testing
import TraceStoreSQLite
import Traceability

/// Exports made while another connection writes: a write that commits between the export's
/// reads is in all of them or in none.
@Suite("Exports read one snapshot")
struct ExportSnapshotTests {
  static let key = try! IssuerKey(seed: [UInt8](repeating: 3, count: 32), name: "HTX Tri Tôn")
  static let gtin = try! GTIN("8936059000017")

  static func request(_ lot: String) throws -> BatchRequest {
    try BatchRequest(
      lot: LotReference(gtin: gtin, lot: lot), productionDate: GS1Date(iso: "2026-11-02"),
      expiryDate: GS1Date(iso: "2027-11-01"),
      quantity: Quantity(amount: "120", unit: UnitCode("KGM")),
      origin: Origin(
        areaName: "Vườn thốt nốt ấp Tà Lọt",
        address: Address(commune: "Xã Lê Trì", province: "Tỉnh An Giang")))
  }

  /// A store file with a producer, a product and two batches.
  static func populated(in folder: TemporaryFolder) async throws -> String {
    let path = folder.file("store.sqlite")
    let store = try SQLiteTraceStore(path: path, signer: key, create: true)
    _ = try await store.apply([
      .registerProducer(
        Producer(
          taxCode: "1600123456", kind: .cooperative, name: "HTX Thốt Nốt Tri Tôn",
          address: Address(commune: "Xã Lê Trì", province: "Tỉnh An Giang"))),
      .registerProduct(
        Product(
          gtin: gtin, producerTaxCode: "1600123456", nameVietnamese: "Đường thốt nốt",
          group: .food, netContent: Quantity(amount: "500", unit: UnitCode("GRM")))),
      .issueBatch(try request("A")), .issueBatch(try request("B")),
    ])
    return path
  }

  @Test func aBundleMadeWhileABatchIsIssuedHoldsItWholeOrNotAtAll() async throws {
    let folder = TemporaryFolder("ocop-export-snapshot")
    let path = try await Self.populated(in: folder)
    let writer = try SQLiteTraceStore(path: path, signer: Self.key)
    let store = InterleavingStore(
      inner: try SQLiteTraceStore(path: path, signer: nil),
      write: { _ = try await writer.issueBatch(try Self.request("MEANWHILE")) })
    let issuer = Self.key.trustedIssuer(validFrom: try Timestamp("2026-01-01"))
    let bytes = try await TraceBundle.export(store, issuer: issuer)
    // The write did commit while the bundle was being made…
    #expect(store.wrote)
    #expect(try await writer.headSequence() == 5)
    // …and the bundle is one state of the store: its records are its events'.
    let bundle = try await BundleStore(
      bytes: bytes, path: "bundle.json", trustList: TrustList([issuer]))
    defer { bundle.remove() }
    #expect(bundle.report.eventsChecked == 4)
  }

  /// A bundle written piece by piece is the canonical JSON of the whole bundle, and its
  /// records, encoded one at a time, are the canonical records of the store.
  @Test func aStreamedBundleIsCanonicalJSON() async throws {
    let folder = TemporaryFolder("ocop-export-stream")
    let store = try SQLiteTraceStore(path: try await Self.populated(in: folder), signer: nil)
    let issuer = Self.key.trustedIssuer(validFrom: try Timestamp("2026-01-01"))
    let bytes = try await TraceBundle.export(store, issuer: issuer)
    let bundle = try CanonicalJSON(canonical: bytes)
    #expect(bundle["events"]?.arrayValue?.count == 4)
    #expect(bundle["head"]?["seq"]?.integerValue == 4)
    #expect(bundle["records"] == (try await TraceBundle.records(store)))
    let checked = try await BundleStore(
      bytes: bytes, path: "bundle.json", trustList: TrustList([issuer]))
    defer { checked.remove() }
    #expect(checked.report.eventsChecked == 4)
  }
}

/// A store that, once its reader has begun, lets another connection commit a write before
/// the reader's next read: before the first call of another kind than the first call, or,
/// in a snapshot, right after the snapshot's first read.
final class InterleavingStore: TraceStore, @unchecked Sendable {
  let inner: any TraceStore
  let write: @Sendable () async throws -> Void
  private let lock = NSLock()
  // Guarded by `lock`.
  private var firstCall: String?
  private var written = false

  init(inner: any TraceStore, write: @escaping @Sendable () async throws -> Void) {
    self.inner = inner
    self.write = write
  }

  /// Whether the write has been made.
  var wrote: Bool { lock.withLock { written } }

  /// Whether the write is due before a call of `kind` (nil: inside a snapshot, where it is
  /// due at once); it is due once.
  private func due(_ kind: String?) -> Bool {
    lock.withLock {
      if firstCall == nil { firstCall = kind }
      guard !written, kind == nil || firstCall != kind else { return false }
      written = true
      return true
    }
  }

  private func interleave(_ kind: String = #function) async throws(TraceError) {
    guard due(kind) else { return }
    do { try await write() } catch { throw .store(path: "interleaved write", reason: "\(error)") }
  }

  /// Runs the write from a thread that must not return until it has committed.
  private func writeBlocking() throws {
    let done = DispatchSemaphore(value: 0)
    let failure = LockedError()
    let write = write
    Task {
      do { try await write() } catch { failure.set(error) }
      done.signal()
    }
    done.wait()
    if let error = failure.get() { throw error }
  }

  func snapshot<T: Sendable>(_ body: @Sendable (TraceSnapshot) throws -> T)
    async throws(TraceError) -> T
  {
    let due = due(nil)
    return try await inner.snapshot { [self] snapshot in
      _ = try snapshot.headSequence()
      if due { try writeBlocking() }
      return try body(snapshot)
    }
  }

  func apply(_ commands: [TraceCommand]) async throws(TraceError) -> [TraceReceipt] {
    try await inner.apply(commands)
  }
  func apply(inPieces next: @escaping @Sendable () throws -> [TraceCommand]?)
    async throws -> Int
  {
    try await inner.apply(inPieces: next)
  }

  func importLog(
    inPieces next: @escaping @Sendable () throws -> [Event]?, trustList: TrustList
  ) async throws -> LogImportReport {
    try await inner.importLog(inPieces: next, trustList: trustList)
  }

  func importLog(_ events: [Event], trustList: TrustList, after base: LogPlace?)
    async throws(TraceError) -> LogImportReport
  {
    try await inner.importLog(events, trustList: trustList, after: base)
  }
  func importedLogs() async throws(TraceError) -> [ImportedLog] {
    try await interleave()
    return try await inner.importedLogs()
  }
  func producer(taxCode: String) async throws(TraceError) -> Producer? {
    try await interleave()
    return try await inner.producer(taxCode: taxCode)
  }
  func producers() async throws(TraceError) -> [Producer] {
    try await interleave()
    return try await inner.producers()
  }
  func product(_ gtin: GTIN) async throws(TraceError) -> Product? {
    try await interleave()
    return try await inner.product(gtin)
  }
  func products() async throws(TraceError) -> [Product] {
    try await interleave()
    return try await inner.products()
  }
  func ratingHistory(_ gtin: GTIN) async throws(TraceError) -> RatingHistory {
    try await interleave()
    return try await inner.ratingHistory(gtin)
  }
  func batch(_ lot: LotReference) async throws(TraceError) -> Batch? {
    try await interleave()
    return try await inner.batch(lot)
  }
  func batches(of gtin: GTIN) async throws(TraceError) -> [Batch] {
    try await interleave()
    return try await inner.batches(of: gtin)
  }
  func batches(ofProducer taxCode: String) async throws(TraceError) -> [Batch] {
    try await interleave()
    return try await inner.batches(ofProducer: taxCode)
  }
  func serialRanges(_ lot: LotReference) async throws(TraceError) -> [SerialRange] {
    try await interleave()
    return try await inner.serialRanges(lot)
  }
  func serialStatus(_ lot: LotReference, serial: String) async throws(TraceError) -> SerialStatus {
    try await interleave()
    return try await inner.serialStatus(lot, serial: serial)
  }
  func movements(_ lot: LotReference) async throws(TraceError) -> [Movement] {
    try await interleave()
    return try await inner.movements(lot)
  }
  func stages(_ lot: LotReference) async throws(TraceError) -> [ProductionStage] {
    try await interleave()
    return try await inner.stages(lot)
  }
  func photo(sha256: String) async throws(TraceError) -> PhotoFile? {
    try await inner.photo(sha256: sha256)
  }
  func recall(_ lot: LotReference) async throws(TraceError) -> Recall? {
    try await interleave()
    return try await inner.recall(lot)
  }
  func recalls() async throws(TraceError) -> [Recall] {
    try await interleave()
    return try await inner.recalls()
  }
  func traceBackward(_ lot: LotReference) async throws(TraceError) -> TraceNode {
    try await interleave()
    return try await inner.traceBackward(lot)
  }
  func traceForward(_ lot: LotReference) async throws(TraceError) -> TraceNode {
    try await interleave()
    return try await inner.traceForward(lot)
  }
  func scanEvidence(_ lot: LotReference, serial: String?) async throws(TraceError)
    -> ScanEvidence?
  {
    try await interleave()
    return try await inner.scanEvidence(lot, serial: serial)
  }
  func events(after sequence: Int64, limit: Int) async throws(TraceError) -> [Event] {
    try await interleave()
    return try await inner.events(after: sequence, limit: limit)
  }
  func headSequence() async throws(TraceError) -> Int64 {
    try await interleave()
    return try await inner.headSequence()
  }
  func audit(trustList: TrustList, expectedHead: (sequence: Int64, hash: String)?)
    async throws(TraceError) -> AuditReport
  {
    try await inner.audit(trustList: trustList, expectedHead: expectedHead)
  }

  func audit(trustList: TrustList, since checkpoint: AuditCheckpoint) async throws(TraceError)
    -> AuditReport
  {
    try await inner.audit(trustList: trustList, since: checkpoint)
  }
}

/// An error handed from one thread to another.
private final class LockedError: @unchecked Sendable {
  private let lock = NSLock()
  // Guarded by `lock`.
  private var error: (any Error)?
  func set(_ error: any Error) { lock.withLock { self.error = error } }
  func get() -> (any Error)? { lock.withLock { error } }
}
