import Foundation
import Testing

@testable import Label

@Suite("Print runs")
struct PrintRunTests {
  static func jobs(_ count: Int, content: LabelContent? = LabelRenderTests.content()) -> [PrintJob]
  {
    (1...count).map { serial in
      PrintJob(
        name: "DTN-2611-01-\(serial)",
        url:
          "https://truyxuat.angiang.example/01/08936059000017/10/DTN-2611-01/21/\(serial)?17=271101",
        content: content)
    }
  }

  static func folder() -> String { NSTemporaryDirectory() + "ocop-print-" + UUID().uuidString }

  @Test func aLongRunIsWrittenInFoldersOfAThousand() throws {
    let parent = Self.folder()
    defer { try? FileManager.default.removeItem(atPath: parent) }
    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    let options = PrintOptions(
      module: try ModuleSize(millimetres: 0.423, dpi: 300), readBack: false, threads: 2)
    let report = try LabelPrinter.print(
      Self.jobs(2_100, content: nil), to: parent + "/run", options: options)
    #expect(report.files.count == 2_100)
    #expect(report.files.first == "00001-01000/DTN-2611-01-1.png")
    #expect(report.files[1_000] == "01001-02000/DTN-2611-01-1001.png")
    #expect(report.files.last == "02001-02100/DTN-2611-01-2100.png")
    let folders = try FileManager.default.contentsOfDirectory(atPath: parent + "/run").sorted()
    #expect(folders == ["00001-01000", "01001-02000", "02001-02100"])
    for (folder, count) in zip(folders, [1_000, 1_000, 100]) {
      #expect(
        try FileManager.default.contentsOfDirectory(atPath: parent + "/run/" + folder).count
          == count)
    }
    for file in report.files where file.hasSuffix("-1500.png") || file.hasSuffix("-2100.png") {
      let bytes = try Data(contentsOf: URL(fileURLWithPath: parent + "/run/" + file))
      #expect(Array(bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
    }
  }

  /// A run whose serials start past 1 (a lot's second run) names its folders by the
  /// serials they hold.
  @Test func aLaterRunsFoldersAreNamedByItsSerials() throws {
    let parent = Self.folder()
    defer { try? FileManager.default.removeItem(atPath: parent) }
    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    let options = PrintOptions(
      module: try ModuleSize(millimetres: 0.423, dpi: 300), readBack: false, threads: 2)
    let report = try LabelPrinter.print(
      Self.jobs(1_100, content: nil), to: parent + "/run", options: options, firstNumber: 21)
    let folders = try FileManager.default.contentsOfDirectory(atPath: parent + "/run").sorted()
    #expect(folders == ["00021-01020", "01021-01120"])
    #expect(report.files.count == 1_100)
  }

  @Test func aRunWritesEveryLabelReadBackIntoANewFolder() throws {
    let destination = Self.folder() + "/run-1"
    defer {
      try? FileManager.default.removeItem(
        atPath: (destination as NSString).deletingLastPathComponent)
    }
    try FileManager.default.createDirectory(
      atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true
    )
    let options = PrintOptions(module: try ModuleSize(millimetres: 0.423, dpi: 300))
    let report = try LabelPrinter.print(Self.jobs(6), to: destination, options: options)
    #expect(report.files == (1...6).map { "DTN-2611-01-\($0).png" })
    for file in report.files {
      let bytes = try Data(contentsOf: URL(fileURLWithPath: destination + "/" + file))
      #expect(Array(bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
    }
    #expect(report.bytes > 0)
    // Nothing is left behind beside it.
    let siblings = try FileManager.default.contentsOfDirectory(
      atPath: (destination as NSString).deletingLastPathComponent)
    #expect(siblings == ["run-1"])
    #expect(throws: LabelError.self) {
      try LabelPrinter.print(Self.jobs(1), to: destination, options: options)
    }
  }

  @Test func aRunThatFailsLeavesNoTrace() throws {
    let parent = Self.folder()
    defer { try? FileManager.default.removeItem(atPath: parent) }
    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    var jobs = Self.jobs(8)
    var bad = LabelRenderTests.content()
    bad.producerAddress = Array(repeating: "Ấp Tà Lọt", count: 40).joined(separator: ", ")
    jobs[5] = PrintJob(name: "bad", url: jobs[5].url, content: bad)
    let options = PrintOptions(module: try ModuleSize(millimetres: 0.423, dpi: 300))
    #expect(throws: LabelError.self) {
      try LabelPrinter.print(jobs, to: parent + "/run", options: options)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: parent).isEmpty)
  }

  @Test func sheetsAndSVG() throws {
    let parent = Self.folder()
    defer { try? FileManager.default.removeItem(atPath: parent) }
    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    let module = try ModuleSize(millimetres: 0.423, dpi: 300)
    let sheet = try SheetLayout(
      columns: 3, rows: 8, label: LabelTemplate.custom(width: 70, height: 37))
    let pages = try LabelPrinter.print(
      Self.jobs(30), to: parent + "/sheets",
      options: PrintOptions(template: sheet.label, module: module, sheet: sheet))
    #expect(pages.files == ["page-001.png", "page-002.png"])
    let svg = try LabelPrinter.print(
      Self.jobs(2), to: parent + "/svg", options: PrintOptions(module: module, output: .svg))
    #expect(svg.files == ["DTN-2611-01-1.svg", "DTN-2611-01-2.svg"])
    let text = try String(contentsOfFile: parent + "/svg/DTN-2611-01-1.svg", encoding: .utf8)
    #expect(text.contains("<path"))
    let codes = try LabelPrinter.print(
      Self.jobs(3, content: nil), to: parent + "/codes",
      options: PrintOptions(module: module, readBack: false))
    #expect(codes.files.count == 3)
  }

  @Test func foldersSplitIntoParentAndNameWhateverTheirLength() {
    #expect(LabelPrinter.split("l") == (".", "l"))
    #expect(LabelPrinter.split("l/") == (".", "l"))
    #expect(LabelPrinter.split("a/b") == ("a", "b"))
    #expect(LabelPrinter.split("/l") == ("/", "l"))
    #expect(LabelPrinter.split("/tmp/x/labels/") == ("/tmp/x", "labels"))
    #expect(LabelPrinter.stagingFolder(for: "l") == "./.l.partial")
    #expect(LabelPrinter.stagingFolder(for: "out/run-1") == "out/.run-1.partial")
  }
}
