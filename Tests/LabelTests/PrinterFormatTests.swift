import Foundation
import TestSupport
import Testing

@testable import Label

/// What each printer format would print, read back the way a printer would see it: the
/// PDF rendered by poppler, the ZPL and TSPL graphics unpacked by a second, independent
/// reader (`scripts/printers/unpack.py`), and every code decoded.
@Suite("PDF, ZPL and TSPL")
struct PrinterFormatTests {
  static func run(_ tool: String, _ arguments: [String]) throws -> String {
    try PrinterOutput.run(tool, arguments)
  }

  static func readPGM(_ path: String) throws -> Bitmap {
    let image = try PrinterOutput.readPGM(path)
    var bitmap = Bitmap(width: image.width, height: image.height)
    bitmap.pixels = image.pixels
    return bitmap
  }

  static func crop(_ bitmap: Bitmap, x: Int, y: Int, width: Int, height: Int) -> Bitmap {
    var part = Bitmap(width: width, height: height)
    for row in 0..<height where y + row >= 0 && y + row < bitmap.height {
      for column in 0..<width where x + column >= 0 && x + column < bitmap.width {
        part[column, row] = bitmap[x + column, y + row]
      }
    }
    return part
  }

  /// The bounding box of the dark pixels (below mid-gray).
  static func darkBox(_ bitmap: Bitmap) -> (left: Int, top: Int, right: Int, bottom: Int)? {
    var box: (Int, Int, Int, Int)?
    for y in 0..<bitmap.height {
      for x in 0..<bitmap.width where bitmap[x, y] < 128 {
        box =
          box.map { (min($0.0, x), min($0.1, y), max($0.2, x), max($0.3, y)) } ?? (x, y, x, y)
      }
    }
    return box.map { (left: $0.0, top: $0.1, right: $0.2, bottom: $0.3) }
  }

  static func jobs(_ count: Int, template: String = "") -> [PrintJob] {
    var content = LabelRenderTests.content()
    content.producerAddress = "Tri Tôn, An Giang"
    return (1...count).map { serial in
      PrintJob(
        name: "DTN-2611-01-\(serial)",
        url:
          "https://truyxuat.angiang.example/01/08936059000017/10/DTN-2611-01/21/\(serial)?17=271101",
        content: content)
    }
  }

  static func folder() throws -> String {
    let parent = NSTemporaryDirectory() + "ocop-formats-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    return parent
  }

