import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// One label of a print run: the URL its code carries, what it shows, and its file name.
public struct PrintJob: Hashable, Sendable {
  /// The file name without extension, such as `DTN-2611-01-000001`.
  public let name: String
  /// The exact text the code carries.
  public let url: String
  /// The label's text; nil for the code alone.
  public let content: LabelContent?

  /// A job.
  public init(name: String, url: String, content: LabelContent?) {
    self.name = name
    self.url = url
    self.content = content
  }
}

/// How a print run draws and writes its labels.
public struct PrintOptions: Hashable, Sendable {
  /// What files to write.
  public enum Output: String, Hashable, Sendable, CaseIterable {
    /// 1-bit PNG at the printer's dots.
    case print
    /// 8-bit PNG with anti-aliased text, for screens.
    case preview
    /// SVG in millimetres.
    case svg
    /// One PDF for the run, at true size: a page per label, or A4 sheets.
    case pdf
    /// One ZPL command stream for the run, for Zebra printers and those that speak ZPL.
    case zpl
    /// One TSPL command stream for the run, for TSC, Xprinter and most low-cost printers.
    case tspl
  }

  public var template: LabelTemplate
  public var module: ModuleSize
  public var level: ErrorCorrection
  public var output: Output
  /// Decode every label again and compare it with its URL (on by default).
  public var readBack: Bool
  /// Lay labels out on pages instead of one file each.
  public var sheet: SheetLayout?
  /// Threads to render on; 0 for every core.
  public var threads: Int
  /// The TrueType fonts the label text is set in.
  public var regularFont: String
  public var boldFont: String
  /// For a PDF of single labels: each label moved this many millimetres right and down on
  /// its page (sheets carry their own offset).
  public var offsetX: Double = 0
  public var offsetY: Double = 0
  /// For ZPL and TSPL: how the code reaches the label (in the bitmap by default).
  public var thermalCode = ThermalStream.Code.bitmap
  /// For TSPL: the gap between labels on the roll, in millimetres.
  public var gapMillimetres = 2.0

  /// Options; by default 50×30 mm labels, ECC M, 1-bit PNG, read back, every core.
  public init(
    template: LabelTemplate = .size50x30, module: ModuleSize, level: ErrorCorrection = .medium,
    output: Output = .print, readBack: Bool = true, sheet: SheetLayout? = nil, threads: Int = 0,
    regularFont: String = Font.defaultRegular, boldFont: String = Font.defaultBold
  ) {
    self.regularFont = regularFont
    self.boldFont = boldFont
    self.template = template
    self.module = module
    self.level = level
    self.output = output
    self.readBack = readBack
    self.sheet = sheet
    self.threads = threads
  }
}

/// Writes a print run into a folder: all of it, or nothing. Files are written into a
/// hidden folder beside the destination (``stagingFolder(for:)``), which takes the
/// destination's name only when every label has been drawn, read back and written. A run
/// stopped half-way (a crash, a kill, a power cut) leaves only that hidden folder, which the
/// next run into the same destination clears and starts again.
public enum LabelPrinter {
  /// What a finished print run wrote.
  public struct Report: Hashable, Sendable {
    /// The folder.
    public let folder: String
    /// The files, in job order.
    public let files: [String]
    /// Total bytes written.
    public let bytes: Int
  }

  /// Prints `jobs` into `folder`, which must not exist yet. `progress` is called after
  /// each label with the number done so far.
  /// A print run frees and allocates the same few buffers for every label. glibc would
  /// hand the freed ones back to the system each time, and on several cores each return
  /// interrupts every other core to flush its address cache, which costs more than the
  /// label. So, once per process, freed memory is kept for reuse (up to 256 MiB) and only
  /// allocations over 32 MiB are mapped on their own.
  private static let keepFreedMemory: Void = {
    #if canImport(Glibc)
      // mallopt(3) from <malloc.h>, which Swift's Glibc module does not import.
      typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
      guard let symbol = dlsym(nil, "mallopt") else { return }
      let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
      _ = mallopt(-1, 256 << 20)  // M_TRIM_THRESHOLD
      _ = mallopt(-3, 32 << 20)  // M_MMAP_THRESHOLD
    #endif
  }()

