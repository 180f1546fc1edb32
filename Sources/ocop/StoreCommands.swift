import ArgumentParser
import Exchange
import Foundation
import GS1
import Traceability

// MARK: - trace

struct TraceLotCommand: AsyncParsableCommand, HelpExamples {
  static let configuration = CommandConfiguration(
    commandName: "trace",
    abstract: "A lot's genealogy: what it was made from (backward) or what was made from it.",
    discussion: """
      Backward (the default) shows the lot's input lots, transitively, with their producers \
      and origins: one step back, and the steps before it. --forward shows every lot made \
      from it, transitively, and where they were shipped.
      """)
  static let examples = [
    "ocop trace 8934462001010/BBTN-2610-01"
  ]
  @Argument(help: "GTIN/LOT.") var lot: String
  @Flag(help: "Trace forward: the lots made from this one.") var forward = false
  @OptionGroup var location: StoreOptions
  @OptionGroup var output: OutputOptions

  func run() async throws {
    try await runReporting {
      let reference = try parseLot(lot)
      let workspace = try await Workspace.open(location, writing: false)
      let tree =
        forward
        ? try await workspace.store.traceForward(reference)
        : try await workspace.store.traceBackward(reference)
      if output.json {
        printRecord(json(tree))
        return
      }
      print(forward ? "made from \(reference), forward:" : "\(reference), backward to its inputs:")
      show(tree, depth: 0)
    }
  }

  func show(_ node: TraceNode, depth: Int) {
    let indent = String(repeating: "    ", count: depth) + (depth == 0 ? "" : "└─ ")
    let request = node.batch.request
    let recall =
      node.recall.map {
        $0.inForce
          ? "  RECALLED: \($0.reason)"
          : "  recall withdrawn (\($0.reason); \($0.withdrawal?.reason ?? ""))"
      } ?? ""
    print("\(indent)\(node.batch.lot)  \(node.product.nameVietnamese)\(recall)")
    let pad = String(repeating: "    ", count: depth) + (depth == 0 ? "" : "   ")
    print("\(pad)   NSX \(request.productionDate.dayMonthYear), \(node.producer.name)")
    print("\(pad)   origin \(request.origin.areaName), \(request.origin.address.locality)")
    for child in node.children { show(child, depth: depth + 1) }
  }

  func json(_ node: TraceNode) -> CanonicalJSON {
    .object([
      "batch": node.batch.json, "product": .string(node.product.nameVietnamese),
      "producer": node.producer.json,
      "recalled": node.recall.flatMap { $0.inForce ? .string($0.reason) : nil } ?? .null,
      "recallWithdrawn": node.recall.flatMap { recall in
        recall.withdrawal.map {
          .object(["recall": .string(recall.reason), "withdrawal": .string($0.reason)])
        }
      } ?? .null,
      "next": .array(node.children.map(json)),
    ])
  }
}

// MARK: - recall

struct RecallCommand: AsyncParsableCommand, HelpExamples {
  static let configuration = CommandConfiguration(
    commandName: "recall",
    abstract: "Recall a lot, and show what the recall reaches downstream; or lift a recall.",
    discussion: """
      Records a signed recall event. Every lot made from the recalled lot, transitively, \
      is reached by it: `verify` reports their codes as recalled too. With --withdraw, \
      records a signed withdrawal of the lot's recall (the lot was found sound): its codes \
      are valid again, and verify and the resolver show the recall and its withdrawal \
      side by side. A lot is recalled once; a withdrawn recall is not made again.
      """)
  static let examples = [
    #"ocop recall 8935481001012/NTN-2610-03 --reason "Nhiễm khuẩn E. coli vượt ngưỡng""#,
    #"ocop recall --withdraw 8935481001012/NTN-2610-03 --reason "Kết quả kiểm nghiệm lại đạt""#,
  ]
  @Argument(help: "GTIN/LOT.") var lot: String
  @Option(help: "Why the lot is recalled (with --withdraw: why the recall is lifted).")
  var reason: String
  @Flag(help: "Lift the lot's recall instead of recalling it.") var withdraw = false
  @OptionGroup var location: StoreOptions
  @OptionGroup var output: OutputOptions

  func run() async throws {
    try await runReporting {
      let reference = try parseLot(lot)
      let workspace = try await Workspace.open(location, writing: true)
      if withdraw {
        let recall = try await workspace.store.withdrawRecall(reference, reason: reason)
        let withdrawal = recall.withdrawal
        Statement(json: output.json).say(
          "withdrew the recall of lot \(reference) (recalled \(recall.recordedAt.day): \(recall.reason)): \(withdrawal?.reason ?? "")",
          [
            "lot": reference.json, "recall": .string(recall.reason),
            "recalledAt": .string(recall.recordedAt.text),
            "withdrawal": .string(withdrawal?.reason ?? ""),
            "withdrawnAt": .string(withdrawal?.recordedAt.text ?? ""),
          ])
        return
      }
      let recall = try await workspace.store.recall(reference, reason: reason)
      if output.json {
        printRecord(
          .object([
            "lot": reference.json, "reason": .string(recall.reason),
            "recordedAt": .string(recall.recordedAt.text),
            "downstream": .array(recall.downstream.map(\.json)),
            "shipments": .array(
              recall.shipments.map {
                .object([
                  "lot": $0.lot.json, "party": .string($0.party), "date": .string($0.date.iso),
                ])
              }),
          ]))
        return
      }
      print("recalled lot \(reference): \(recall.reason)")
      if recall.downstream.isEmpty {
        print("  no lot was made from it")
      } else {
        let count = recall.downstream.count
        print("  reaches \(count) lot\(count == 1 ? "" : "s") made from it:")
        for lot in recall.downstream { print("    \(lot)") }
      }
      for shipment in recall.shipments {
        print("  shipped: \(shipment.lot) to \(shipment.party) on \(shipment.date.dayMonthYear)")
      }
    }
  }
}

