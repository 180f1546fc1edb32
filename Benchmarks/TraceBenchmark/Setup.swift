import Foundation
import GS1
import TraceStorePostgres
import TraceStoreSQLite
import Traceability

/// Records every benchmark and worker shares: one producer, one product, and batch requests.
enum Setup {
  static let taxCode = "1600123456"
  static let gtin = try! GTIN("8936059000017")

  static func register(_ store: any TraceStore) async throws {
    _ = try await store.apply([
      .registerProducer(
        Producer(
          taxCode: taxCode, kind: .cooperative, name: "Hợp tác xã Thốt Nốt Tri Tôn",
          address: Address(
            commune: "Xã Lê Trì", district: "Huyện Tri Tôn", province: "Tỉnh An Giang"))),
      .registerProduct(
        Product(
          gtin: gtin, producerTaxCode: taxCode, nameVietnamese: "Đường thốt nốt Tri Tôn",
          group: .food,
          netContent: Quantity(amount: "500", unit: UnitCode("GRM")))),
    ])
  }

  static let origin = try! Origin(
    areaName: "Vườn thốt nốt ấp Tà Lọt",
    address: Address(commune: "Xã Lê Trì", district: "Huyện Tri Tôn", province: "Tỉnh An Giang"),
    coordinates: Coordinates(latitude: "10.4167", longitude: "104.9833"))

  static func request(_ lot: String) throws -> BatchRequest {
    try BatchRequest(
      lot: LotReference(gtin: gtin, lot: lot), productionDate: GS1Date(iso: "2026-11-02"),
      expiryDate: GS1Date(iso: "2027-11-01"),
      quantity: Quantity(amount: "120", unit: UnitCode("KGM")),
      origin: origin)
  }

  static func trustList(_ key: IssuerKey) throws -> TrustList {
    TrustList([key.trustedIssuer(validFrom: try Timestamp("2020-01-01"))])
  }
}

/// One writer among several: issues batches and allocates serials, printing a line per
/// committed batch so a test can tell what was done before it killed the process.
enum Worker {
  static func run() async {
    guard let path = option("--store"), let keyPath = option("--key"), let name = option("--name"),
      let count = option("--batches").flatMap(Int.init)
    else { fail("worker needs --store, --key, --name and --batches") }
    let shared = option("--shared")
    do {
      let store = try SQLiteTraceStore(path: path, signer: IssuerKey.load(from: keyPath))
      for index in 1...count {
        let request = try Setup.request("\(name)-\(index)")
        var commands: [TraceCommand] = [
          .issueBatch(request), .allocateSerials(lot: request.lot, count: 10, printRun: name),
        ]
        if let shared {
          commands.append(
            .allocateSerials(
              lot: try LotReference(gtin: Setup.gtin, lot: shared), count: 5, printRun: name))
        }
        _ = try await store.apply(commands)
        FileHandle.standardOutput.write(Data("issued \(name)-\(index)\n".utf8))
      }
    } catch {
      fail("\(error)")
    }
  }
}

/// One audit of an existing store in a fresh process, reporting its time and peak memory.
enum AuditRun {
  static func run() async {
    guard let path = option("--store"), let keyPath = option("--key") else {
      fail("audit needs --store and --key")
    }
    do {
      let key = try IssuerKey.load(from: keyPath)
      let store = try await openStore(path, signer: nil, create: false)
      let sampler = ResidentSampler()
      let start = Date()
      let report = try await store.audit(trustList: Setup.trustList(key))
      let seconds = Date().timeIntervalSince(start)
      let sampled = sampler.stop()
      // Not getrusage's ru_maxrss: Linux carries it over from the parent across exec.
      print(
        "events=\(report.eventsChecked) passed=\(report.passed) seconds=\(Int(seconds)) "
          + "peak resident \(sampled / 1024) MiB (sampled every 20 ms; VmHWM \(peakKiB() / 1024) MiB)"
      )
    } catch {
      fail("\(error)")
    }
  }
}

/// Fills a new store with `--events` batches, for audits of large stores.
enum Fill {
  static func run() async {
    guard let path = option("--store"), let keyPath = option("--key"),
      let count = option("--events").flatMap(Int.init)
    else { fail("fill needs --store, --key and --events") }
    do {
      let key = try IssuerKey.generate(name: "benchmark")
      try key.write(to: keyPath)
      let store = try await openStore(path, signer: key, create: true)
      try await Setup.register(store)
      for start in stride(from: 0, to: count - 2, by: 5000) {
        _ = try await store.apply(
          (start..<min(start + 5000, count - 2)).map { .issueBatch(try Setup.request("M\($0)")) })
      }
    } catch {
      fail("\(error)")
    }
  }
}

/// The store at `location`: a postgres:// address or an SQLite file.
func openStore(_ location: String, signer: IssuerKey?, create: Bool) async throws
  -> any TraceStore
{
  if PostgresLocation.isPostgres(location) {
    return try await PostgresTraceStore.open(
      PostgresLocation(location), signer: signer, create: create)
  }
  return try SQLiteTraceStore(path: location, signer: signer, create: create)
}

/// This process's peak resident memory, from /proc (VmHWM). Not getrusage's ru_maxrss,
/// which Linux carries over from the parent across exec.
func peakKiB() -> Int {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
    let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
  else { return -1 }
  return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
}

/// Samples this process's resident memory (VmRSS) every 20 ms on a thread of its own and
/// keeps the largest: a peak that nothing before the process can have raised.
final class ResidentSampler: @unchecked Sendable {
  private let lock = NSLock()
  private var peak = 0
  private var running = true
  private let done = DispatchSemaphore(value: 0)

  init() {
    Thread.detachNewThread { [self] in
      while lock.withLock({ running }) {
        let current = Self.residentKiB()
        lock.withLock { peak = max(peak, current) }
        usleep(20_000)
      }
      done.signal()
    }
  }

  func stop() -> Int {
    lock.withLock { running = false }
    done.wait()
    return lock.withLock { max(peak, Self.residentKiB()) }
  }

  static func residentKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return 0 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
  }
}
