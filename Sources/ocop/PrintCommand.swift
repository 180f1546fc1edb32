import ArgumentParser
import Foundation
import GS1
import Label
import Traceability

/// `ocop print`: serials for a batch, and their labels.
struct PrintCommand: AsyncParsableCommand, HelpExamples {
  static let configuration = CommandConfiguration(
    commandName: "print",
    abstract: "Allocate serials for a batch and render their labels (PNG, PDF, sheets or SVG).",
    discussion: """
      Allocates COUNT serials under the lot (recorded, signed, never reused), makes each \
      item's trace URL (GS1 Digital Link with lot, serial and expiry, signed by the \
      store's issuer unless --unsigned), and renders one label per serial into a new \
      folder: the QR code, its element string, and the Vietnamese label text (product, \
      OCOP stars when a certificate was in force at production, lot, NSX, HSD, net \
      quantity, producer and address, origin). Every label is decoded again with zbar and \
      compared with its URL unless --no-read-back. A run of more than 1,000 labels is \
      written in folders of 1,000.

      The serials are stored before any label is drawn: a run that is stopped half-way \
      keeps its serials, and `--resume RUN` renders that run's labels again.
      """)
  static let examples = [
    "ocop print 8932301001016/DTNQ-2611-03 --count 300",
    "ocop print 8932301001016/DTNQ-2611-03 --count 240 --sheet 3x8-70x37 --format pdf",
    "ocop print --calibration --sheet 3x8-70x37 --out calibration.pdf",
    "ocop print 8932301001016/DTNQ-2611-03 --resume run-1-300 --out labels/again",
  ]

  @Argument(help: "The batch, GTIN/LOT.") var lot: String?
  @Option(help: "How many serials (labels) to allocate.") var count: Int64?
  @Option(help: "Render the serials of this earlier run again instead of allocating.")
  var resume: String?
  @Option(name: .customLong("run"), help: "A name for the run (default run-FIRST-LAST).")
  var runName: String?
  @Option(help: ArgumentHelp("The new folder for the labels.", valueName: "folder")) var out:
    String?
  @Option(
    help:
      "Label size: 40x30, 50x30, 60x40, 100x50 or WxH in mm (default: the smallest of 50x30, 60x40, 100x50 that holds the label)."
  )
  var template: String?
  @Option(help: "Printer resolution in dots per inch.") var dpi = 300
  @Option(help: "QR module size (X-dimension) in mm; snapped to whole printer dots.")
  var module = 0.423
  @Flag(help: "Allow a module under GS1's 0.396 mm minimum.") var allowSmallModule = false
  @Option(help: "QR error correction: L, M, Q or H.") var ecc = ErrorCorrection.medium
  @Flag(help: "Trace URLs without the issuer's signature.") var unsigned = false
  @Option(
    help: ArgumentHelp(
      "A4 sheets of labels: a layout's name (3x8-70x37, 3x8-70x36, 3x8-63.5x33.9, 3x7-63.5x38.1, 3x11-70x25.4, 2x7-99.1x38.1, 2x4-105x74, 4x10-48.5x25.4, 5x13-38.1x21.2), COLUMNSxROWS with --template, or COLUMNSxROWS,WIDTHxHEIGHT,LEFT,TOP[,GAPX,GAPY] in mm.",
      valueName: "layout"))
  var sheet: String?
  @Option(
    help: ArgumentHelp(
      "Move every label X mm right and Y mm down on the page (negative: left, up), as the calibration page measured.",
      valueName: "X,Y"))
  var offset: String?
  @Flag(
    help:
      "Write a calibration page (PDF) for --sheet instead of labels: rulers from the page's edges, each label's outline and crop marks, and a 100 mm square."
  )
  var calibration = false
  @Option(
    help:
      "Output: print (1-bit PNG), preview (8-bit PNG), svg, pdf (true size), zpl or tspl (thermal printers' command streams)."
  )
  var format = PrintOptions.Output.print
  @Flag(
    help:
      "ZPL and TSPL: let the printer draw the code with its own QR command (^BQ, QRCODE) from the exact URL, instead of as part of the label's bitmap."
  )
  var printerQR = false
  @Option(help: "TSPL: the gap between labels on the roll, in mm.") var gap = 2.0
  @Option(
    help: ArgumentHelp(
      "ZPL and TSPL: send the run's stream to a printer: a device file (/dev/usb/lp0) or a network printer's HOST:PORT (port 9100 when left out).",
      valueName: "printer"))
  var to: String?
  @Flag(help: "With --to: write the stream but do not send it.") var dryRun = false
  @Option(
    help: ArgumentHelp(
      "Send a ZPL or TSPL file written by an earlier run to --to again, without allocating anything.",
      valueName: "file"))
  var resend: String?
  @Flag(help: "Skip decoding every label again.") var noReadBack = false
  @Flag(help: "Print labels for a lot whose expiry date (HSD) has passed.") var allowExpired =
    false
  @Flag(
    help:
      "Refuse a label too small for every content the law asks of it, instead of giving the contents it allows (storage, use…) on the trace page."
  )
  var allOnLabel = false
  @Flag(help: "Print although the product lacks contents its group's label must show.")
  var allowMissingFields = false
  @Option(help: ArgumentHelp("TrueType font for the label text.", valueName: "file"))
  var font = Font.defaultRegular
  @Option(help: ArgumentHelp("TrueType font for the label's bold lines.", valueName: "file"))
  var boldFont = Font.defaultBold
  @OptionGroup var location: StoreOptions
  @OptionGroup var output: OutputOptions