  /// How many labels a run writes in one folder; a longer run is written in folders of this
  /// many, named by the range they hold.
  public static let folderSize = 1000

  /// The hidden folder a run into `folder` is written in until it is complete:
  /// `.NAME.partial` beside it. Its presence means a run into `folder` did not finish.
  public static func stagingFolder(for folder: String) -> String {
    let (parent, name) = split(folder)
    return parent + "/." + name + ".partial"
  }

  /// The folder that holds `path` ("." for a bare name) and its last component. Split by
  /// hand: Foundation's `deletingLastPathComponent` on this platform traps on a
  /// one-character name.
  public static func split(_ path: String) -> (parent: String, name: String) {
    var path = Substring(path)
    while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
    guard let slash = path.lastIndex(of: "/") else { return (".", String(path)) }
    let parent = path[..<slash]
    return (parent.isEmpty ? "/" : String(parent), String(path[path.index(after: slash)...]))
  }

  public static func print(
    _ jobs: [PrintJob], to folder: String, options: PrintOptions, firstNumber: Int64 = 1,
    progress: (@Sendable (Int) -> Void)? = nil
  ) throws(LabelError) -> Report {
    _ = keepFreedMemory
    let manager = FileManager.default
    guard !manager.fileExists(atPath: folder) else {
      throw .invalidOption(
        name: "output folder", value: folder, reason: "already exists; choose a new folder")
    }
    let staging = stagingFolder(for: folder)
    do {
      if manager.fileExists(atPath: staging) { try manager.removeItem(atPath: staging) }
      try manager.createDirectory(atPath: staging, withIntermediateDirectories: true)
    } catch {
      throw .invalidOption(
        name: "output folder", value: folder,
        reason: "cannot be created (\(error.localizedDescription))")
    }
    do throws(LabelError) {
      let (files, bytes) = try render(
        jobs, into: staging, options: options, firstNumber: firstNumber, progress: progress)
      guard rename(staging, folder) == 0 else {
        throw LabelError.invalidOption(
          name: "output folder", value: folder,
          reason: "cannot be created (\(String(cString: strerror(errno))))")
      }
      return Report(folder: folder, files: files, bytes: bytes)
    } catch {
      try? manager.removeItem(atPath: staging)
      throw error
    }
  }

