import Foundation
import GS1
import TraceStoreSQLite
import Traceability

// bulk-benchmark: the bulk paths of a province's store, measured through the `ocop` command
// beside this program (each command a process of its own, timed with its peak memory by
// GNU time), against references measured in the same run, and printed as a table.
//
//   bulk-benchmark [--batches N] [--day N] [--keep DIR]
//
// It fills a synthetic province store on the SQLite backend: for N batches (200,000 by
// default), N/100 producers, N/10 products each with a rating, the batches, three serial
// ranges each, shipments of 78% of them and recalls of 1% (for N = 200,000: 1,000,000
// events). Then it times the whole audit, a bundle's export and its first and later checks,
// a day's update (--day batches, 1,000 by default) exported, checked and audited from a
// checkpoint, an import of N rows beside the rate of issuing in process, and the CSV and
// EPCIS exports.

let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String) -> String? {
  guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
  return arguments[index + 1]
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("bulk-benchmark: \(message)\n".utf8))
  exit(1)
}

/// The synthetic province: its records, made the same way by the filler and the importer.
enum Province {
  static let prefix = "8930000"
  static let resolver = "https://truyxuat.example.vn"

  static func gtin(_ product: Int) throws -> GTIN {
    try GTIN.allocate(companyPrefix: prefix, itemReference: String(format: "%05d", product))
  }

  static func taxCode(_ producer: Int) -> String { String(format: "16%08d", producer) }

  static let address = try! Address(
    commune: "Xã Lê Trì", district: "Huyện Tri Tôn", province: "Tỉnh An Giang")

  static let origin = try! Origin(
    areaName: "Vùng nguyên liệu ấp Tà Lọt", address: address,
    coordinates: Coordinates(latitude: "10.4167", longitude: "104.9833"))

  static func request(_ gtin: GTIN, _ lot: String) throws -> BatchRequest {
    try BatchRequest(
      lot: LotReference(gtin: gtin, lot: lot), productionDate: GS1Date(iso: "2026-11-02"),
      expiryDate: GS1Date(iso: "2027-11-01"),
      quantity: Quantity(amount: "120", unit: UnitCode("KGM")), origin: origin)
  }

  /// The commands for product `index` (of producer `index / 10`) and its 10 batches, with
  /// the producer's registration first when it is the producer's first product.
  static func commands(product index: Int) throws -> [TraceCommand] {
    var commands: [TraceCommand] = []
    let producer = index / 10
    if index % 10 == 0 {
      commands.append(
        .registerProducer(
          try Producer(
            taxCode: taxCode(producer), kind: .cooperative,
            name: "Hợp tác xã số \(producer)", address: address)))
    }
    let gtin = try gtin(index)
    commands.append(
      .registerProduct(
        try Product(
          gtin: gtin, producerTaxCode: taxCode(producer),
          nameVietnamese: "Sản phẩm OCOP số \(index)", group: .food,
          netContent: Quantity(amount: "500", unit: UnitCode("GRM")))))
    commands.append(
      .recordRating(
        gtin: gtin,
        rating: try OCOPRating(
          stars: 3 + index % 2, status: .certified,
          decision: Decision(
            number: "\(100 + index % 900)/QĐ-UBND", date: GS1Date(iso: "2025-06-15"),
            level: .provincial))))
    for batch in 0..<10 {
      let number = index * 10 + batch
      let lot = try LotReference(gtin: gtin, lot: String(format: "L%07d", number))
      commands.append(.issueBatch(try request(gtin, lot.lot)))
      for run in 0..<3 {
        commands.append(.allocateSerials(lot: lot, count: 500, printRun: "run-\(run)"))
      }
      if number % 50 < 39 {
        commands.append(
          .ship(
            try Movement(
              lot: lot, party: "Siêu thị số \(number % 40)", date: GS1Date(iso: "2026-11-10"))))
      }
      if number % 100 == 99 {
        commands.append(.recall(lot: lot, reason: "Kiểm nghiệm không đạt (mẫu \(number))"))
      }
    }
    return commands
  }

  /// A CSV of `rows` new batches of the first products, in `ocop import batches` form.
  static func csv(rows: Int, products: Int, tag: String) throws -> String {
    var text =
      "gtin,lot,production_date,expiry_date,quantity,unit,origin_area,origin_commune,origin_district,origin_province,latitude,longitude\n"
    for row in 0..<rows {
      let gtin = try gtin(row % products)
      text +=
        "\(gtin.digits),\(tag)-\(row),2026-11-20,2027-11-19,150,KGM,Vùng nguyên liệu ấp Tà Lọt,Xã Lê Trì,Huyện Tri Tôn,Tỉnh An Giang,10.4167,104.9833\n"
    }
    return text
  }
}

