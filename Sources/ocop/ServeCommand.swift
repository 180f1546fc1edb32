import ArgumentParser
import Foundation
import Logging
import Resolver
import TraceStorePostgres
import TraceStoreSQLite
import Traceability

/// `ocop serve`: the resolver a scanned code opens.
struct ServeCommand: AsyncParsableCommand, HelpExamples {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve the store's trace links: a page for people, JSON and linksets for machines.",
    discussion: """
      Answers every GS1 Digital Link the store issued (with or without a path stem):
      a phone-sized page in Vietnamese (English with Accept-Language or ?lang=en), the \
      record as JSON (Accept: application/json), an RFC 9264 linkset (Accept:
      application/linkset+json or ?linkType=linkset), redirects to configured links \
      (?linkType=gs1:pip), /.well-known/gs1resolver and /healthz. Read-only on the store; \
      genuine scans of serialised codes go to a scan log beside it (<store>.scans.sqlite) \
      with the client's network hashed with a secret key (<config>.scan-key, made on first \
      use), never its address, kept 730 days and 10,000,000 scans at most by default. \
      Stops gracefully on SIGTERM. With --tls-cert and --tls-key it serves HTTPS itself \
      (TLS 1.2 or later); otherwise put it behind a proxy that does.

      --links names a JSON file of further links: {"08932301001016": {"gs1:pip":
      "https://…"}, "*": {"gs1:certificationInfo": "https://…"}}. A "gs1:defaultLink" \
      sends people (a page request with no linkType) to that address instead of the \
      resolver's own page; JSON and linkset requests are still answered. Redirects pass on \
      the request's query (but linkType), as GS1's resolver standard asks.
      """)
  static let examples = [
    "ocop serve --store angiang.sqlite --host 127.0.0.1 --port 8080"
  ]

  @OptionGroup var location: StoreOptions
  @Option(help: "Address to listen on.") var host = "127.0.0.1"
  @Option(help: "Port to listen on.") var port = 8080
  @Option(
    help: ArgumentHelp(
      "Serve HTTPS with this PEM certificate chain (the server's certificate first); needs --tls-key.",
      valueName: "file"))
  var tlsCert: String?
  @Option(
    help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "file"))
  var tlsKey: String?
  @Option(help: ArgumentHelp("Further links by GTIN, as JSON.", valueName: "file"))
  var links: String?
  @Flag(help: "Do not record scans.") var noScanLog = false
  @Option(
    help: ArgumentHelp(
      "Whom shoppers tell about a suspected fake, shown on every record's page (default: the config's reportContact).",
      valueName: "text"))
  var reportContact: String?
  @Option(
    help: ArgumentHelp(
      "Where scans are counted: an SQLite file, or a postgres:// database (the primary's, when serving from a standby). Default: <store>.scans.sqlite beside an SQLite store; a database store (which may be a read-only standby) counts none unless this is given.",
      valueName: "location"))
  var scanLog: String?
  @Option(
    help: ArgumentHelp(
      "Days a scan is kept in the scan log (0: no limit).", valueName: "days"))
  var keepScanDays = 730
  @Option(
    help: ArgumentHelp(
      "Scans kept at most in the scan log, the oldest removed first (0: no limit).",
      valueName: "count"))
  var keepScans = 10_000_000
  @Option(
    help: ArgumentHelp(
      "Seconds a connection may stay without a complete request before it is closed.",
      valueName: "seconds"))
  var idleTimeout = 15
  @Option(
    help: ArgumentHelp(
      "Connections open at once; more wait to be accepted. Default: the open-file limit less 64, at most 10000.",
      valueName: "count"))
  var maxConnections: Int?
  @Flag(help: "Write the log as one JSON object a line (for log collectors), on standard error.")
  var json = false

  func validate() throws {
    guard (1...65535).contains(port) else {
      throw ValidationError("--port \(port) must be from 1 to 65535")
    }
    guard (0...36_500).contains(keepScanDays) else {
      throw ValidationError("--keep-scan-days \(keepScanDays) must be from 0 to 36500")
    }
    guard keepScans >= 0 else {
      throw ValidationError("--keep-scans \(keepScans) must be 0 or more")
    }
    guard (1...3600).contains(idleTimeout) else {
      throw ValidationError("--idle-timeout \(idleTimeout) must be from 1 to 3600 seconds")
    }
    if (tlsCert == nil) != (tlsKey == nil) {
      throw ValidationError("--tls-cert and --tls-key are given together")
    }
    if let maxConnections, !(1...1_000_000).contains(maxConnections) {
      throw ValidationError("--max-connections \(maxConnections) must be from 1 to 1000000")
    }
  }

  func run() async throws {
    if json { LoggingSystem.bootstrap { JSONLogHandler(label: $0) } }
    var logger = Logger(label: "ocop.serve")
    logger.logLevel = .info
    let resolver: TraceResolver
    var storeLocation = ""
    var tls: ServerTLS?
    do {
      if let tlsCert, let tlsKey {
        tls = try ServerTLS(certificateFile: tlsCert, keyFile: tlsKey)
      }
      // Everything is read and checked before the store is opened or the scan log made.
      var extra: [String: [String: String]] = [:]
      if let links {
        do {
          extra = try JSONDecoder().decode([String: [String: String]].self, from: readFile(links))
        } catch let error as CLIError {
          throw error
        } catch {
          throw CLIError(
            "\(links) is not a links file ({\"GTIN\": {\"gs1:pip\": \"https://…\"}}): \(JSONProblem.describe(error))"
          )
        }
      }
      let workspace = try await Workspace.open(location, writing: false, serving: true)
      let trustList = try workspace.trustList()
      let scanLogLocation =
        noScanLog ? nil : scanLog ?? workspace.location.sibling(".scans.sqlite")
      var counting: (any ScanLog)?
      if let scanLogLocation {
        if PostgresLocation.isPostgres(scanLogLocation) {
          counting = try await PostgresScanLog.open(PostgresLocation(scanLogLocation))
        } else {
          counting = try SQLiteScanLog(path: scanLogLocation)
        }
      }
      let scanLog = counting
      // Places are hashed with the workspace's secret key, which resolvers sharing a scan
      // log must share; the first resolver makes it.
      var placeKey = ScanPlaceKey.generate()
      if scanLog != nil {
        let keyFile = Workspace.sibling(of: workspace.configFile, ".scan-key")
        let (key, made) = try ScanPlaceKey.loadOrCreate(path: keyFile)
        placeKey = key
        if made {
          logger.notice(
            "made the scan place key \(keyFile); copy it beside the config of every resolver that shares this scan log"
          )
        }
      }
      if scanLogLocation == nil && !noScanLog {
        logger.notice(
          "scans are not counted: a database store has no scan log beside it; name one with --scan-log FILE or --scan-log postgres://…primary…"
        )
      }
      storeLocation = workspace.location.description
      resolver = TraceResolver(
        store: workspace.store, trustList: trustList, scanLog: scanLog, placeKey: placeKey,
        retention: ScanRetention(
          days: keepScanDays == 0 ? nil : keepScanDays, rows: keepScans == 0 ? nil : keepScans),
        settings: ResolverSettings(
          base: workspace.config.resolver, links: extra, trial: workspace.config.trial == true,
          reportContact: reportContact ?? workspace.config.reportContact))
    } catch {
      Output.printError("\(error)")
      throw ExitCode(1)
    }
    logger.info(
      "serving",
      metadata: [
        "store": .string(storeLocation),
        "address": .string("\(tls == nil ? "http" : "https")://\(host):\(port)"),
      ])
    let limits = ServerLimits(
      idleSeconds: idleTimeout, connections: maxConnections ?? ServerLimits.defaultConnections)
    try await resolver.application(
      host: host, port: port, limits: limits, tls: tls, logger: logger
    )
    .runService()
  }
}

/// A log handler that writes each entry as one JSON object on a line of standard error:
/// `{"label":"ocop.serve","level":"info","message":"serving","metadata":{…},"time":"…"}`.
struct JSONLogHandler: LogHandler {
  let label: String
  var logLevel: Logger.Level = .info
  var metadata: Logger.Metadata = [:]

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var fields = CanonicalMembers()
    for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
      fields.insert(key, .string("\(value)"))
    }
    let line = CanonicalJSON.object([
      "time": .string(Timestamp.now().text), "level": .string(event.level.rawValue),
      "label": .string(label), "message": .string("\(event.message)"),
      "source": .string(event.source), "metadata": .object(fields),
    ])
    FileHandle.standardError.write(Data(line.encoded() + [0x0A]))
  }
}