  private static func render(
    _ jobs: [PrintJob], into staging: String, options: PrintOptions, firstNumber: Int64,
    progress: (@Sendable (Int) -> Void)?
  ) throws(LabelError) -> (files: [String], bytes: Int) {
    let threads =
      options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount
    let failures = Failures()
    let done = Counter()
    let written = Counter()
    let extensionName = options.output == .svg ? "svg" : "png"
    switch options.output {
    case .pdf: return try renderPDF(jobs, into: staging, options: options, progress: progress)
    case .zpl:
      return try renderThermal(
        jobs, into: staging, options: options, language: .zpl, progress: progress)
    case .tspl:
      return try renderThermal(
        jobs, into: staging, options: options, language: .tspl, progress: progress)
    case .print, .preview, .svg: break
    }
    if let sheet = options.sheet {
      // Sheets: labels are drawn in parallel, then laid out page by page in order.
      let bitmaps = Slots<Bitmap>(count: jobs.count)
      DispatchQueue.concurrentPerform(iterations: threads) { part in
        do {
          let renderer = try LabelRenderer(
            regularFont: options.regularFont, boldFont: options.boldFont)
          for index in stride(from: part, to: jobs.count, by: threads) where !failures.any {
            bitmaps[index] = try drawBitmap(jobs[index], renderer: renderer, options: options)
            progress?(done.increment())
          }
        } catch {
          failures.record(error)
        }
      }
      if let failure = failures.first { throw failure }
      var files: [String] = []
      var bytes = 0
      for (number, page) in try sheet.pages(bitmaps.values, dpi: options.module.dpi).enumerated() {
        let name = "page-\(String(format: "%03d", number + 1)).png"
        let png = try PNGEncoder.encode(
          page, depth: options.output == .preview ? .eightBit : .oneBit,
          pixelsPerMetre: options.module.pixelsPerMetre, packing: .runs)
        try write(png, to: staging + "/" + name)
        bytes += png.count
        files.append(name)
      }
      return (files, bytes)
    }
    // A run of more than `folderSize` labels is written in folders of that many, named by
    // the numbers (serials) they hold, the first job being `firstNumber`: `00021-01020/`.
    // Each thread takes whole folders in turn, so no two threads create files in one folder
    // at once (creating a file locks its folder); a run of one folder is shared out label by
    // label.
    let folders = jobs.count > folderSize ? (jobs.count + folderSize - 1) / folderSize : 1
    let lastNumber = firstNumber + Int64(jobs.count) - 1
    let digits = max(5, String(lastNumber).count)
    func padded(_ number: Int64) -> String {
      let text = String(number)
      return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
    let folderNames = (0..<folders).map { folder in
      folders == 1
        ? ""
        : padded(firstNumber + Int64(folder * folderSize)) + "-"
          + padded(min(lastNumber, firstNumber + Int64((folder + 1) * folderSize) - 1)) + "/"
    }
    for name in folderNames where !name.isEmpty {
      do {
        try FileManager.default.createDirectory(
          atPath: staging + "/" + name, withIntermediateDirectories: false)
      } catch {
        throw .invalidOption(
          name: "output folder", value: staging,
          reason: "cannot be written (\(error.localizedDescription))")
      }
    }
    let nextFolder = Atomic(0)
    DispatchQueue.concurrentPerform(iterations: threads) { part in
      do throws(LabelError) {
        // Fonts are opened only by a thread that sets text.
        var opened: LabelRenderer?
        func renderer() throws(LabelError) -> LabelRenderer {
          if let opened { return opened }
          let made = try LabelRenderer(regularFont: options.regularFont, boldFont: options.boldFont)
          opened = made
          return made
        }
        func make(_ index: Int) throws(LabelError) {
          let job = jobs[index]
          let bytes: [UInt8]
          if options.output == .svg {
            let symbol = try QRSymbol.encode(job.url, level: options.level)
            if options.readBack {
              try ReadBack.check(
                symbol.bitmap(dotsPerModule: options.module.dots), label: job.name,
                expected: job.url)
            }
            let svg: String
            if let content = job.content {
              svg = SVGWriter.label(
                try renderer().layout(
                  content, symbol: symbol, module: options.module, template: options.template))
            } else {
              svg = try SVGWriter.qr(symbol, moduleMillimetres: options.module.millimetres)
            }
            bytes = Array(svg.utf8)
          } else if job.content == nil && options.output == .print && !options.readBack {
            bytes = try QRSymbol.encode(job.url, level: options.level).png(module: options.module)
          } else if let content = job.content, options.output == .print {
            // Print labels are made in their one-bit form directly; the read-back decodes
            // the code's square from exactly the bits the file holds.
            let layout = try renderer().layout(
              content, symbol: QRSymbol.encode(job.url, level: options.level),
              module: options.module, template: options.template)
            let label = try renderer().drawPacked(layout)
            if options.readBack {
              try ReadBack.check(label.codeBitmap(), label: job.name, expected: job.url)
            }
            bytes = try PNGEncoder.encode(
              rows: label.rows, width: label.width, height: label.height, stride: label.stride,
              depth: .oneBit, pixelsPerMetre: options.module.pixelsPerMetre, packing: .runs)
          } else {
            let bitmap = try drawBitmap(job, renderer: renderer(), options: options)
            bytes = try PNGEncoder.encode(
              bitmap, depth: options.output == .preview ? .eightBit : .oneBit,
              pixelsPerMetre: options.module.pixelsPerMetre,
              packing: job.content == nil ? .compact : .runs)
          }
          try write(
            bytes,
            to: staging + "/" + folderNames[index / folderSize % max(1, folders)] + job.name + "."
              + extensionName)
          written.add(bytes.count)
          progress?(done.increment())
        }
        if folders >= threads {
          while !failures.any {
            let folder = nextFolder.add(1, ordering: .relaxed).oldValue
            guard folder < folders else { break }
            for index in folder * folderSize..<min(jobs.count, (folder + 1) * folderSize)
            where !failures.any {
              try make(index)
            }
          }
        } else {
          for index in stride(from: part, to: jobs.count, by: threads) where !failures.any {
            try make(index)
          }
        }
      } catch {
        failures.record(error)
      }
    }
    if let failure = failures.first { throw failure }
    let files = jobs.enumerated().map { index, job in
      folderNames[folders == 1 ? 0 : index / folderSize] + job.name + "." + extensionName
    }
    return (files, written.value)
  }

  /// The name of a PDF or printer-stream run's one file: `labels.pdf`, `labels.zpl`,
  /// `labels.tspl`.
  public static func runFileName(_ output: PrintOptions.Output) -> String {
    "labels." + output.rawValue
  }

  /// Makes each job's piece on every core, a few hundred labels at a time, and hands the
  /// pieces to `consume` in job order on the calling thread (one file is written by one
  /// thread), while the next few hundred are being made.
  private static func inChunks<Piece: Sendable>(
    _ jobs: [PrintJob], options: PrintOptions, progress: (@Sendable (Int) -> Void)?,
    make: @escaping @Sendable (PrintJob, ThreadTools) throws(LabelError) -> Piece,
    consume: (Int, Piece) throws(LabelError) -> Void
  ) throws(LabelError) {
    let threads =
      options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount
    let chunkSize = 200
    let done = Counter()
    // Each thread's fonts, opened once for the whole run.
    let tools = Slots<ThreadTools>(count: threads)
    let chunks = stride(from: 0, to: jobs.count, by: chunkSize).map {
      $0..<min(jobs.count, $0 + chunkSize)
    }
    /// The pieces of `chunk`, made on `threads` threads in the background.
    func start(_ chunk: Range<Int>) -> (Slots<Piece>, Failures, DispatchGroup) {
      let pieces = Slots<Piece>(count: chunk.count)
      let failures = Failures()
      let group = DispatchGroup()
      DispatchQueue.global().async(group: group) {
        DispatchQueue.concurrentPerform(iterations: threads) { part in
          do throws(LabelError) {
            let own: ThreadTools
            if let made = tools[part] {
              own = made
            } else {
              own = try ThreadTools(options: options)
              tools[part] = own
            }
            for index in stride(from: chunk.lowerBound + part, to: chunk.upperBound, by: threads)
            where !failures.any {
              pieces[index - chunk.lowerBound] = try make(jobs[index], own)
            }
          } catch {
            failures.record(error)
          }
        }
      }
      return (pieces, failures, group)
    }
    guard let first = chunks.first else { return }
    var current = start(first)
    for (number, chunk) in chunks.enumerated() {
      current.2.wait()
      if let failure = current.1.first { throw failure }
      let pieces = current.0
      var next: (Slots<Piece>, Failures, DispatchGroup)?
      if number + 1 < chunks.count { next = start(chunks[number + 1]) }
      // Whatever happens here, the next chunk's threads finish before this returns.
      defer { next?.2.wait() }
      for (offset, piece) in pieces.values.enumerated() {
        try consume(chunk.lowerBound + offset, piece)
        progress?(done.increment())
      }
      if let next { current = next }
    }
  }

  /// The layout of `job`'s label, or of its code alone.
  private static func layout(_ job: PrintJob, tools: ThreadTools, options: PrintOptions)
    throws(LabelError) -> LabelLayout
  {
    let symbol = try QRSymbol.encode(job.url, level: options.level)
    if let content = job.content {
      return try tools.renderer.layout(
        content, symbol: symbol, module: options.module, template: options.template)
    }
    let side = (symbol.width + 8) * options.module.dots
    return LabelLayout(
      width: side, height: side, dpi: options.module.dpi, symbol: symbol,
      dotsPerModule: options.module.dots, codeX: 0, codeY: 0, lines: [], codeTextLines: 0)
  }

  /// A PDF run: layouts and read-back on every core, then the labels written in order into
  /// the one PDF (cairo draws a document on one thread).
  private static func renderPDF(
    _ jobs: [PrintJob], into staging: String, options: PrintOptions,
    progress: (@Sendable (Int) -> Void)?
  ) throws(LabelError) -> (files: [String], bytes: Int) {
    let name = runFileName(.pdf)
    let path = staging + "/" + name
    let sheet = options.sheet
    let writer = try PDFWriter(
      path: path, width: sheet?.pageWidth ?? options.template.widthMillimetres,
      height: sheet?.pageHeight ?? options.template.heightMillimetres,
      regularFont: options.regularFont, boldFont: options.boldFont,
      title: jobs.count == 1
        ? jobs[0].name : "\(jobs.first?.name ?? "") – \(jobs.last?.name ?? "")")
    let dot = 25.4 / Double(options.module.dpi)
    try inChunks(jobs, options: options, progress: progress) { job, tools throws(LabelError) in
      let layout = try layout(job, tools: tools, options: options)
      if options.readBack {
        try ReadBack.check(
          PDFWriter.codeBitmap(layout), label: job.name, expected: job.url)
      }
      return layout
    } consume: { index, layout throws(LabelError) in
      if let sheet {
        if index % sheet.perPage == 0 {
          writer.newPage(width: sheet.pageWidth, height: sheet.pageHeight)
        }
        let (x, y) = sheet.origin(of: index)
        try writer.draw(layout, x: x, y: y)
      } else {
        // A label's page is the label's size; a code alone's, the code's with its quiet zone.
        if layout.lines.isEmpty {
          writer.newPage(width: Double(layout.width) * dot, height: Double(layout.height) * dot)
        } else {
          writer.newPage(
            width: options.template.widthMillimetres, height: options.template.heightMillimetres)
        }
        try writer.draw(layout, x: options.offsetX, y: options.offsetY)
      }
    }
    try writer.finish()
    let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    return ([name], size)
  }

  /// A ZPL or TSPL run: each label's commands made and read back out of the stream on
  /// every core, then written in order into the one stream file.
  private static func renderThermal(
    _ jobs: [PrintJob], into staging: String, options: PrintOptions,
    language: ThermalStream.Language, progress: (@Sendable (Int) -> Void)?
  ) throws(LabelError) -> (files: [String], bytes: Int) {
    if options.thermalCode == .printerCommand,
      options.module.dots > ThermalStream.largestPrinterModule
    {
      throw .invalidOption(
        name: "module", value: options.module.description,
        reason:
          "a printer's QR command draws modules of 1 to \(ThermalStream.largestPrinterModule) dots; use a smaller module or the bitmap code"
      )
    }
    let name = runFileName(options.output)
    let path = staging + "/" + name
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw .invalidOption(name: "file", value: path, reason: String(cString: strerror(errno)))
    }
    defer { close(descriptor) }
    var bytes = 0
    func append(_ data: [UInt8]) throws(LabelError) {
      let written = data.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
      guard written == data.count else {
        throw .invalidOption(name: "file", value: path, reason: "could not be written completely")
      }
      bytes += data.count
    }
    let header = ThermalStream.header(
      language, widthMillimetres: options.template.widthMillimetres,
      heightMillimetres: options.template.heightMillimetres,
      gapMillimetres: options.gapMillimetres)
    try append(header)
    try inChunks(jobs, options: options, progress: progress) { job, tools throws(LabelError) in
      let layout = try layout(job, tools: tools, options: options)
      var label = try tools.renderer.drawPacked(layout)
      var code: ThermalStream.PrinterQR?
      let dots = layout.dotsPerModule
      if options.thermalCode == .printerCommand {
        // The code's square is left white for the printer to draw in.
        label.clear(x: label.codeX, y: label.codeY, side: label.codeSide)
        code = ThermalStream.PrinterQR(
          x: layout.codeX + 4 * dots, y: layout.codeY + 4 * dots, module: dots,
          level: options.level, data: job.url)
      }
      let commands = ThermalStream.label(
        label, language: language, printerCode: code, name: job.name)
      if options.readBack {
        // What the printer would be sent, read back out of the commands themselves.
        let read = try ThermalStream.read(header + commands, language: language)
        guard read.count == 1 else {
          throw .readBack(label: job.name, expected: job.url, found: [])
        }
        if let code {
          guard read[0].printerCodes == [code] else {
            throw .readBack(
              label: job.name, expected: job.url, found: read[0].printerCodes.map(\.data))
          }
        } else {
          try ReadBack.check(
            read[0].bitmap(x: label.codeX, y: label.codeY, side: label.codeSide), label: job.name,
            expected: job.url)
        }
      }
      return commands
    } consume: { _, commands throws(LabelError) in
      try append(commands)
    }
    guard fsync(descriptor) == 0 else {
      throw .invalidOption(name: "file", value: path, reason: String(cString: strerror(errno)))
    }
    return ([name], bytes)
  }

