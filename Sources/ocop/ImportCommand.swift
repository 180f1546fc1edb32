import ArgumentParser
import Exchange
import Foundation
import Traceability

/// `ocop import`: producers, products, ratings, batches and production stages from CSV
/// files.
struct ImportCommand: AsyncParsableCommand, HelpExamples {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Import producers, products, OCOP ratings, batches or production stages from CSV.",
    discussion: """
      KIND is producers, products, ratings, batches or stages; `all` takes a folder holding \
      producers.csv, products.csv, ratings.csv, batches.csv and stages.csv (those present) \
      and imports them in that order. A product's photo column names a JPEG or PNG file \
      (at most 512 KiB) relative to the CSV file; its SHA-256 goes into the signed record \
      and the file into the store. Files are UTF-8 CSV, with or without the byte order mark a \
      spreadsheet writes; header names in English or Vietnamese (with or without \
      diacritics): tax_code or "Mã số thuế", production_date or "Ngày sản xuất"… \
      Dates as 2026-11-02 or 02/11/2026; input lots as GTIN/LOT joined with |.

      Every row is checked first, then everything is stored in one transaction: one bad row \
      and nothing is stored. Errors name the file, line, column and problem.

      `bundle` takes in another store's signed log (a producer's `ocop export bundle`): \
      every event is checked against this workspace's trust list (signature, validity, and \
      the company prefixes and roles of its issuer's entry) and kept with its own \
      signature. Events held already are skipped, so importing the same bundle again adds \
      nothing and a later one adds only what is new; an event that differs from the one \
      held, or one bad event, and nothing from the bundle is stored.
      """)
  static let examples = [
    "ocop import producers producers.csv",
    "ocop import all Fixtures/an-giang",
    "ocop import bundle htx-tri-ton-bundle.json",
  ]

  /// One kind of record, or every kind from a folder.
  enum Kind: ExpressibleByArgument, Equatable {
    case one(ImportKind)
    case all
    case bundle

    init?(argument: String) {
      if argument == "all" {
        self = .all
      } else if argument == "bundle" {
        self = .bundle
      } else if let kind = ImportKind(rawValue: argument) {
        self = .one(kind)
      } else {
        return nil
      }
    }

    static var allValueStrings: [String] {
      ImportKind.allCases.map(\.rawValue) + ["all", "bundle"]
    }
  }

  @Argument(help: "producers, products, ratings, batches, stages, all or bundle.")
  var kind: Kind
  @Argument(
    help: ArgumentHelp(
      "The CSV file (a folder for `all`, a bundle file for `bundle`).", valueName: "path"))
  var path: String
  @OptionGroup var location: StoreOptions
  @OptionGroup var output: OutputOptions

  func run() async throws {
    if kind == .bundle { return try await importBundle() }
    if case .one(let single) = kind { return try await importStreamed(single) }
    // `import all`: the folder's files, read whole, applied in one transaction.
    try await runReporting {
      var plans: [ImportPlan] = []
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder),
        isFolder.boolValue
      else { throw CLIError("\(path) is not a folder (`import all` takes a folder)") }
      for kind in ImportKind.allCases {
        let file = (path as NSString).appendingPathComponent("\(kind.rawValue).csv")
        if FileManager.default.fileExists(atPath: file) {
          plans.append(try ImportPlan(CSVTable(path: file), kind: kind))
        }
      }
      guard !plans.isEmpty else {
        throw CLIError(
          "\(path) holds none of producers.csv, products.csv, ratings.csv, batches.csv, stages.csv"
        )
      }
      let workspace = try await Workspace.open(location, writing: true)
      let commands = plans.flatMap(\.commands)
      do {
        _ = try await workspace.store.apply(commands)
      } catch let error as TraceError {
        // Place the refusal on its file and row.
        var index = error.commandIndex ?? 0
        for plan in plans {
          if index < plan.commands.count {
            let located =
              error.commandIndex == nil && commands.count > 1
              ? ImportError(file: plan.file, problem: error.description)
              : plan.locate(.command(index: index, error: error.underlying))
            throw located
          }
          index -= plan.commands.count
        }
        throw error
      }
      for plan in plans {
        if output.json {
          Output.printJSON([
            "file": plan.file, "kind": plan.kind.rawValue, "rows": "\(plan.rows)",
          ])
        } else {
          print("imported \(plan.rows) \(plan.kind.rawValue) from \(plan.file)")
        }
      }
    }
  }

  /// One CSV file, read and applied a thousand rows at a time in one transaction: all of it
  /// or nothing, with memory that does not grow with the file's rows.
  private func importStreamed(_ single: ImportKind) async throws {
    try await runReporting {
      let stream = try CSVStream(path: path)
      let planner = try ImportPlanner(header: stream.header, kind: single, file: path)
      let workspace = try await Workspace.open(location, writing: true)
      let rows = RowPieces(stream: stream, planner: planner)
      do {
        _ = try await workspace.store.apply(inPieces: { try rows.next() })
      } catch {
        rows.settle()
        // A row's own problem, or a command refused, placed on its row.
        if let failure = rows.failure { throw failure }
        if let refused = error as? TraceError {
          if let line = rows.line(of: refused) {
            throw planner.locate(refused.underlying, line: line)
          }
          throw ImportError(file: path, problem: refused.description)
        }
        throw error
      }
      if output.json {
        Output.printJSON(["file": path, "kind": single.rawValue, "rows": "\(rows.rows)"])
      } else {
        print("imported \(rows.rows) \(single.rawValue) from \(path)")
      }
    }
  }

  /// `import bundle`: another store's log, taken in.
  private func importBundle() async throws {
    try await runReporting {
      // A whole bundle in ocop's layout is read as a stream and taken in a piece at a time;
      // anything else (an update, another layout, anything wrong) is read whole, and judged
      // and named as ever.
      let streamed = BundleImportStream(path: path)
      // Read whole before the store is opened, as ever, when it is not in ocop's layout.
      let whole = streamed == nil ? try TraceBundle.events(path: path) : nil
      let workspace = try await Workspace.open(location, writing: true)
      let trustList = try workspace.trustList()
      var report: LogImportReport?
      var exportedAt: Timestamp?
      if let streamed,
        let taken = try? await workspace.store.importLog(
          inPieces: { try streamed.next() }, trustList: trustList)
      {
        report = taken
        exportedAt = streamed.exportedAt
      }
      if report == nil {
        let (events, exported, base) = try whole ?? TraceBundle.events(path: path)
        exportedAt = exported
        do {
          report = try await workspace.store.importLog(events, trustList: trustList, after: base)
        } catch let error as TraceError {
          throw TraceError.malformed(
            what: "bundle \(path)", reason: "nothing was imported: \(error.description)")
        }
      }
      guard let report else { return }
      for log in report.logs {
        let issuer = trustList.issuers[log.kid].map { "\($0.name) (\(log.kid))" } ?? log.kid
        if output.json {
          printRecord(
            .object([
              "log": .string(log.log), "issuer": .string(log.kid),
              "added": .integer(Int64(log.added)),
              "alreadyHeld": .integer(Int64(log.alreadyHeld)), "head": .integer(log.head),
            ]))
        } else {
          print(
            "log \(log.log.prefix(16))…  \(issuer): \(log.added) event\(log.added == 1 ? "" : "s") added, \(log.alreadyHeld) held already, now up to its event \(log.head)"
          )
        }
      }
      if !output.json {
        let age = exportedAt.map { ", exported \(Age.since($0))" } ?? ""
        print(
          "imported \(report.eventsAdded) event\(report.eventsAdded == 1 ? "" : "s") from \(path)\(age)"
        )
      }
    }
  }
}