/// `bulk-benchmark fill --store P --key K --batches N`: fills the store, in a process of its
/// own so that the benchmark's own memory stays small.
func fill() async {
  guard let path = option("--store"), let keyPath = option("--key"),
    let batches = option("--batches").flatMap(Int.init)
  else { fail("fill needs --store, --key and --batches") }
  do {
    let store = try SQLiteTraceStore(path: path, signer: IssuerKey.load(from: keyPath))
    var pending: [TraceCommand] = []
    for product in 0..<(batches / 10) {
      pending += try Province.commands(product: product)
      if pending.count >= 5000 {
        _ = try await store.apply(pending)
        pending.removeAll(keepingCapacity: true)
      }
    }
    if !pending.isEmpty { _ = try await store.apply(pending) }
  } catch {
    fail("fill: \(error)")
  }
}

/// One `ocop` command's wall time and peak resident memory.
struct Measured {
  let seconds: Double
  let peakMiB: Double
  let output: String
}

/// Runs `ocop` with `arguments` under GNU time; fails on a status other than `expect`.
func ocop(_ arguments: [String], in folder: String, expect: Int32 = 0) throws -> Measured {
  let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    .deletingLastPathComponent().appendingPathComponent("ocop").path
  guard FileManager.default.isExecutableFile(atPath: executable) else {
    fail("no ocop beside this program (\(executable)): swift build -c release --product ocop")
  }
  let report = folder + "/time-" + UUID().uuidString
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
  process.arguments = ["-o", report, "-f", "%e %M", executable] + arguments
  process.currentDirectoryURL = URL(fileURLWithPath: folder)
  var environment = ProcessInfo.processInfo.environment
  environment["XDG_CACHE_HOME"] = folder + "/cache"
  environment["NO_COLOR"] = "1"
  process.environment = environment
  let out = Pipe()
  process.standardOutput = out
  process.standardError = out
  try process.run()
  let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  process.waitUntilExit()
  guard process.terminationStatus == expect else {
    fail("ocop \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(printed)")
  }
  let fields =
    (try? String(contentsOfFile: report, encoding: .utf8))?
    .split(separator: "\n").last?.split(separator: " ") ?? []
  try? FileManager.default.removeItem(atPath: report)
  guard fields.count == 2, let seconds = Double(fields[0]), let kib = Double(fields[1]) else {
    fail("no timing for ocop \(arguments.joined(separator: " "))")
  }
  return Measured(seconds: seconds, peakMiB: kib / 1024, output: printed)
}