  /// What one rendering thread of a PDF or printer-stream run keeps: its fonts.
  private final class ThreadTools: @unchecked Sendable {
    let renderer: LabelRenderer
    init(options: PrintOptions) throws(LabelError) {
      renderer = try LabelRenderer(regularFont: options.regularFont, boldFont: options.boldFont)
    }
  }

  private static func drawBitmap(_ job: PrintJob, renderer: LabelRenderer, options: PrintOptions)
    throws(LabelError)
    -> Bitmap
  {
    let symbol = try QRSymbol.encode(job.url, level: options.level)
    let bitmap: Bitmap
    if let content = job.content {
      bitmap = try renderer.render(
        content, symbol: symbol, module: options.module, template: options.template)
    } else {
      bitmap = try symbol.bitmap(dotsPerModule: options.module.dots)
    }
    if options.readBack { try ReadBack.check(bitmap, label: job.name, expected: job.url) }
    return bitmap
  }

  /// Writes a new file in one call: the staging folder is the run's own, so no temporary
  /// file and rename per label are needed.
  private static func write(_ bytes: [UInt8], to path: String) throws(LabelError) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw .invalidOption(name: "file", value: path, reason: String(cString: strerror(errno)))
    }
    defer { close(descriptor) }
    let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
    guard written == bytes.count else {
      throw .invalidOption(name: "file", value: path, reason: "could not be written completely")
    }
  }
}

/// The first error any rendering thread met.
private final class Failures: Sendable {
  private let state = Mutex<LabelError?>(nil)
  var any: Bool { state.withLock { $0 != nil } }
  var first: LabelError? { state.withLock { $0 } }
  func record(_ error: any Error) {
    let labelError = (error as? LabelError) ?? .library(name: "print run", reason: "\(error)")
    state.withLock { if $0 == nil { $0 = labelError } }
  }
}

/// Labels done so far.
private final class Counter: Sendable {
  private let state = Atomic(0)
  func increment() -> Int { state.add(1, ordering: .relaxed).newValue }
  func add(_ amount: Int) { state.add(amount, ordering: .relaxed) }
  var value: Int { state.load(ordering: .relaxed) }
}

/// One slot per label, filled by whichever thread draws it.
private final class Slots<Value: Sendable>: Sendable {
  private let state: Mutex<[Value?]>
  init(count: Int) { state = Mutex([Value?](repeating: nil, count: count)) }
  subscript(index: Int) -> Value? {
    get { state.withLock { $0[index] } }
    set { state.withLock { $0[index] = newValue } }
  }
  var values: [Value] { state.withLock { $0.compactMap { $0 } } }
}