  func validate() throws {
    if resend != nil {
      guard lot == nil, count == nil, resume == nil, !calibration, to != nil else {
        throw ValidationError("--resend FILE sends a stream again: give --to PRINTER, and no lot")
      }
      return
    }
    if to != nil || dryRun, format != .zpl && format != .tspl {
      throw ValidationError("--to and --dry-run send ZPL or TSPL: use --format zpl or tspl")
    }
    if dryRun, to == nil { throw ValidationError("--dry-run goes with --to PRINTER") }
    if printerQR, format != .zpl && format != .tspl {
      throw ValidationError("--printer-qr is for --format zpl or tspl")
    }
    if calibration {
      guard lot == nil, count == nil, resume == nil else {
        throw ValidationError(
          "--calibration writes a page without labels: give no lot, --count or --resume")
      }
      return
    }
    guard lot != nil else { throw ValidationError("give the batch, GTIN/LOT") }
    guard (count == nil) != (resume == nil) else {
      throw ValidationError("give either --count N (a new run) or --resume RUN")
    }
    if let count, !(1...1_000_000).contains(count) {
      throw ValidationError("--count must be from 1 to 1000000")
    }
  }

  func run() async throws {
    try await runReporting {
      if calibration {
        try writeCalibration()
        return
      }
      if let resend, let to {
        let target = try PrinterTarget(to)
        guard let bytes = FileManager.default.contents(atPath: resend) else {
          throw CLIError("file \(resend) cannot be read")
        }
        let data = [UInt8](bytes)
        guard data.starts(with: Array("^XA".utf8)) || data.starts(with: Array("SIZE ".utf8)) else {
          throw CLIError("file \(resend) is not a ZPL or TSPL stream written by ocop print")
        }
        try target.send(data)
        print("sent \(resend) (\(data.count) bytes) to \(target)")
        return
      }
      let target = try to.map { try PrinterTarget($0) }
      if format == .zpl || format == .tspl, ![203, 300, 600].contains(dpi) {
        throw CLIError(
          "--dpi \(dpi): thermal label printers print at 203, 300 or 600 dpi; give your printer's")
      }
      guard gap >= 0, gap <= 20 else { throw CLIError("--gap \(gap) must be 0 to 20 mm") }
      let reference = try parseLot(lot ?? "")
      let level = ecc
      let outputKind = format
      var chosenTemplate = try template.map { try LabelTemplate.named($0) }
      let moduleSize = try ModuleSize(
        millimetres: module, dpi: dpi, allowBelowMinimum: allowSmallModule)
      if let warning = moduleSize.warning { Output.printError("warning: \(warning)") }
      let (offsetX, offsetY) = try parsedOffset()
      var sheetLayout: SheetLayout?
      if let sheet {
        guard [.print, .preview, .pdf].contains(outputKind) else {
          throw CLIError("--sheet makes pages of PNG or PDF: use --format print, preview or pdf")
        }
        sheetLayout = try SheetLayout.named(sheet, label: chosenTemplate).offset(
          x: offsetX, y: offsetY)
        chosenTemplate = sheetLayout?.label
      } else if offset != nil, outputKind != .pdf {
        throw CLIError("--offset moves labels on a page: use it with --sheet or --format pdf")
      }
      if let target, !dryRun { try target.checkReachable() }
      let workspace = try await Workspace.open(location, writing: true)
      let store = workspace.store
      guard let batch = try await store.batch(reference) else {
        throw TraceError.notFound(kind: "lot", key: reference.description)
      }
      guard let product = try await store.product(reference.gtin),
        let producer = try await store.producer(taxCode: product.producerTaxCode)
      else { throw TraceError.notFound(kind: "product", key: reference.gtin.digits) }
      if batch.request.expiryDate < GS1Date.today() {
        guard allowExpired else {
          throw CLIError(
            "lot \(reference) expired on \(batch.request.expiryDate.dayMonthYear): labels for it would go on goods past their HSD; --allow-expired prints them anyway"
          )
        }
        Output.printError(
          "warning: lot \(reference) expired on \(batch.request.expiryDate.dayMonthYear)")
      }
      // Before any serial is allocated: does the label hold its text and its code? The
      // longest URL of the run is tried on the label size asked for, or on each standard
      // size in turn.
      let existing = try await store.serialRanges(reference)
      let probeSerial =
        resume.flatMap { name in existing.first { $0.printRun == name }?.last }
        ?? (existing.map(\.last).max() ?? 0) + (count ?? 1)
      let probe = try makeJobs(
        batch: batch, product: product, producer: producer,
        serials: probeSerial...probeSerial, workspace: workspace)[0]
      // What the law asks this product's label to show, and the record lacks.
      if let content = probe.content, !content.missingFields().isEmpty {
        let rules = LabelRules.standard
        let named = content.missingFields().map {
          "\($0.rawValue) (\(rules.words($0, group: content.group)))"
        }.joined(separator: ", ")
        let message =
          "product \(product.gtin.digits) lacks what a \(product.group.rawValue) label must show: \(named)"
        guard allowMissingFields else {
          throw CLIError(
            message
              + "; the product record is signed and cannot change, so register the product with them, or print anyway with --allow-missing-fields"
          )
        }
        Output.printError("warning: " + message)
      }
      let (labelTemplate, moved) = try fittingTemplate(
        for: probe, chosen: chosenTemplate, module: moduleSize, level: level)
      if !moved.isEmpty {
        let words = moved.map { name in
          LabelRules.Field(rawValue: name).map {
            LabelRules.standard.words($0, group: product.group.rawValue)
          } ?? name
        }
        Output.printError(
          "note: the \(labelTemplate.name) mm label gives \(words.joined(separator: ", ")) on the trace page, as the law allows for a small label, and says so (\"\(LabelRules.standard.pointerWords)\"); a larger --template shows them, --all-on-label refuses instead"
        )
      }
      // The serials: a new range, stored before anything is drawn, or an earlier run's. A
      // run owns its folder by a lock held while it lives, so a second run started
      // meanwhile never takes the first's folder for a stopped one: it waits for it, then
      // plans again (and takes new serials).
      let range: SerialRange
      var owned: RunLock?
      planning: while true {
        if let resume {
          guard
            let earlier = try await store.serialRanges(reference).first(where: {
              $0.printRun == resume
            })
          else {
            let runs = try await store.serialRanges(reference).compactMap(\.printRun)
            throw CLIError(
              "lot \(reference) has no print run \"\(resume)\""
                + (runs.isEmpty ? "" : " (its runs: \(runs.joined(separator: ", ")))"))
          }
          guard let lock = try RunLock.take(folder(for: earlier), waiting: false) else {
            throw CLIError(
              "output folder \(folder(for: earlier)) is being written by another ocop print; wait for it or choose another --out"
            )
          }
          try await requireSameSigning(as: earlier, store: store)
          owned = lock
          range = earlier
          break planning
        }
        switch try await unfinishedRun(of: reference, in: store) {
        case .busy(let folder):
          try RunLock.waitForRun(into: folder)
          continue planning
        case .stopped(let unfinished, let lock):
          // The same command, run again after a run was stopped half-way: finish that run.
          guard unfinished.count == count! else {
            throw CLIError(
              "lot \(reference) has an unfinished print run \"\(unfinished.printRun ?? "")\" of \(unfinished.count) serials (\(unfinished.first)–\(unfinished.last)) into \(folder(for: unfinished)); finish it with --resume \(unfinished.printRun ?? "") or choose another --out"
            )
          }
          try await requireSameSigning(as: unfinished, store: store)
          Output.printError(
            "note: finishing print run \"\(unfinished.printRun ?? "")\" (serials \(unfinished.first)–\(unfinished.last)), which was stopped before its labels were all written"
          )
          owned = lock
          range = unfinished
          break planning
        case nil:
          let ranges = try await store.serialRanges(reference)
          let first = (ranges.map(\.last).max() ?? 0) + 1
          let name = runName ?? "run-\(first)-\(first + count! - 1)"
          if ranges.contains(where: { $0.printRun == name }) {
            throw CLIError(
              "lot \(reference) already has a print run \"\(name)\"; to render it again use --resume \(name)"
            )
          }
          // The run's folder is begun before its serials are allocated, so a run stopped at
          // any point after allocating is found and finished by the same command run again.
          let folder = folder(named: name, lot: reference)
          guard let lock = try RunLock.take(folder, waiting: false) else {
            try RunLock.waitForRun(into: folder)
            continue planning
          }
          if FileManager.default.fileExists(atPath: folder) {
            throw CLIError("output folder \(folder) already exists; choose a new folder with --out")
          }
          let staging = LabelPrinter.stagingFolder(for: folder)
          do {
            try FileManager.default.createDirectory(
              atPath: staging, withIntermediateDirectories: true)
          } catch {
            throw CLIError(
              "output folder \(folder) cannot be created (\(error.localizedDescription))")
          }
          do {
            range = try await store.allocateSerials(
              reference, count: count!, printRun: name, signed: !unsigned)
          } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
          }
          owned = lock
          break planning
        }
      }
      let folder = folder(for: range)
      let jobs = try makeJobs(
        batch: batch, product: product, producer: producer, serials: range.first...range.last,
        workspace: workspace)
      var options = PrintOptions(
        template: labelTemplate, module: moduleSize, level: level, output: outputKind,
        readBack: !noReadBack, sheet: sheetLayout, regularFont: font, boldFont: boldFont)
      options.offsetX = offsetX
      options.offsetY = offsetY
      options.thermalCode = printerQR ? .printerCommand : .bitmap
      options.gapMillimetres = gap
      let progress = ProgressBar(total: jobs.count, label: "labels")
      try FileManager.default.createDirectory(
        atPath: LabelPrinter.split(folder).parent,
        withIntermediateDirectories: true)
      let report = try LabelPrinter.print(
        jobs, to: folder, options: options, firstNumber: range.first,
        progress: progress.isShown ? progress.update : nil)
      progress.finish()
      owned?.release()
      var sentTo: String?
      if let target, outputKind == .zpl || outputKind == .tspl {
        let file = folder + "/" + LabelPrinter.runFileName(outputKind)
        if dryRun {
          Output.printError(
            "note: dry run: the stream for \(target) is in \(file); nothing was sent (send it with --resend \(file) --to \(to ?? ""))"
          )
        } else {
          do {
            try target.send([UInt8](FileManager.default.contents(atPath: file) ?? Data()))
          } catch {
            throw CLIError(
              "\(error); the labels are in \(file): send them again with ocop print --resend \(file) --to \(to ?? "")"
            )
          }
          sentTo = target.description
        }
      }
      if output.json {
        printRecord(
          .object([
            "lot": reference.json, "run": .string(range.printRun ?? ""),
            "first": .integer(range.first), "last": .integer(range.last),
            "folder": .string(folder), "files": .integer(Int64(report.files.count)),
            "bytes": .integer(Int64(report.bytes)), "readBack": .bool(!noReadBack),
            "sentTo": sentTo.map { .string($0) } ?? .null,
            "signed": .bool(!unsigned), "firstURL": .string(jobs.first?.url ?? ""),
          ]))
      } else {
        print(
          "printed \(jobs.count) label\(jobs.count == 1 ? "" : "s") for lot \(reference), "
            + (range.first == range.last
              ? "serial \(range.first)" : "serials \(range.first)–\(range.last)")
            + " (run \(range.printRun ?? "-"))")
        let files = report.files.count
        print(
          "  folder     \(folder) (\(files) file\(files == 1 ? "" : "s"), \(report.bytes / 1024) KiB)"
        )
        print("  label      \(labelTemplate.name) mm at \(dpi) dpi, module \(moduleSize)")
        print("  read-back  \(noReadBack ? "off" : "every label decoded and matched its URL")")
        if let first = jobs.first { print("  first URL  \(first.url)") }
        if let sentTo { print("  sent to    \(sentTo)") }
      }
    }
  }

  /// `--offset X,Y` in millimetres; (0, 0) without it.
  func parsedOffset() throws -> (Double, Double) {
    guard let offset else { return (0, 0) }
    let parts = offset.split(separator: ",", omittingEmptySubsequences: false).map {
      Double($0.trimmingCharacters(in: .whitespaces))
    }
    guard parts.count == 2, let x = parts[0], let y = parts[1], abs(x) <= 50, abs(y) <= 50 else {
      throw CLIError(
        "--offset \"\(offset)\" must be X,Y in millimetres, each from -50 to 50 (e.g. 1.5,-0.8)")
    }
    return (x, y)
  }

  /// `ocop print --calibration`: one A4 page that shows where the printer puts the sheet's
  /// labels, written to --out (default calibration.pdf).
  func writeCalibration() throws {
    let (x, y) = try parsedOffset()
    let layout = try SheetLayout.named(
      sheet ?? "3x8-70x37", label: try template.map { try LabelTemplate.named($0) }
    ).offset(x: x, y: y)
    let path = out ?? "calibration.pdf"
    guard !FileManager.default.fileExists(atPath: path) else {
      throw CLIError("output file \(path) already exists; choose a new name with --out")
    }
    let staging = LabelPrinter.stagingFolder(for: path)
    let offsetText = "\(ModuleSize.format(x)),\(ModuleSize.format(y))"
    do {
      let writer = try PDFWriter(
        path: staging, width: layout.pageWidth, height: layout.pageHeight,
        regularFont: font, boldFont: boldFont, title: "ocop calibration \(layout.name)")
      try writer.drawCalibration(
        layout,
        lines: [
          "Trang hiệu chỉnh: \(layout.name), offset \(offsetText) mm",
          "In ở 100% (Actual size), không co giãn trang.",
          "1. Cạnh hình vuông này phải đo được đúng 100 mm.",
          "2. Vạch thước đầu tiên in ra là lề của máy in.",
          "3. Đặt trang in lên tờ decal: khung phải trùng nhãn.",
          "   Lệch X mm sang phải, Y mm xuống: in lại với",
          "   --offset -X,-Y (cộng với offset hiện tại).",
          "Print at 100%; the square must measure 100 mm.",
        ])
      try writer.finish()
    } catch {
      try? FileManager.default.removeItem(atPath: staging)
      throw error
    }
    guard rename(staging, path) == 0 else {
      try? FileManager.default.removeItem(atPath: staging)
      throw CLIError("output file \(path) cannot be written (\(String(cString: strerror(errno))))")
    }
    print("calibration page for \(layout.name) (offset \(offsetText) mm) written to \(path)")
    print("  print it at 100% (Actual size, no fit-to-page) and lay it on a sheet of labels")
  }

  /// Refuses to draw the labels of an earlier run otherwise than it was recorded: signed,
  /// or unsigned (`--unsigned`).
  func requireSameSigning(as run: SerialRange, store: any TraceStore) async throws {
    guard
      case .allocated(let recorded) = try await store.serialStatus(
        run.lot, serial: String(run.first)),
      let signed = recorded.signed, signed == unsigned
    else { return }
    throw CLIError(
      "print run \"\(run.printRun ?? "")\" of lot \(run.lot) was recorded \(signed ? "signed" : "unsigned (--unsigned)"); draw its labels the same way"
    )
  }

  /// Where the labels of `range` go.
  func folder(for range: SerialRange) -> String {
    folder(named: range.printRun ?? "run", lot: range.lot)
  }

  /// Where the labels of the run `name` go: `--out`, or `labels/LOT-NAME`.
  func folder(named name: String, lot: LotReference) -> String {
    out ?? "labels/" + safeName(lot.lot) + "-" + name
  }

  /// A run of `lot` whose folder was begun and not finished: stopped half-way (its lock
  /// free, and now taken), or still being written by a live process.
  enum Unfinished {
    case stopped(SerialRange, RunLock)
    case busy(folder: String)
  }

  /// The last run of `lot` whose folder was begun and not finished, if any.
  func unfinishedRun(of lot: LotReference, in store: any TraceStore) async throws -> Unfinished? {
    for range in try await store.serialRanges(lot).reversed() where range.printRun != nil {
      let folder = folder(for: range)
      guard !FileManager.default.fileExists(atPath: folder),
        FileManager.default.fileExists(atPath: LabelPrinter.stagingFolder(for: folder))
      else { continue }
      guard let lock = try RunLock.take(folder, waiting: false) else {
        return .busy(folder: folder)
      }
      // Taken: its owner is gone, unless it finished in between.
      if FileManager.default.fileExists(atPath: folder) {
        lock.release()
        continue
      }
      return .stopped(range, lock)
    }
    return nil
  }

  /// One job per serial: its trace URL and the label's text.
  /// The label size that holds `probe`: `chosen`, or the first standard size that does.
  /// The label size that holds `probe`, and the contents it gives on the trace page for
  /// want of room: `chosen`; or the first standard size that shows everything, else the
  /// first that holds the label with contents given on the page.
  func fittingTemplate(
    for probe: PrintJob, chosen: LabelTemplate?, module: ModuleSize, level: ErrorCorrection
  ) throws -> (LabelTemplate, moved: [String]) {
    let renderer = try LabelRenderer(regularFont: font, boldFont: boldFont)
    let symbol = try QRSymbol.encode(probe.url, level: level)
    guard let content = probe.content else { return (chosen ?? .size50x30, []) }
    if let chosen {
      do {
        let layout = try renderer.layout(
          content, symbol: symbol, module: module, template: chosen)
        return (chosen, layout.movedToPage)
      } catch {
        throw CLIError(
          "label \(chosen.name) mm: \(error)"
            + (unsigned
              ? "" : "; a signed link needs a larger code: try --template 60x40, or --unsigned"))
      }
    }
    var last: (any Error)?
    var whole = content
    whole.keepAllOnLabel = true
    let candidates = [LabelTemplate.size50x30, .size60x40, .size100x50]
    for attempt in content.keepAllOnLabel ? [whole] : [whole, content] {
      for candidate in candidates {
        do {
          let layout = try renderer.layout(
            attempt, symbol: symbol, module: module, template: candidate)
          if candidate != .size50x30, layout.movedToPage.isEmpty {
            Output.printError(
              "note: labels are \(candidate.name) mm, the smallest standard size that holds this label (\(last.map { "\($0)" } ?? ""))"
            )
          }
          return (candidate, layout.movedToPage)
        } catch {
          last = error
        }
      }
    }
    throw CLIError("no standard label size holds this label: \(last.map { "\($0)" } ?? "")")
  }

  func makeJobs(
    batch: Batch, product: Product, producer: Producer, serials: ClosedRange<Int64>,
    workspace: Workspace
  ) throws -> [PrintJob] {
    let base = try DigitalLink.Base(workspace.config.resolver)
    let expiry = AIElement(ai: "17", value: batch.request.expiryDate.yymmdd)
    let key = unsigned ? nil : workspace.key
    // Scheme and host in the case that gives the smaller symbol for the longest URL.
    let longest = try DigitalLink(
      base: base, gtin: batch.lot.gtin, lot: batch.lot.lot, serial: String(serials.upperBound),
      attributes: [expiry])
    let casing = try LinkSymbol.smallest(
      for: key.map { try SignedLink.sign(longest, with: $0) } ?? longest
    )
    .uppercasedSchemeAndHost
    // Xuất xứ, as the labelling decree means it: the country where the goods were made
    // (Decree 37/2026/NĐ-CP, Art. 39 and 47; a province is not an origin). The raw-material
    // area is on the trace page.
    let originText = "Việt Nam"
    var jobs: [PrintJob] = []
    jobs.reserveCapacity(serials.count)
    for serial in serials {
      var link = try DigitalLink(
        base: base, gtin: batch.lot.gtin, lot: batch.lot.lot, serial: String(serial),
        attributes: [expiry])
      if let key { link = try SignedLink.sign(link, with: key) }
      var content = LabelContent(
        productName: product.nameVietnamese, ocopStars: batch.rating?.stars, lot: batch.lot.lot,
        productionDate: batch.request.productionDate, expiryDate: batch.request.expiryDate,
        netQuantity: "\(product.netContent.amount) \(product.netContent.unit.symbol)",
        producerName: producer.name, producerAddress: producer.address.line,
        origin: originText, elementString: link.elementString.humanReadable)
      content.trial = batch.lot.gtin.isDemonstration
      content.group = product.group.rawValue
      content.producerRole = product.producerRole.vietnamese
      content.ingredients = product.ingredients
      content.allergens = product.allergens
      content.warnings = product.warnings
      content.storage = product.storage
      content.usage = product.usage
      content.keepAllOnLabel = allOnLabel
      jobs.append(
        PrintJob(
          name: safeName(batch.lot.lot) + "-" + String(serial),
          url: link.withSchemeAndHost(uppercased: casing).uri, content: content))
    }
    return jobs
  }
}