func fileMiB(_ path: String) -> Double {
  Double(((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0)
    / 1_048_576
}

/// The table.
enum Table {
  static func header(_ title: String) {
    print(title)
    print(String(repeating: "-", count: 126))
    print(
      "path".padding(toLength: 52, withPad: " ", startingAt: 0)
        + "      time   peak MiB          ratio  target")
    print(String(repeating: "-", count: 126))
  }

  static func row(
    _ name: String, _ measured: Measured, ratio: String = "", target: String = "",
    met: Bool? = nil
  ) {
    var line = name.padding(toLength: 52, withPad: " ", startingAt: 0)
    line += String(format: "%9.2f s %10.0f", measured.seconds, measured.peakMiB)
    line += ratio.leftPadded(15) + "  " + target
    if let met { line += met ? "  met" : "  NOT MET" }
    print(line)
  }
}

extension String {
  func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}

func benchmark() async {
  let batches = option("--batches").flatMap(Int.init) ?? 200_000
  let day = option("--day").flatMap(Int.init) ?? 1_000
  guard batches >= 100, batches % 10 == 0 else { fail("--batches must be a multiple of 10, ≥ 100") }
  let folder =
    option("--keep") ?? NSTemporaryDirectory() + "ocop-bulk-bench-" + UUID().uuidString
  do {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { if option("--keep") == nil { try? FileManager.default.removeItem(atPath: folder) } }
    let store = "province.sqlite"
    let storeArgs = ["--store", store]
    _ = try ocop(
      [
        "init", "--resolver", Province.resolver, "--prefix", Province.prefix, "--issuer",
        "Văn phòng OCOP tỉnh (benchmark)",
      ] + storeArgs, in: folder)
    // The store, filled in a process of its own.
    let fillStart = Date()
    let filler = Process()
    filler.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    filler.arguments = [
      "fill", "--store", folder + "/" + store, "--key", folder + "/province.key", "--batches",
      String(batches),
    ]
    try filler.run()
    filler.waitUntilExit()
    guard filler.terminationStatus == 0 else { fail("filling the store failed") }
    let filled = Date().timeIntervalSince(fillStart)

    // The whole audit: the reference for a bundle's first check.
    let audit = try ocop(["audit", "--checkpoint", "audit.checkpoint"] + storeArgs, in: folder)
    let events = audit.output.split(separator: " ").dropFirst(2).first.flatMap { Int($0) } ?? 0
    print(
      "bulk benchmark: \(batches) batches, \(events) events, \(ProcessInfo.processInfo.activeProcessorCount) cores; store filled in \(Int(filled)) s, \(String(format: "%.0f", fileMiB(folder + "/" + store))) MiB"
    )
    print()
    Table.header("A retailer's bundle")
    Table.row("audit (the whole store)", audit, ratio: "reference")
    let export = try ocop(["export", "bundle", "--out", "bundle.json"] + storeArgs, in: folder)
    _ = try ocop(["keys", "export", "--out", "trust.json"] + storeArgs, in: folder)
    Table.row(
      "export bundle (\(String(format: "%.0f", fileMiB(folder + "/bundle.json"))) MiB)", export,
      target: "peak < 100 MiB", met: export.peakMiB < 100)
    let url = "\(Province.resolver)/01/\(try Province.gtin(0).digits)/10/L0000000"
    let verifyArgs = ["verify", "--trust", "trust.json", url]
    let first = try ocop(verifyArgs + ["--bundle", "bundle.json"], in: folder)
    let firstRatio = first.seconds / audit.seconds
    Table.row(
      "verify --bundle, first run", first, ratio: String(format: "%.2f× audit", firstRatio),
      target: "≤ 1.50× audit, peak < 200 MiB", met: firstRatio <= 1.5 && first.peakMiB < 200)
    let later = try ocop(verifyArgs + ["--bundle", "bundle.json"], in: folder)
    Table.row(
      "verify --bundle, later runs", later, target: "< 1 s", met: later.seconds < 1)

    // A day's batches: the update, its check on the kept bundle, the audit from a checkpoint.
    let products = batches / 10
    try Province.csv(rows: day, products: products, tag: "DAY").write(
      toFile: folder + "/day.csv", atomically: true, encoding: .utf8)
    _ = try ocop(["import", "batches", "day.csv"] + storeArgs, in: folder)
    let update = try ocop(
      ["export", "bundle", "--since", "bundle.json", "--out", "update.json"] + storeArgs,
      in: folder)
    Table.row(
      "export bundle --since (\(day) batches, \(String(format: "%.1f", fileMiB(folder + "/update.json"))) MiB)",
      update, ratio: String(format: "%.3f× export", update.seconds / export.seconds))
    let applied = try ocop(verifyArgs + ["--bundle", "update.json"], in: folder)
    Table.row(
      "verify --bundle UPDATE, on the kept bundle", applied,
      ratio: String(format: "%.3f× first", applied.seconds / first.seconds), target: "< 1 s",
      met: applied.seconds < 1)
    let since = try ocop(["audit", "--since", "audit.checkpoint"] + storeArgs, in: folder)
    Table.row(
      "audit --since CHECKPOINT (\(day) batches)", since,
      ratio: String(format: "%.3f× audit", since.seconds / audit.seconds))
    print()

    // Import beside issuing in process, on the same kind of rows.
    Table.header("Import and the other exports")
    let reference = folder + "/reference.sqlite"
    let key = try IssuerKey.generate(name: "reference")
    let referenceStore = try SQLiteTraceStore(path: reference, signer: key, create: true)
    _ = try await referenceStore.apply(
      try Province.commands(product: 0).filter {
        if case .issueBatch = $0 { return false }
        if case .allocateSerials = $0 { return false }
        if case .ship = $0 { return false }
        if case .recall = $0 { return false }
        return true
      })
    let sample = min(batches, 20_000)
    let requests = try (0..<sample).map { try Province.request(Province.gtin(0), "REF-\($0)") }
    let issueStart = Date()
    for start in stride(from: 0, to: sample, by: 1000) {
      _ = try await referenceStore.apply(
        requests[start..<min(sample, start + 1000)].map { .issueBatch($0) })
    }
    let issueRate = Double(sample) / Date().timeIntervalSince(issueStart)
    print(
      "issue batches in process (reference)".padding(toLength: 52, withPad: " ", startingAt: 0)
        + String(format: "%9.0f rows/s", issueRate))
    try Province.csv(rows: batches, products: products, tag: "IMP").write(
      toFile: folder + "/rows.csv", atomically: true, encoding: .utf8)
    let imported = try ocop(["import", "batches", "rows.csv"] + storeArgs, in: folder)
    let importRate = Double(batches) / imported.seconds
    Table.row(
      "import batches (\(batches) rows)", imported,
      ratio: String(format: "%.2f× issuing", importRate / issueRate),
      target: String(format: "%.0f rows/s; ≥ 0.50× issuing, peak < 200 MiB", importRate),
      met: importRate / issueRate >= 0.5 && imported.peakMiB < 200)
    let csv = try ocop(["export", "csv", "--out", "csv"] + storeArgs, in: folder)
    Table.row("export csv", csv, target: "peak < 100 MiB", met: csv.peakMiB < 100)
    let epcis = try ocop(["export", "epcis", "--out", "events.jsonld"] + storeArgs, in: folder)
    Table.row("export epcis", epcis, target: "peak < 100 MiB", met: epcis.peakMiB < 100)
    print(String(repeating: "-", count: 126))
  } catch {
    fail("\(error)")
  }
}

switch arguments.first {
case "fill": await fill()
default: await benchmark()
}