// MARK: - audit

struct AuditCommand: AsyncParsableCommand, HelpExamples {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: "Re-check the whole store: hash chain, every signature, every derived record.",
    discussion: """
      Names the first event or record that fails. Checks signatures against the store's \
      trust list, or --trust FILE. The whole log is checked by default. \
      --checkpoint FILE writes, after an audit that passes, a checkpoint of the head it \
      reached, signed with the store's key; --since FILE then checks only what follows \
      that checkpoint: its event still there with its hash, every event after it, and the \
      derived rows those events made. What came before, and the database's physical check, \
      are the whole audit's: run one now and then.
      """)
  static let examples = [
    "ocop audit",
    "ocop audit --checkpoint audit.checkpoint",
    "ocop audit --since audit.checkpoint --checkpoint audit.checkpoint",
  ]
  @Option(help: ArgumentHelp("Check against this trust list instead.", valueName: "file"))
  var trust: String?
  @Option(
    help: ArgumentHelp(
      "Check only what follows this signed checkpoint (written by an earlier --checkpoint).",
      valueName: "file"))
  var since: String?
  @Option(
    help: ArgumentHelp(
      "After an audit that passes, write the head it reached to this file, signed with the store's key (a file there is replaced).",
      valueName: "file"))
  var checkpoint: String?
  @OptionGroup var location: StoreOptions
  @OptionGroup var output: OutputOptions

  func run() async throws {
    var failed = false
    try await runReporting {
      let workspace = try await Workspace.open(location, writing: false)
      let trustList = try trust.map { try TrustList(path: $0) } ?? workspace.trustList()
      // The key that signs the checkpoint is loaded before the audit, so a missing key is
      // found before the work.
      let signer = try checkpoint.map { _ in
        try IssuerKey.load(
          from: Workspace.relative(workspace.config.key, to: workspace.configFile))
      }
      if let checkpoint { try AuditCommand.checkWritable(checkpoint) }
      let from = try since.map { try SignedCheckpoint(path: $0, trustList: trustList) }
      let report =
        if let from {
          try await workspace.store.audit(trustList: trustList, since: from.checkpoint)
        } else {
          try await workspace.store.audit(trustList: trustList)
        }
      failed = !report.passed
      var written: String?
      if let checkpoint, let signer, let reached = report.checkpoint {
        let signed = try SignedCheckpoint(reached, from: report.since, signedBy: signer)
        try NewFile.replace(signed.encoded, at: checkpoint, mode: 0o644)
        written = checkpoint
      }
      let scope =
        from.map {
          " after the checkpoint at event \($0.checkpoint.sequence) (audited \($0.auditedAt.day))"
        } ?? ""
      if output.json {
        printRecord(
          .object([
            "passed": .bool(report.passed), "events": .integer(report.eventsChecked),
            "since": .integer(report.since),
            "head": .object([
              "seq": .integer(report.headSequence), "hash": .string(report.headHash),
            ]),
            "failure": report.failure.map { .string($0.description) } ?? .null,
            "checkpoint": written.map(CanonicalJSON.string) ?? .null,
          ]))
      } else if let failure = report.failure {
        print("audit FAILED after \(report.eventsChecked) good events\(scope): \(failure)")
      } else {
        let events = "\(report.eventsChecked) event\(report.eventsChecked == 1 ? "" : "s")"
        print("audit passed: \(events)\(scope), chain and signatures intact")
        print("  head  event \(report.headSequence), hash \(report.headHash)")
        if let written { print("  checkpoint written to \(written)") }
      }
    }
    if failed { throw ExitCode(1) }
  }

  /// Refuses a checkpoint path whose folder is missing or that names a folder, before the
  /// audit runs.
  static func checkWritable(_ path: String) throws {
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
      throw CLIError("checkpoint \(path) is a folder; name a file")
    }
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue
    else { throw CLIError("checkpoint \(path): its folder \(folder) does not exist") }
  }
}

