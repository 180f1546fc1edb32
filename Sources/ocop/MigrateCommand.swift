import ArgumentParser
import Foundation
import Traceability

/// `ocop migrate`: a store's whole signed log, copied to another backend.
struct MigrateCommand: AsyncParsableCommand, HelpExamples {
  static let configuration = CommandConfiguration(
    commandName: "migrate",
    abstract: "Copy a store's signed log and records to a new store (SQLite ⇄ PostgreSQL).",
    discussion: """
      Moving up from an office's SQLite file to a province's PostgreSQL database, or back \
      for an office leaving a central service. The source is audited first; then every \
      event is copied with its original signature, the records are derived again from \
      them, and the copy is audited (every signature, hash and record) before it is \
      committed, in one transaction: a failed migration leaves the target as it was. The \
      target must be new: a file that does not exist, or a database that holds no events. \
      Signatures are checked against the source workspace's trust list (--config, or the \
      file beside an SQLite source), or --trust FILE. The workspace files (config, key, \
      trust list) are not copied: use them with --store TARGET, or name the target in the \
      config.
      """)
  static let examples = [
    "ocop migrate --from angiang.sqlite --to postgres://ocop@db.angiang.example:5432/ocop",
    "ocop migrate --from postgres://ocop@db.angiang.example:5432/ocop --to angiang-copy.sqlite --config /srv/ocop/ocop.json",
  ]

  @Option(help: ArgumentHelp("The store to copy.", valueName: "location"))
  var from: String
  @Option(
    help: ArgumentHelp(
      "The new store: a file path or a postgres:// address.", valueName: "location"))
  var to: String
  @Option(
    help: ArgumentHelp(
      "The source's workspace settings. Default: $OCOP_CONFIG, else the file beside an SQLite source.",
      valueName: "file"))
  var config: String?
  @Option(
    help: ArgumentHelp("Check signatures against this trust list instead.", valueName: "file"))
  var trust: String?
  @OptionGroup var output: OutputOptions

  func run() async throws {
    try await runReporting {
      var options = StoreOptions()
      options.store = from
      options.config = config
      let sourceLocation = try WorkspacePaths.resolve(options).location
      let target = try StoreLocation(to)
      if sourceLocation == target {
        throw CLIError("migrate: --from and --to name the same store (\(target))")
      }
      if try await target.exists() {
        throw CLIError(
          "store \(target) already exists; migrate copies only into a new store (a file that does not exist, or a database without a trace store)"
        )
      }
      let source = try await Workspace.open(options, writing: false)
      let trustList = try trust.map { try TrustList(path: $0) } ?? source.trustList()
      let checked = try await source.store.audit(trustList: trustList)
      if let failure = checked.failure {
        throw CLIError(
          "store \(source.location) fails its audit, so nothing was copied: \(failure)")
      }
      let report: AuditReport
      do {
        let copy = try await target.openBackend(create: true)
        report = try await copy.copyLog(from: source.store, trustList: trustList)
      } catch {
        await target.removeCreated()
        throw error
      }
      if output.json {
        Output.printJSON([
          "from": source.location.description, "to": target.description,
          "events": String(report.eventsChecked), "head": report.headHash,
        ])
      } else {
        print("copied \(report.eventsChecked) events from \(source.location) to \(target)")
        print("  audit of the copy passed: every signature, hash and record re-checked")
        print("  head  event \(report.headSequence), hash \(report.headHash)")
      }
    }
  }
}
