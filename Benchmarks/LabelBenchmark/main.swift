import Foundation
import GS1
import Label
import LabelReference
import Traceability

// label-benchmark: our label pipeline against a plain C loop over libqrencode and libpng,
// in one run, printed as one table.
//
//   label-benchmark [--count N] [--dir D]      the table (N distinct ~90-character links)
//   label-benchmark memory --count N [--dir D] N full labels on all cores, then peak memory
//   label-benchmark labels --count N --threads T [--codes]  labels (or codes) only, for a profiler
//
// Files go under D: by default /dev/shm (memory), so that the table measures the pipeline
// and not how the disk's file system allocates thousands of inodes; `--dir /tmp` measures
// both together.

let arguments = Array(CommandLine.arguments.dropFirst())
let module = try! ModuleSize(millimetres: 0.423, dpi: 300)
let cores = ProcessInfo.processInfo.activeProcessorCount
let outputRoot =
  option("--dir")
  ?? (FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())

func option(_ name: String) -> String? {
  guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
  return arguments[index + 1]
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("label-benchmark: \(message)\n".utf8))
  exit(1)
}

/// N distinct Digital Links of about 90 characters: one lot, serials 100001….
func links(_ count: Int) -> [String] {
  (1...count).map {
    "https://truyxuat.angiang.example/01/08936059000017/10/DTN-2611-01/21/\(100_000 + $0)?17=271101"
  }
}