/// The rows of one CSV file as pieces of commands, for ``TraceStore/apply(inPieces:)``: a
/// thousand rows at a time, each checked; the line of each command, to place a refusal.
/// The next piece is read and checked on another thread while the store applies this one.
private final class RowPieces: @unchecked Sendable {
  private var stream: CSVStream
  private var planner: ImportPlanner
  /// The line each command handed out came from.
  private var lines: [Int] = []
  /// How many rows gave commands.
  private(set) var rows = 0
  /// A row's own problem, which stopped the import.
  private(set) var failure: ImportError?
  private var started = false
  /// The piece being made on another thread, and its signal.
  private var ahead: Result<(commands: [TraceCommand], lines: [Int]), ImportError>?
  private let made = DispatchSemaphore(value: 0)
  private var making = false

  init(stream: CSVStream, planner: ImportPlanner) {
    self.stream = stream
    self.planner = planner
  }

  /// Reads and checks the next thousand rows.
  private func make() -> Result<(commands: [TraceCommand], lines: [Int]), ImportError> {
    var piece: [TraceCommand] = []
    var pieceLines: [Int] = []
    do throws(ImportError) {
      while piece.count < 1000, let record = try stream.next() {
        let commands = try planner.commands(for: record)
        piece += commands
        pieceLines += Array(repeating: record.line, count: commands.count)
      }
    } catch {
      return .failure(error)
    }
    return .success((piece, pieceLines))
  }

  /// The next piece; nil after the last row.
  func next() throws -> [TraceCommand]? {
    let result: Result<(commands: [TraceCommand], lines: [Int]), ImportError>
    if making {
      made.wait()
      making = false
      result = ahead!
      ahead = nil
    } else {
      result = make()
    }
    switch result {
    case .failure(let error):
      failure = error
      throw error
    case .success(let piece):
      if !started, piece.commands.isEmpty {
        let error = ImportError(file: stream.file, problem: "has a header but no rows")
        failure = error
        throw error
      }
      started = true
      guard !piece.commands.isEmpty else { return nil }
      lines += piece.lines
      rows += Set(piece.lines).count
      // The next piece is made while this one is applied.
      making = true
      DispatchQueue.global().async { [self] in
        ahead = make()
        made.signal()
      }
      return piece.commands
    }
  }

  /// Waits for a piece still being made (when the store stopped early).
  func settle() {
    if making {
      made.wait()
      making = false
    }
  }

  /// The line of the command `error` refuses (the only one, for a file of one row).
  func line(of error: TraceError) -> Int? {
    guard let index = error.commandIndex ?? (lines.count == 1 ? 0 : nil), index < lines.count
    else { return nil }
    return lines[index]
  }
}

/// A bundle's events read as a stream for `import bundle`, and when it says it was
/// exported, read (with its format) before the import commits.
private final class BundleImportStream: @unchecked Sendable {
  private let descriptor: Int32
  private let pieces: BundleEventPieces
  private(set) var exportedAt: Timestamp?

  /// Nil when the file cannot be opened or does not begin as ocop writes a whole bundle.
  init?(path: String) {
    descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    guard let pieces = try? BundleEventPieces(descriptor: descriptor) else {
      close(descriptor)
      return nil
    }
    self.pieces = pieces
  }

  deinit { close(descriptor) }

  /// The next piece; after the last, the members after the events are read and checked.
  func next() throws -> [Event]? {
    if let events = try pieces.next() { return events }
    let members = try pieces.members()
    exportedAt = (members["exportedAt"] as? String).flatMap { try? Timestamp($0) }
    return nil
  }
}
