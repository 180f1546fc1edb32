import Foundation
import GS1
import Label
import LabelReference

// label-benchmark: our label pipeline against a plain C loop over libqrencode and libpng,
// in one run, printed as one table.
//
//   label-benchmark [--count N]          the table (N distinct ~90-character links)
//   label-benchmark memory --count N     N full labels on all cores, then peak memory

let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String) -> String? {
  guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
  return arguments[index + 1]
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("label-benchmark: \(message)\n".utf8))
  exit(1)
}

/// N distinct Digital Links of about 90 characters: one lot, serials 1…N.
func links(_ count: Int) -> [String] {
  (1...count).map {
    "https://truyxuat.angiang.example.vn/01/08936059000017/10/DTN-2611-01/21/\(100_000 + $0)?17=271101"
  }
}

func time(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func write(_ bytes: [UInt8], to path: String) throws {
  guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
    throw LabelError.library(name: "file", reason: "cannot write \(path)")
  }
}

func content(for url: String) -> LabelContent {
  LabelContent(
    productName: "Đường thốt nốt Tri Tôn", ocopStars: 4, lot: "DTN-2611-01",
    productionDate: try! GS1Date(iso: "2026-11-02"), expiryDate: try! GS1Date(iso: "2027-11-01"),
    netQuantity: "500 g", producerName: "HTX Thốt Nốt Tri Tôn",
    producerAddress: "Ấp Tà Lọt, Xã Lê Trì, Tỉnh An Giang", origin: "Tri Tôn, An Giang, Việt Nam",
    elementString: "(01)08936059000017(10)DTN-2611-01(21)"
      + url.split(separator: "/").last!.prefix(6))
}

/// Codes only: encode, pack and write one PNG file per URL, over `parts` threads.
func codes(_ urls: [String], module: ModuleSize, folder: String, parts: Int) -> UInt64 {
  let total = Mutex64()
  DispatchQueue.concurrentPerform(iterations: parts) { part in
    var bytes: UInt64 = 0
    for index in stride(from: part, to: urls.count, by: parts) {
      do {
        let png = try QRSymbol.encode(urls[index], level: .medium).png(module: module)
        try write(png, to: folder + "/code-\(index).png")
        bytes += UInt64(png.count)
      } catch {
        fail("\(error)")
      }
    }
    total.add(bytes)
  }
  return total.value
}

/// Full 50×30 mm labels: encode, lay out with text, read back, write one 1-bit PNG each.
func labels(_ urls: [String], module: ModuleSize, folder: String, parts: Int, readBack: Bool) {
  DispatchQueue.concurrentPerform(iterations: parts) { part in
    do {
      let renderer = try LabelRenderer()
      for index in stride(from: part, to: urls.count, by: parts) {
        let symbol = try QRSymbol.encode(urls[index], level: .medium)
        let label = try renderer.render(
          content(for: urls[index]), symbol: symbol, module: module, template: .size50x30)
        if readBack { try ReadBack.check(label, label: "\(index)", expected: urls[index]) }
        try write(
          PNGEncoder.encode(label, depth: .oneBit, pixelsPerMetre: module.pixelsPerMetre),
          to: folder + "/label-\(index).png")
      }
    } catch {
      fail("\(error)")
    }
  }
}

final class Mutex64: @unchecked Sendable {
  private let lock = NSLock()
  private var total: UInt64 = 0
  func add(_ value: UInt64) { lock.withLock { total += value } }
  var value: UInt64 { lock.withLock { total } }
}

