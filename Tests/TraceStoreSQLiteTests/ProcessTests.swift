import Foundation
import GS1
import TestSupport
import Testing
import TraceStoreSQLite
import Traceability

/// Runs the `trace-benchmark` executable, built beside the tests, as a separate writer.
enum WorkerProcess {
  static let executable: URL = {
    var folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
      .deletingLastPathComponent()
    while folder.path != "/" {
      let candidate = folder.appendingPathComponent("trace-benchmark")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      folder = folder.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: "trace-benchmark")
  }()

  static func start(_ arguments: [String]) throws -> Subprocess.Running {
    try Subprocess.start([executable.path] + arguments)
  }
}

/// A store prepared for worker processes: the product they issue batches of, and a key file.
struct SharedStore {
  let folder = TemporaryFolder()
  let key: IssuerKey
  let store: SQLiteTraceStore
  var path: String { folder.file("shared.sqlite") }
  var keyPath: String { folder.file("issuer.key") }

  init() async throws {
    key = try IssuerKey.generate(name: "HTX")
    try key.write(to: folder.file("issuer.key"))
    store = try SQLiteTraceStore(path: folder.file("shared.sqlite"), signer: key, create: true)
    _ = try await store.apply([
      .registerProducer(
        Producer(
          taxCode: "1600123456", kind: .cooperative, name: "HTX",
          address: Address(commune: "Xã Lê Trì", province: "Tỉnh An Giang"))),
      .registerProduct(
        Product(
          gtin: GTIN("8936059000017"), producerTaxCode: "1600123456",
          nameVietnamese: "Đường thốt nốt",
          group: .food, netContent: Quantity(amount: "500", unit: UnitCode("GRM")))),
      .issueBatch(
        BatchRequest(
          lot: LotReference(gtin: GTIN("8936059000017"), lot: "SHARED"),
          productionDate: GS1Date(iso: "2026-11-02"),
          expiryDate: GS1Date(iso: "2027-11-01"),
          quantity: Quantity(amount: "1", unit: UnitCode("KGM")),
          origin: Origin(
            areaName: "Vườn", address: Address(commune: "Xã Lê Trì", province: "Tỉnh An Giang")))),
    ])
  }

  var trustList: TrustList {
    TrustList([key.trustedIssuer(validFrom: try! Timestamp("2020-01-01"))])
  }

  func integrityCheck() throws -> String {
    try SQLiteFile.integrityCheck(path).joined(separator: "; ")
  }
}

@Suite("Several processes, and a killed one", .serialized)
struct ProcessTests {
  @Test func fourProcessesWritingAtOnceLoseNothingAndDuplicateNothing() async throws {
    let shared = try await SharedStore()
    let perWorker = 25
    let workers = try (1...4).map { index in
      try WorkerProcess.start([
        "worker", "--store", shared.path, "--key", shared.keyPath, "--name", "W\(index)",
        "--batches", String(perWorker), "--shared", "SHARED",
      ])
    }
    for worker in workers {
      let result = try worker.wait(timeout: 600)
      let printed = String(decoding: result.stdout, as: UTF8.self)
      let complaints = String(decoding: result.stderr, as: UTF8.self)
      #expect(result.status == 0, "\(complaints)")
      #expect(complaints.isEmpty)  // no "database is locked" reaches the user
      #expect(printed.split(separator: "\n").count == perWorker)
    }
    let gtin = try GTIN("8936059000017")
    #expect(try await shared.store.batches(of: gtin).count == 4 * perWorker + 1)
    // Every process allocated 5 serials of the shared lot per batch: the ranges tile
    // 1…500 exactly, with no serial handed out twice.
    let ranges = try await shared.store.serialRanges(LotReference(gtin: gtin, lot: "SHARED"))
    #expect(ranges.count == 4 * perWorker)
    var next: Int64 = 1
    for range in ranges {
      #expect(range.first == next)
      next = range.last + 1
    }
    #expect(next == Int64(4 * perWorker * 5 + 1))
    #expect(try await shared.store.audit(trustList: shared.trustList).passed)
    #expect(try shared.integrityCheck() == "ok")
  }

  @Test(arguments: [11, 29, 47, 83, 131])
  func aWriterKilledMidTransactionLeavesTheStoreConsistent(delayMilliseconds: Int) async throws {
    let shared = try await SharedStore()
    let worker = try WorkerProcess.start([
      "worker", "--store", shared.path, "--key", shared.keyPath, "--name", "K", "--batches",
      "100000",
    ])
    // Wait until the writer has committed its first batch (however slow this machine is),
    // then let it run on for the seeded delay and kill it mid-stream.
    let deadline = Date().addingTimeInterval(300)
    while !worker.printed().contains(UInt8(ascii: "\n")) && Date() < deadline {
      usleep(1_000)
    }
    usleep(UInt32(delayMilliseconds * 1000))
    worker.send(SIGKILL)
    let killed = try worker.wait(timeout: 60)
    #expect(killed.signalled, "the worker ended before it was killed: \(killed.stderr)")
    let printed = String(decoding: killed.stdout, as: UTF8.self)
      .split(separator: "\n").map { String($0.dropFirst("issued ".count)) }
    #expect(try shared.integrityCheck() == "ok")
    #expect(try await shared.store.audit(trustList: shared.trustList).passed)
    let gtin = try GTIN("8936059000017")
    let stored = try await shared.store.batches(of: gtin).map(\.lot.lot).filter {
      $0.hasPrefix("K-")
    }
    #expect(!stored.isEmpty, "the worker was killed before it issued anything")
    // Everything reported done is there; at most the one transaction that committed just
    // before the kill was not yet reported; nothing is half there.
    #expect(Set(printed).isSubset(of: Set(stored)))
    #expect(stored.count - printed.count <= 1)
    for lot in stored {
      let ranges = try await shared.store.serialRanges(LotReference(gtin: gtin, lot: lot))
      #expect(ranges.count == 1, "lot \(lot) has its batch but \(ranges.count) serial ranges")
    }
    // The store takes the next writer as if nothing had happened.
    let again = try WorkerProcess.start([
      "worker", "--store", shared.path, "--key", shared.keyPath, "--name", "R", "--batches", "3",
    ])
    #expect(try again.wait(timeout: 300).status == 0)
    #expect(try await shared.store.audit(trustList: shared.trustList).passed)
  }
}