/// A file-name-safe form of a lot code.
func safeName(_ text: String) -> String {
  String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
}

/// A progress line on standard error, when it is a terminal: done, rate and time left.
final class ProgressBar: @unchecked Sendable {
  let total: Int
  let label: String
  let isShown = isatty(2) != 0
  private let start = DispatchTime.now().uptimeNanoseconds
  private let lock = NSLock()
  private var lastDrawn: UInt64 = 0

  init(total: Int, label: String) {
    self.total = total
    self.label = label
  }

  func update(_ done: Int) {
    guard isShown else { return }
    let now = DispatchTime.now().uptimeNanoseconds
    lock.lock()
    defer { lock.unlock() }
    guard now - lastDrawn > 100_000_000 || done == total else { return }
    lastDrawn = now
    let seconds = Double(now - start) / 1e9
    let rate = seconds > 0 ? Double(done) / seconds : 0
    let left = rate > 0 ? Double(total - done) / rate : 0
    let width = 30
    let filled = total > 0 ? width * done / total : width
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    let line = String(
      format: "\r[%@] %d/%d %@  %.0f/s  %.0f s left ", bar, done, total, label, rate, left)
    FileHandle.standardError.write(Data(line.utf8))
  }

  func finish() {
    guard isShown else { return }
    FileHandle.standardError.write(Data("\n".utf8))
  }
}