func folder() -> String {
  let path = NSTemporaryDirectory() + "ocop-label-bench-" + UUID().uuidString
  try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

func row(_ name: String, _ count: Int, _ seconds: Double, _ reference: Double?, _ target: String) {
  var line = name.padding(toLength: 46, withPad: " ", startingAt: 0)
  line += String(
    format: "%10.0f/s %9.1f µs", Double(count) / seconds, seconds / Double(count) * 1e6)
  line += reference.map { String(format: "  %5.2f×", $0 / seconds) } ?? "        "
  print(line + "  " + target)
}

let module = try! ModuleSize(millimetres: 0.423, dpi: 300)
let cores = ProcessInfo.processInfo.activeProcessorCount

if arguments.first == "memory" {
  let count = option("--count").flatMap(Int.init) ?? 100_000
  let out = folder()
  defer { try? FileManager.default.removeItem(atPath: out) }
  let seconds = time {
    labels(links(count), module: module, folder: out, parts: cores, readBack: true)
  }
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  print("labels=\(count) seconds=\(String(format: "%.1f", seconds)) peakKiB=\(usage.ru_maxrss)")
  exit(0)
}

let count = option("--count").flatMap(Int.init) ?? 2000
let urls = links(count)
print(
  "label benchmark: \(count) distinct links of \(urls[0].utf8.count) characters, \(module), \(cores) cores"
)
print(String(repeating: "-", count: 100))
print(
  "operation".padding(toLength: 46, withPad: " ", startingAt: 0)
    + "       rate     per code  vs (2)  target")

var ourBytes: UInt64 = 0
var referenceBytes: UInt64 = 0
var rounds: [(ours: Double, reference: Double)] = []
for _ in 0..<3 {
  let ours = folder()
  let theirs = folder()
  var referenceWritten = 0
  let reference = time {
    referenceBytes = 0
    let cStrings = urls.map { strdup($0) }
    defer { for string in cStrings { free(string) } }
    cStrings.map { UnsafePointer($0) }.withUnsafeBufferPointer { buffer in
      referenceWritten = ocop_reference_write(
        buffer.baseAddress, count, Int32(module.dots), Int32(module.dpi), theirs, &referenceBytes)
    }
  }
  guard referenceWritten == count else {
    fail("the reference wrote \(referenceWritten) of \(count)")
  }
  let oneCore = time { ourBytes = codes(urls, module: module, folder: ours, parts: 1) }
  rounds.append((oneCore, reference))
  try? FileManager.default.removeItem(atPath: ours)
  try? FileManager.default.removeItem(atPath: theirs)
}
let round = rounds.sorted { $0.ours / $0.reference < $1.ours / $1.reference }[1]
row(
  "(2) C loop: libqrencode + libpng classic", count, round.reference, round.reference, "reference")
row("(1) ours, codes only, 1 core", count, round.ours, round.reference, "≥ 1.00× (2)")

let allCoresFolder = folder()
let allCores = time { _ = codes(urls, module: module, folder: allCoresFolder, parts: cores) }
try? FileManager.default.removeItem(atPath: allCoresFolder)
row(
  "(3) ours, codes only, \(cores) cores", count, allCores, round.reference,
  String(format: "%.2f× (1), target ≥ 1.70×", round.ours / allCores))

let labelCount = max(1, count / 4)
let labelURLs = Array(urls.prefix(labelCount))
for parts in [1, cores] {
  let out = folder()
  let seconds = time {
    labels(labelURLs, module: module, folder: out, parts: parts, readBack: false)
  }
  try? FileManager.default.removeItem(atPath: out)
  let perCodeOne = round.ours / Double(count)
  row(
    "(4) ours, 50×30 mm labels with text, \(parts) core\(parts == 1 ? "" : "s")", labelCount,
    seconds, nil,
    String(
      format: "%.2f× the rate of (1), target ≥ 0.50×", perCodeOne / (seconds / Double(labelCount))))
}
let out = folder()
let readBackSeconds = time {
  labels(labelURLs, module: module, folder: out, parts: cores, readBack: true)
}
try? FileManager.default.removeItem(atPath: out)
row("    same, with the zbar read-back, \(cores) cores", labelCount, readBackSeconds, nil, "")
print(
  String(
    format: "(5) PNG bytes per code: ours %.0f, reference %.0f (target: ours ≤ reference)",
    Double(ourBytes) / Double(count), Double(referenceBytes) / Double(count)))
print(String(repeating: "-", count: 100))