extension ExportCommand {
  /// The head `--since` names: `N`, `N:HASH`, or a bundle or update file.
  static func head(_ text: String) throws -> TraceBundle.Since {
    let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
    if let sequence = Int64(parts[0]), parts[0].allSatisfy(\.isASCII) {
      guard sequence >= 1 else {
        throw CLIError("--since \(text): an update follows event 1 or later")
      }
      if parts.count == 1 { return .init(sequence: sequence) }
      let hash = parts[1]
      guard hash.count >= 8, hash.count <= 64, hash.allSatisfy(\.isHexDigit) else {
        throw CLIError("--since \(text): the hash after the colon must be 8 to 64 hex digits")
      }
      return .init(sequence: sequence, hash: hash)
    }
    guard FileManager.default.fileExists(atPath: text) else {
      throw CLIError(
        "--since \(text) is not an event's place (N or N:HASH) nor a bundle file that exists")
    }
    guard let head = TraceBundle.head(ofFile: text) else {
      throw CLIError("--since \(text): the file names no head (is it an ocop-trace bundle?)")
    }
    return head
  }
}

/// Writes `data` to a new file, whole or not at all (``NewFile``); nothing that exists is
/// overwritten.
func writeNew(_ data: some ContiguousBytes, to path: String) throws {
  try NewFile.write(data, to: path)
}

// MARK: - export

struct ExportCommand: AsyncParsableCommand, HelpExamples {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export the records: a signed bundle, CSV, or EPCIS 2.0 JSON-LD.",
    discussion: """
      bundle: the whole signed event log, the records and the issuer's trust-list entry, \
      for offline checks (`ocop verify --bundle … --trust …`). With --since, an update: \
      only the events after a head the reader holds (a place, a place and hash as \
      `N:HASH`, or the last bundle or update they were sent), for `verify --bundle` and \
      `import bundle` to apply on top of it. \
      csv: producers, products, ratings and batches as CSV files in a new folder, in the \
      import format (cells a spreadsheet would run as formulas are neutralised). \
      epcis: an EPCIS 2.0 document (JSON-LD) of every event: commissioning, transformation, \
      shipping, receiving, recall.
      """)
  static let examples = [
    "ocop export bundle --out angiang-bundle.json",
    "ocop export bundle --since angiang-bundle.json --out angiang-update.json",
    "ocop export csv --out export/",
    "ocop export epcis --out angiang.epcis.jsonld",
  ]
  /// What `ocop export` writes.
  enum Kind: String, ExpressibleByArgument, CaseIterable {
    case bundle, csv, epcis
  }

  @Argument(help: "bundle, csv or epcis.") var kind: Kind
  @Option(help: ArgumentHelp("The new file (a new folder for csv).", valueName: "path")) var out:
    String
  @Option(
    help: ArgumentHelp(
      "For bundle: write an update of the events after this head: N, N:HASH (its hash or the start of it), or a bundle or update file whose head the reader holds.",
      valueName: "head"))
  var since: String?
  @OptionGroup var location: StoreOptions
  @OptionGroup var output: OutputOptions

  func run() async throws {
    try await runReporting {
      if since != nil, kind != .bundle { throw CLIError("--since goes with export bundle") }
      let from = try since.map(Self.head)
      let workspace = try await Workspace.open(location, writing: true)
      guard let key = workspace.key else { throw CLIError("no issuer key") }
      let issuer =
        try workspace.trustList().issuers[key.kid]
        ?? key.trustedIssuer(validFrom: Timestamp.now())
      // Refused before the records are read, and again when the file takes its name.
      try NewFile.refuseExisting(out)
      switch kind {
      case .bundle:
        // Written as it is read, a megabyte at a time, into a file that takes its name whole.
        let trustList = try workspace.trustList()
        var written: (head: Int64, events: Int64) = (0, 0)
        let size = try await NewFile.stream(to: out) { descriptor in
          written = try await TraceBundle.export(
            workspace.store, issuer: issuer, trustList: trustList, since: from,
            to: descriptor, path: out)
        }
        let what =
          from.map {
            "update \(out) (\(size / 1024) KiB): \(written.events) event\(written.events == 1 ? "" : "s") after event \($0.sequence), up to event \(written.head)"
          } ?? "bundle \(out) (\(size / 1024) KiB)"
        Statement(json: output.json).say(
          "wrote \(what), issuer \(issuer.kid)",
          [
            "kind": .string(from == nil ? "bundle" : "update"), "out": .string(out),
            "bytes": .integer(Int64(size)), "issuer": .string(issuer.kid),
            "since": from.map { .integer($0.sequence) } ?? .null,
            "head": .integer(written.head), "events": .integer(written.events),
          ])
      case .csv:
        let files = try await CSVExport.write(workspace.store, to: out)
        Statement(json: output.json).say(
          "wrote \(files.joined(separator: ", ")) to \(out)",
          [
            "kind": .string("csv"), "out": .string(out),
            "files": .array(files.map(CanonicalJSON.string)),
          ])
      case .epcis:
        // Written as it is read, an event at a time, into a file that takes its name whole.
        _ = try await NewFile.stream(to: out) { descriptor in
          try await EPCISExport.write(
            workspace.store, resolver: workspace.config.resolver, to: descriptor, path: out)
        }
        Statement(json: output.json).say(
          "wrote EPCIS 2.0 document \(out)", ["kind": .string("epcis"), "out": .string(out)])
      }
    }
  }
}