extension ErrorCorrection: ExpressibleByArgument {
  /// L, M, Q or H, in either case.
  public init?(argument: String) {
    self.init(rawValue: argument.uppercased())
  }
}

extension PrintOptions.Output: ExpressibleByArgument {}

/// A print run's hold on its output folder: an exclusive `flock` on `.NAME.lock` beside
/// the folder, held while the process lives (the kernel lets go when it dies, however it
/// dies), so a folder being written is never taken for a stopped run's.
final class RunLock {
  private let descriptor: Int32
  private let path: String

  private init(descriptor: Int32, path: String) {
    self.descriptor = descriptor
    self.path = path
  }

  /// The lock of `folder`; nil when another live process holds it and `waiting` is false.
  static func take(_ folder: String, waiting: Bool) throws -> RunLock? {
    let (parent, name) = LabelPrinter.split(folder)
    let path = parent + "/." + name + ".lock"
    do {
      try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    } catch {
      throw CLIError("output folder \(folder) cannot be created (\(error.localizedDescription))")
    }
    while true {
      let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
      guard descriptor >= 0 else {
        throw CLIError(
          "output folder \(folder) cannot be locked (\(String(cString: strerror(errno))))")
      }
      if flock(descriptor, LOCK_EX | (waiting ? 0 : LOCK_NB)) != 0 {
        let failure = errno
        close(descriptor)
        if failure == EWOULDBLOCK { return nil }
        if failure == EINTR { continue }
        throw CLIError(
          "output folder \(folder) cannot be locked (\(String(cString: strerror(failure))))")
      }
      // The file may have been removed by its last owner between open and flock: then this
      // lock guards nothing; take the file that is there now.
      var held = stat()
      var current = stat()
      if fstat(descriptor, &held) == 0, stat(path, &current) == 0, held.st_ino == current.st_ino,
        held.st_dev == current.st_dev
      {
        return RunLock(descriptor: descriptor, path: path)
      }
      close(descriptor)
    }
  }

  /// Waits, saying so, until the live run writing into `folder` ends.
  static func waitForRun(into folder: String) throws {
    Output.printError("note: waiting for the print run writing \(folder) to finish")
    try take(folder, waiting: true)?.release()
  }

  /// Removes the lock file and lets go: the run is done.
  func release() {
    unlink(path)
    close(descriptor)
  }
}