  /// A 3×8 A4 sheet of 70×37 mm labels as PDF, rendered at 600 dpi: the page is A4, every
  /// label sits at its place and size within 0.1 mm, every module is the asked 0.423 mm
  /// within one dot, every code decodes, and the text is real, embedded, searchable text.
  @Test func aThreeByEightPDFSheetIsTrueToSizeAtSixHundredDPI() throws {
    let parent = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: parent) }
    let sheet = try SheetLayout.named("3x8-70x37")
    let module = try ModuleSize(millimetres: 0.423, dpi: 300)
    let jobs = Self.jobs(24)
    var options = PrintOptions(
      template: sheet.label, module: module, output: .pdf, sheet: sheet, threads: 2)
    options.readBack = true
    let report = try LabelPrinter.print(jobs, to: parent + "/run", options: options)
    #expect(report.files == ["labels.pdf"])
    let pdf = parent + "/run/labels.pdf"
    let info = try Self.run("pdfinfo", [pdf])
    #expect(info.contains("Pages:           1"), "\(info)")
    #expect(info.contains("Page size:       595.276 x 841.89 pts (A4)"), "\(info)")
    _ = try Self.run("pdftoppm", ["-r", "600", "-gray", pdf, parent + "/page"])
    let page = try Self.readPGM(parent + "/page-1.pgm")
    #expect(page.width == 4961 && page.height == 7016)
    let pixelsPerMillimetre = 600 / 25.4
    let renderer = try LabelRenderer()
    var corners: [(x: Double, y: Double)] = []
    for (index, job) in jobs.enumerated() {
      let layout = try renderer.layout(
        job.content!, symbol: QRSymbol.encode(job.url), module: module, template: sheet.label)
      let (left, top) = sheet.origin(of: index)
      // The code's square, quiet zone included, where the layout puts it on this label.
      let scale = 600.0 / 300.0
      let squareX = Int(((left * pixelsPerMillimetre) + Double(layout.codeX) * scale).rounded())
      let squareY = Int(((top * pixelsPerMillimetre) + Double(layout.codeY) * scale).rounded())
      let side = Int((Double((layout.symbol.width + 8) * layout.dotsPerModule) * scale).rounded())
      let square = Self.crop(page, x: squareX, y: squareY, width: side, height: side)
      #expect(try ZBarDecoder.decode(square) == [job.url], "label \(index + 1)")
      let box = try #require(Self.darkBox(square), "label \(index + 1) has no code")
      // The symbol's modules: whole, of 0.423 mm (9.99 dots at 600 dpi) within one dot.
      let symbolWidth = Double(box.right - box.left + 1)
      let modulePixels = symbolWidth / Double(layout.symbol.width)
      #expect(abs(modulePixels - 0.423 * pixelsPerMillimetre) <= 1, "label \(index + 1)")
      // The finder pattern's top edge: 7 modules of dark pixels.
      var run = 0
      while box.left + run < square.width, square[box.left + run, box.top + 2] < 128 { run += 1 }
      #expect(abs(Double(run) - 7 * 0.423 * pixelsPerMillimetre) <= 1, "label \(index + 1)")
      // The quiet zone: four modules of white on the left and top.
      #expect(abs(Double(box.left) - 4 * modulePixels) <= 1.5, "label \(index + 1)")
      #expect(abs(Double(box.top) - 4 * modulePixels) <= 1.5, "label \(index + 1)")
      // Where the symbol's corner is, in millimetres on the page.
      corners.append(
        (
          Double(squareX + box.left) / pixelsPerMillimetre - Double(layout.codeX) * 25.4 / 300,
          Double(squareY + box.top) / pixelsPerMillimetre - Double(layout.codeY) * 25.4 / 300
        ))
    }
    // Each label's place, measured from its code: the sheet's margins, and 70 × 37 mm
    // from one label to the next, within 0.1 mm.
    let quiet = 4 * module.millimetres
    #expect(abs(corners[0].x - quiet - 0) <= 0.1, "left margin \(corners[0].x - quiet)")
    #expect(abs(corners[0].y - quiet - 0.5) <= 0.1, "top margin \(corners[0].y - quiet)")
    for index in 0..<24 {
      if index % 3 > 0 {
        #expect(abs(corners[index].x - corners[index - 1].x - 70) <= 0.1, "label \(index + 1)")
      }
      if index >= 3 {
        #expect(abs(corners[index].y - corners[index - 3].y - 37) <= 0.1, "label \(index + 1)")
      }
    }
    // Real text: embedded fonts with their Unicode maps, the Vietnamese words in NFC.
    let fonts = try Self.run("pdffonts", [pdf])
    #expect(fonts.contains("DejaVuSans"), "\(fonts)")
    for line in fonts.split(separator: "\n").dropFirst(2) {
      #expect(line.contains(" yes yes yes "), "not embedded with a Unicode map: \(line)")
    }
    let text = try Self.run("pdftotext", ["-layout", pdf, "-"])
    for words in ["Đường thốt nốt Tri Tôn", "Số lô: DTN-2611-01", "HSD: 01/11/2027"] {
      #expect(text.contains(words.precomposedStringWithCanonicalMapping), "\(words)")
    }
    #expect(text.components(separatedBy: "Đường thốt nốt Tri Tôn").count - 1 == 24)
  }

  /// Single labels get a page each, of the label's size; `--offset` moves the label on
  /// it; the code still decodes from poppler's rendering.
  @Test func singleLabelPagesAreTheLabelsSize() throws {
    let parent = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: parent) }
    var options = PrintOptions(
      template: .size60x40, module: try ModuleSize(millimetres: 0.5, dpi: 203), output: .pdf,
      threads: 1)
    options.offsetX = 1
    options.offsetY = 0.5
    let jobs = Self.jobs(2)
    _ = try LabelPrinter.print(jobs, to: parent + "/run", options: options)
    let pdf = parent + "/run/labels.pdf"
    let info = try Self.run("pdfinfo", [pdf])
    #expect(info.contains("Pages:           2"))
    #expect(info.contains("Page size:       170.079 x 113.386 pts"), "\(info)")
    _ = try Self.run("pdftoppm", ["-r", "300", "-gray", pdf, parent + "/label"])
    for (number, job) in jobs.enumerated() {
      let label = try Self.readPGM(parent + "/label-\(number + 1).pgm")
      #expect(try ZBarDecoder.decode(label) == [job.url])
      // The label's 1 mm margin plus the 1 mm offset: the quiet zone starts 2 mm in.
      let module = 4 * 25.4 / 203 * 300 / 25.4
      let symbol = try QRSymbol.encode(job.url)
      let codeBottom = Int((1.5 * 300 / 25.4 + Double(symbol.width + 4) * module).rounded())
      let box = try #require(
        Self.darkBox(Self.crop(label, x: 0, y: 0, width: codeBottom, height: codeBottom)))
      #expect(abs(Double(box.left) - (2 * 300 / 25.4 + 4 * module)) <= 1.5, "\(box)")
      #expect(abs(Double(box.top) - (1.5 * 300 / 25.4 + 4 * module)) <= 1.5, "\(box)")
    }
  }

  /// The stream `language` makes for three 60×40 mm labels at `dpi`.
  static func stream(
    _ language: PrintOptions.Output, dpi: Int, code: ThermalStream.Code = .bitmap,
    level: ErrorCorrection = .medium, in parent: String
  ) throws -> (path: String, jobs: [PrintJob], module: ModuleSize) {
    let module = try ModuleSize(millimetres: 0.423, dpi: dpi)
    var options = PrintOptions(
      template: .size60x40, module: module, level: level, output: language, threads: 2)
    options.thermalCode = code
    let jobs = Self.jobs(3)
    let report = try LabelPrinter.print(jobs, to: parent + "/run", options: options)
    #expect(report.files == ["labels.\(language.rawValue)"])
    return (parent + "/run/" + report.files[0], jobs, module)
  }

  static func unpack(_ language: String, _ path: String, into folder: String) throws
    -> [[String: Any]]
  {
    try PrinterOutput.unpack(language, path, into: folder)
  }

  @Test(arguments: [PrintOptions.Output.zpl, .tspl], [203, 300])
  func thermalStreamsDecodeToTheirURLsWhenUnpacked(language: PrintOptions.Output, dpi: Int) throws {
    let parent = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: parent) }
    let (path, jobs, _) = try Self.stream(language, dpi: dpi, in: parent)
    let labels = try Self.unpack(language.rawValue, path, into: parent + "/unpacked")
    #expect(labels.count == 3)
    let width = Int((60 * Double(dpi) / 25.4).rounded())
    let height = Int((40 * Double(dpi) / 25.4).rounded())
    let ours = try ThermalStream.read(
      [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))),
      language: language == .zpl ? .zpl : .tspl)
    for (index, label) in labels.enumerated() {
      let image = try Self.readPGM(try #require(label["image"] as? String))
      // TSPL's graphic is whole bytes wide; the label is the first `width` dots.
      #expect(image.width == (language == .zpl ? width : (width + 7) / 8 * 8))
      #expect(image.height == height)
      #expect(try ZBarDecoder.decode(image) == [jobs[index].url], "label \(index + 1)")
      #expect((label["printerQR"] as? [Any])?.isEmpty == true)
      // Both readers see the same dots.
      let mine = ours[index].bitmap(x: 0, y: 0, side: max(image.width, image.height))
      #expect(Self.crop(mine, x: 0, y: 0, width: image.width, height: image.height) == image)
    }
    if language == .tspl {
      let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
      #expect(text.hasPrefix("SIZE 60 mm,40 mm\r\nGAP 2 mm,0 mm\r\n"))
    }
  }

  /// ZPL's graphic in plain hex (no compression) reads the same as the compressed one.
  @Test func aPlainHexGraphicReadsLikeTheCompressedOne() throws {
    let parent = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: parent) }
    let (path, jobs, _) = try Self.stream(.zpl, dpi: 203, in: parent)
    let compressed = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(compressed.contains(UInt8(ascii: ":")) && compressed.contains(UInt8(ascii: ",")))
    let label = try #require(try ThermalStream.read(compressed, language: .zpl).first)
    let hex = label.rows.map { String(format: "%02X", ~$0) }.joined()
    let total = label.rows.count
    let plain =
      "^XA\n^PW\(label.width)\n^LL\(label.height)\n^FO0,0^GFA,\(total),\(total),\(label.stride),\(hex)^FS\n^XZ\n"
    let plainPath = parent + "/plain.zpl"
    try Data(plain.utf8).write(to: URL(fileURLWithPath: plainPath))
    let read = try #require(try ThermalStream.read(Array(plain.utf8), language: .zpl).first)
    #expect(read.rows == label.rows)
    let unpacked = try Self.unpack("zpl", plainPath, into: parent + "/plain")
    let image = try Self.readPGM(try #require(unpacked.first?["image"] as? String))
    #expect(try ZBarDecoder.decode(image) == [jobs[0].url])
  }

  /// With the printer's own QR command the stream holds the exact URL, the error
  /// correction and the module size, at the code's place; the graphic leaves it blank.
  @Test(arguments: [PrintOptions.Output.zpl, .tspl])
  func thePrinterQRCommandHoldsTheExactData(language: PrintOptions.Output) throws {
    let parent = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: parent) }
    let (path, jobs, module) = try Self.stream(
      language, dpi: 300, code: .printerCommand, level: .quartile, in: parent)
    let labels = try Self.unpack(language.rawValue, path, into: parent + "/unpacked")
    #expect(labels.count == 3)
    let margin = Int((1.0 * 300 / 25.4).rounded())
    for (index, label) in labels.enumerated() {
      let codes = try #require(label["printerQR"] as? [[String: Any]])
      #expect(codes.count == 1)
      #expect(codes.first?["data"] as? String == jobs[index].url)
      #expect(codes.first?["ecc"] as? String == "Q")
      #expect(codes.first?["module"] as? Int == module.dots)
      #expect(codes.first?["x"] as? Int == margin + 4 * module.dots)
      #expect(codes.first?["y"] as? Int == margin + 4 * module.dots)
      let image = try Self.readPGM(try #require(label["image"] as? String))
      #expect(try ZBarDecoder.decode(image).isEmpty)
      let symbol = try QRSymbol.encode(jobs[index].url, level: .quartile)
      let side = (symbol.width + 8) * module.dots
      #expect(
        Self.darkBox(Self.crop(image, x: margin, y: margin, width: side, height: side)) == nil)
    }
  }

  /// A module larger than a printer's QR command can draw is refused before anything is
  /// written.
  @Test func aModuleTooLargeForThePrintersQRCommandIsRefused() throws {
    let parent = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: parent) }
    var options = PrintOptions(
      template: .size100x50, module: try ModuleSize(millimetres: 0.99, dpi: 600), output: .zpl)
    options.thermalCode = .printerCommand
    #expect(throws: LabelError.self) {
      try LabelPrinter.print(Self.jobs(1), to: parent + "/run", options: options)
    }
    #expect(!FileManager.default.fileExists(atPath: parent + "/run"))
  }

  /// Named layouts, numbers, offsets, and what is refused.
  @Test func sheetLayoutsByNameAndByNumbers() throws {
    let named = try SheetLayout.named("3x8-70x37")
    #expect(named.columns == 3 && named.rows == 8 && named.label.name == "70x37")
    #expect(named.marginTop == 0.5 && named.name == "3x8-70x37")
    #expect(try SheetLayout.named("5x13").name == "5x13-38.1x21.2")
    #expect(
      try SheetLayout.named("3x7,63.5x38.1,7.25,15.15,2.5,0").name == "3x7-63.5x38.1")
    let centred = try SheetLayout.named("3x8", label: .custom(width: 70, height: 36))
    #expect(abs(centred.marginTop - 4.5) < 1e-9)
    let moved = try SheetLayout.named("2x7-99.1x38.1").offset(x: 1.5, y: -0.8)
    let first = moved.origin(of: 0)
    let fourth = moved.origin(of: 3)
    #expect(abs(first.x - 6.15) < 1e-9 && abs(first.y - 14.35) < 1e-9)
    #expect(abs(fourth.x - (6.15 + 99.1 + 2.5)) < 1e-9 && abs(fourth.y - (14.35 + 38.1)) < 1e-9)
    func refusal(_ text: String, label: LabelTemplate? = nil) -> String {
      do {
        _ = try SheetLayout.named(text, label: label)
        return ""
      } catch { return "\(error)" }
    }
    #expect(refusal("3x8").contains("3x8-70x37 and 3x8-70x36"))
    #expect(refusal("a4-avery").contains("is not a layout"))
    #expect(refusal("3x8-70x37", label: .size60x40).contains("not the --template 60x40"))
    #expect(refusal("4x8,70x37,0,0").contains("does not fit"))
    #expect(throws: LabelError.self) { try SheetLayout.named("3x8-70x37").offset(x: -1, y: 0) }
  }
}