func time(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
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

func folder() -> String {
  let path = outputRoot + "/ocop-label-bench-" + UUID().uuidString
  try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

/// One print run: its jobs and the folder it writes into, made before timing starts, and
/// removed after timing ends.
struct Run {
  let jobs: [PrintJob]
  let destination: String

  init(_ urls: [String], labels: Bool) {
    jobs = urls.enumerated().map { index, url in
      PrintJob(name: "label-\(index)", url: url, content: labels ? content(for: url) : nil)
    }
    destination = folder() + "/run"
  }

  init(jobs: [PrintJob]) {
    self.jobs = jobs
    destination = folder() + "/run"
  }

  @discardableResult
  func print(
    readBack: Bool, threads: Int, output: PrintOptions.Output = .print,
    template: LabelTemplate = .size50x30
  ) -> Int {
    do {
      return try LabelPrinter.print(
        jobs, to: destination,
        options: PrintOptions(
          template: template, module: module, output: output, readBack: readBack,
          threads: threads)
      ).bytes
    } catch {
      fail("\(error)")
    }
  }

  func discard() {
    try? FileManager.default.removeItem(atPath: (destination as NSString).deletingLastPathComponent)
  }
}

func row(_ name: String, _ count: Int, _ seconds: Double, _ reference: Double?, _ target: String) {
  var line = name.padding(toLength: 46, withPad: " ", startingAt: 0)
  line += String(
    format: "%10.0f/s %9.1f µs", Double(count) / seconds, seconds / Double(count) * 1e6)
  line += reference.map { String(format: "  %5.2f×", $0 / seconds) } ?? "        "
  print(line + "  " + target)
}

if arguments.first == "labels" {
  // Full labels only, for profiling: label-benchmark labels --count N --threads T
  let count = option("--count").flatMap(Int.init) ?? 1000
  let threads = option("--threads").flatMap(Int.init) ?? 1
  let codesOnly = arguments.contains("--codes")
  let run = Run(links(count), labels: !codesOnly)
  let seconds = time { run.print(readBack: false, threads: threads) }
  run.discard()
  print(
    String(
      format: "%@=%d threads=%d %.1f µs each", codesOnly ? "codes" : "labels", count, threads,
      seconds / Double(count) * 1e6))
  exit(0)
}

if arguments.first == "memory" {
  let count = option("--count").flatMap(Int.init) ?? 100_000
  let run = Run(links(count), labels: true)
  let seconds = time { run.print(readBack: true, threads: cores) }
  run.discard()
  // Peak resident memory from /proc (VmHWM): getrusage's figure is carried over across exec.
  let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
  let peak = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? "VmHWM: ?"
  print("labels=\(count) seconds=\(String(format: "%.1f", seconds)) peak \(peak)")
  exit(0)
}

let count = option("--count").flatMap(Int.init) ?? 2000
let urls = links(count)
print(
  "label benchmark: \(count) distinct links of \(urls[0].utf8.count) characters, \(module), \(cores) cores"
)
print("files written under \(outputRoot)")
print(String(repeating: "-", count: 100))
print(
  "operation".padding(toLength: 46, withPad: " ", startingAt: 0)
    + "       rate     per code  vs (2)  target")

// Three rounds, each timing every pipeline side by side: (2), (1), (3), then (4) on one
// core and on all. Each row reports the round with the median ratio to what it is compared
// with in that same round, so a slow moment of a shared machine weighs on both sides.
struct Round {
  var reference = 0.0
  var ours = 0.0
  var allCores = 0.0
  var labels = 0.0
  var labelsAllCores = 0.0
}
var ourBytes = 0
var referenceBytes: UInt64 = 0
var rounds: [Round] = []
let labelURLs = Array(urls.prefix(max(1, count / 4)))
for _ in 0..<3 {
  var round = Round()
  let theirs = folder()
  let cStrings = urls.map { strdup($0) }
  var referenceWritten = 0
  round.reference = time {
    referenceBytes = 0
    cStrings.map { UnsafePointer($0) }.withUnsafeBufferPointer { buffer in
      referenceWritten = ocop_reference_write(
        buffer.baseAddress, count, Int32(module.dots), Int32(module.dpi), theirs, &referenceBytes)
    }
  }
  for string in cStrings { free(string) }
  try? FileManager.default.removeItem(atPath: theirs)
  guard referenceWritten == count else {
    fail("the reference wrote \(referenceWritten) of \(count)")
  }
  let run = Run(urls, labels: false)
  round.ours = time { ourBytes = run.print(readBack: false, threads: 1) }
  run.discard()
  let allCoresRun = Run(urls, labels: false)
  round.allCores = time { allCoresRun.print(readBack: false, threads: cores) }
  allCoresRun.discard()
  let labelRun = Run(labelURLs, labels: true)
  round.labels = time { labelRun.print(readBack: false, threads: 1) }
  labelRun.discard()
  let labelAllRun = Run(labelURLs, labels: true)
  round.labelsAllCores = time { labelAllRun.print(readBack: false, threads: cores) }
  labelAllRun.discard()
  rounds.append(round)
}

/// The round whose `ratio` is the median of the three.
func median(_ rounds: [Round], _ ratio: (Round) -> Double) -> Round {
  rounds.sorted { ratio($0) < ratio($1) }[1]
}

let codes = median(rounds) { $0.reference / $0.ours }
row(
  "(2) C loop: libqrencode + libpng classic", count, codes.reference, codes.reference, "reference")
row("(1) ours, codes only, 1 core", count, codes.ours, codes.reference, "≥ 1.00× (2)")
let parallel = median(rounds) { $0.ours / $0.allCores }
row(
  "(3) ours, codes only, \(cores) cores", count, parallel.allCores, parallel.reference,
  String(format: "%.2f× (1), target ≥ 1.70×", parallel.ours / parallel.allCores))
let labelRate = { (round: Round, seconds: Double) in
  (round.ours / Double(count)) / (seconds / Double(labelURLs.count))
}
let oneCore = median(rounds) { labelRate($0, $0.labels) }
row(
  "(4) ours, 50×30 mm labels with text, 1 core", labelURLs.count, oneCore.labels, nil,
  String(
    format: "%.2f× the rate of (1), target ≥ 0.50×", labelRate(oneCore, oneCore.labels)))
let everyCore = median(rounds) { labelRate($0, $0.labelsAllCores) }
row(
  "(4) ours, 50×30 mm labels with text, \(cores) cores", labelURLs.count,
  everyCore.labelsAllCores, nil,
  String(
    format: "%.2f× the rate of (1), target ≥ 0.50×",
    labelRate(everyCore, everyCore.labelsAllCores)))
let readBackRun = Run(labelURLs, labels: true)
let readBackSeconds = time { readBackRun.print(readBack: true, threads: cores) }
readBackRun.discard()
row("    same, with the zbar read-back, \(cores) cores", labelURLs.count, readBackSeconds, nil, "")
print(
  String(
    format: "(5) PNG bytes per code: ours %.0f, reference %.0f (target: ours ≤ reference)",
    Double(ourBytes) / Double(count), Double(referenceBytes) / Double(count)))
print(String(repeating: "-", count: 100))

// (6) The printer formats: runs of signed labels (each link signed by a real Ed25519 issuer
// key, as `ocop print` makes them) on 100×50 mm, every label read back, on every core: the
// one-bit PNG files against one PDF and one ZPL and TSPL stream of the same labels, timed
// side by side in three rounds; each row reports the round with the median ratio.
let signedCount = option("--signed").flatMap(Int.init) ?? 2000
let signedJobs: [PrintJob] = {
  do {
    let key = try IssuerKey.generate(name: "label-benchmark")
    let base = try DigitalLink.Base("https://truyxuat.angiang.example")
    return try (1...signedCount).map { serial in
      let link = try SignedLink.sign(
        DigitalLink(
          base: base, gtin: GTIN("08936059000017"), lot: "DTN-2611-01",
          serial: String(100_000 + serial), attributes: [AIElement(ai: "17", value: "271101")]),
        with: key)
      var label = content(for: link.uri)
      label.elementString = link.elementString.humanReadable
      return PrintJob(name: "label-\(serial)", url: link.uri, content: label)
    }
  } catch {
    fail("signing the benchmark's links: \(error)")
  }
}()
print(
  "printer formats: \(signedCount) signed labels of 100×50 mm (links of \(signedJobs[0].url.utf8.count) characters), read back, \(cores) cores"
)
let formats: [PrintOptions.Output] = [.print, .pdf, .zpl, .tspl]
var formatRounds: [[PrintOptions.Output: Double]] = []
for _ in 0..<3 {
  var round: [PrintOptions.Output: Double] = [:]
  for format in formats {
    let run = Run(jobs: signedJobs)
    round[format] = time {
      run.print(readBack: true, threads: cores, output: format, template: .size100x50)
    }
    run.discard()
  }
  formatRounds.append(round)
}
for format in formats {
  let ratio = { (round: [PrintOptions.Output: Double]) in round[.print]! / round[format]! }
  let round = formatRounds.sorted { ratio($0) < ratio($1) }[1]
  let name: String
  switch format {
  case .print: name = "(6) PNG files (1-bit), signed, \(cores) cores"
  case .pdf: name = "    one PDF, signed, \(cores) cores"
  case .zpl: name = "    one ZPL stream, signed, \(cores) cores"
  default: name = "    one TSPL stream, signed, \(cores) cores"
  }
  row(
    name, signedCount, round[format]!, nil,
    format == .print
      ? "reference of (6)" : String(format: "%.2f× the PNG rate, target ≥ 0.50×", ratio(round)))
}
print(String(repeating: "-", count: 100))
