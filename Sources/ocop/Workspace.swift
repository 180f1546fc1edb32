import ArgumentParser
import Exchange
import Foundation
import GS1
import TraceStorePostgres
import TraceStoreSQLite
import Traceability

/// Where the store and the workspace settings are: `--store` (then `OCOP_STORE`) and
/// `--config` (then `OCOP_CONFIG`).
struct StoreOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The store: an SQLite file, or postgres://USER@HOST:PORT/DATABASE (password from $PGPASSWORD). Default: $OCOP_STORE, else the config's store, else ./ocop.sqlite.",
      valueName: "location"))
  var store: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The workspace settings (JSON). Default: $OCOP_CONFIG, else the file beside an SQLite store (NAME.json).",
      valueName: "file"))
  var config: String?

  /// The store's location as given on the command line or in the environment, if it was.
  var givenStore: String? {
    store ?? ProcessInfo.processInfo.environment["OCOP_STORE"]
  }

  /// The config file as given on the command line or in the environment, if it was.
  var givenConfig: String? {
    config ?? ProcessInfo.processInfo.environment["OCOP_CONFIG"]
  }
}

/// Where a store lives, and so which backend opens it.
enum StoreLocation: Equatable, CustomStringConvertible {
  /// An SQLite file: the embedded store.
  case sqlite(path: String)
  /// A PostgreSQL database: the server store.
  case postgres(PostgresLocation)

  /// The location `text` names: a `postgres://` or `postgresql://` URL, or a file path.
  init(_ text: String) throws {
    if PostgresLocation.isPostgres(text) {
      do {
        self = .postgres(try PostgresLocation(text))
      } catch {
        throw CLIError("\(error)")
      }
      return
    }
    if text.contains("://") {
      throw CLIError(
        "store \(PostgresLocation.redacted(text)): unknown kind of location; give an SQLite file path or a postgres://USER@HOST:PORT/DATABASE address"
      )
    }
    guard !text.isEmpty else { throw CLIError("store: the location is empty") }
    self = .sqlite(path: text)
  }

  /// The location as messages show it (never with a password).
  var description: String {
    switch self {
    case .sqlite(let path): path
    case .postgres(let location): location.description
    }
  }

  /// The file beside an SQLite store `name.sqlite` with `suffix`: `name.json`, `name.key`…;
  /// nil for a database, which has nothing beside it.
  func sibling(_ suffix: String) -> String? {
    switch self {
    case .sqlite(let path): Workspace.sibling(of: path, suffix)
    case .postgres: nil
    }
  }

  /// Whether the store exists: the file, or the schema in the database.
  func exists() async throws -> Bool {
    switch self {
    case .sqlite(let path): return FileManager.default.fileExists(atPath: path)
    case .postgres(let location): return try await PostgresTraceStore.holdsStore(location)
    }
  }

  /// Opens the store; `signer` signs what it writes; `serving` opens it read-only for many
  /// readers at once.
  func open(signer: IssuerKey?, serving: Bool = false) async throws -> any TraceStore {
    switch self {
    case .sqlite(let path):
      return try SQLiteTraceStore(
        path: path, signer: signer, readers: serving ? .concurrent : .single)
    case .postgres(let location):
      return try await PostgresTraceStore.open(
        location, signer: signer, connections: serving ? 8 : 1)
    }
  }

  /// Creates the store, empty.
  func create(signer: IssuerKey) async throws {
    switch self {
    case .sqlite(let path): _ = try SQLiteTraceStore(path: path, signer: signer, create: true)
    case .postgres(let location):
      let store = try await PostgresTraceStore.open(location, signer: signer, create: true)
      store.close()
    }
  }

  /// Opens the store as a backend that can take in a whole log; with `create`, makes it
  /// first (a new SQLite file, or the schema in an empty database).
  func openBackend(create: Bool) async throws -> any TraceStoreBackend {
    switch self {
    case .sqlite(let path):
      return try SQLiteTraceStore(path: path, signer: nil, create: create)
    case .postgres(let location):
      return try await PostgresTraceStore.open(location, signer: nil, create: create)
    }
  }

  /// Removes what a failed `create` left: the new file, or the schema of a store that holds
  /// no events.
  func removeCreated() async {
    switch self {
    case .sqlite(let path):
      for file in [path, path + "-wal", path + "-shm"] {
        try? FileManager.default.removeItem(atPath: file)
      }
    case .postgres(let location):
      try? await PostgresTraceStore.removeEmptyStore(location)
    }
  }
}

/// The workspace settings, in a JSON file: the resolver's base URL, the GS1 company
/// prefix products are numbered under, the issuer key file and, optionally, the store's
/// location and the trust list. `ocop init` writes it beside an SQLite store
/// (`NAME.json`), or where `--config` says. Relative paths are from the file's folder.
struct WorkspaceConfig: Codable, Equatable {
  /// The base URL of trace links: `https://truyxuat.example`.
  var resolver: String
  /// The GS1 company prefix (7 to 10 digits, 893… in Vietnam).
  var companyPrefix: String
  /// The issuer key file.
  var key: String
  /// The store's location (a file path); absent in a config that sits beside its store.
  var store: String?
  /// The trust list file; absent means `NAME.trust.json` beside the config `NAME.json`.
  var trustList: String?
  /// A trial workspace (`ocop init --trial`): GS1's demonstration prefix and a resolver
  /// address kept for examples; absent in a real one.
  var trial: Bool?
  /// Whom shoppers tell about a suspected fake: the resolver's pages show it (`ocop init
  /// --report-contact`, or written into the file).
  var reportContact: String?
}

/// Where every part of a workspace is, resolved from the options, the environment and the
/// config, before anything is opened.
struct WorkspacePaths {
  let location: StoreLocation
  /// The config file.
  let configFile: String
  /// Whether the config file was named (by `--config` or `OCOP_CONFIG`) rather than found
  /// beside the store.
  let configNamed: Bool
  /// The named config's bytes, when they were read to find the store.
  var configData: Data? = nil

  /// The store named by `--store`/`OCOP_STORE`, or else `./ocop.sqlite`; the config named
  /// by `--config`/`OCOP_CONFIG`, or else the one beside the store. A config that names
  /// the store is read for it when no store is given.
  static func resolve(_ options: StoreOptions) throws -> WorkspacePaths {
    if let config = options.givenConfig {
      var store = options.givenStore
      var data: Data?
      if store == nil {
        data = FileManager.default.contents(atPath: config)
        if let data, let named = try? JSONDecoder().decode(WorkspaceConfig.self, from: data).store {
          store = named.contains("://") ? named : Workspace.relative(named, to: config)
        }
      }
      return WorkspacePaths(
        location: try StoreLocation(store ?? "ocop.sqlite"), configFile: config, configNamed: true,
        configData: data)
    }
    let location = try StoreLocation(options.givenStore ?? "ocop.sqlite")
    guard let configFile = location.sibling(".json") else {
      throw CLIError(
        "store \(location) is a database, which keeps no files beside it; name its workspace file with --config FILE or OCOP_CONFIG"
      )
    }
    return WorkspacePaths(location: location, configFile: configFile, configNamed: false)
  }
}

/// An opened store with its config, issuer key and trust list: what every command that
/// reads or writes records works on.
struct Workspace {
  let location: StoreLocation
  let configFile: String
  let config: WorkspaceConfig
  let store: any TraceStore
  let key: IssuerKey?

  /// The files that sit beside a store `name.sqlite`: `name.json`, `name.key`,
  /// `name.trust.json`.
  static func sibling(of storePath: String, _ suffix: String) -> String {
    let url = URL(fileURLWithPath: storePath)
    let base = url.pathExtension.isEmpty ? url : url.deletingPathExtension()
    return base.path + suffix
  }

  /// `path` as seen from the folder of `file`, unless it is absolute.
  static func relative(_ path: String, to file: String) -> String {
    if path.hasPrefix("/") { return path }
    return URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(path)
      .path
  }

  /// Opens the workspace the options name; with `writing`, also its issuer key; with
  /// `serving`, the store read-only for many readers at once. `missingStoreHint` ends the
  /// refusal when the store does not exist (another way to do without one).
  static func open(
    _ options: StoreOptions, writing: Bool, serving: Bool = false,
    missingStoreHint: String? = nil
  ) async throws -> Workspace {
    let paths = try WorkspacePaths.resolve(options)
    // A database says itself, when it is opened, that it holds no store.
    if case .sqlite(let path) = paths.location, !FileManager.default.fileExists(atPath: path) {
      throw CLIError(
        "store \(paths.location) does not exist; create one with `ocop init --store \(paths.location) --resolver URL --prefix DIGITS`, or name the store with --store or OCOP_STORE"
          + (missingStoreHint.map { "; " + $0 } ?? ""))
    }
    let configFile = paths.configFile
    guard let data = paths.configData ?? FileManager.default.contents(atPath: configFile) else {
      throw CLIError(
        paths.configNamed
          ? "config \(configFile) does not exist or cannot be read"
          : "config \(configFile) is missing; it is written by `ocop init` beside the store")
    }
    let config: WorkspaceConfig
    do {
      config = try JSONDecoder().decode(WorkspaceConfig.self, from: data)
    } catch {
      throw CLIError(
        "config \(configFile) is not a valid ocop config: \(JSONProblem.describe(error))")
    }
    let key = writing ? try IssuerKey.load(from: relative(config.key, to: configFile)) : nil
    return Workspace(
      location: paths.location, configFile: configFile, config: config,
      store: try await paths.location.open(signer: key, serving: serving), key: key)
  }

  /// The trust list file: the config's, or the one beside the config.
  var trustListFile: String {
    // Beside the config: for a config beside its SQLite store, that is beside the store.
    config.trustList.map { Self.relative($0, to: configFile) }
      ?? Workspace.sibling(of: configFile, ".trust.json")
  }

  /// The trust anchors this workspace holds, and the newest signed list seen from each:
  /// `NAME.anchors.json` beside the config.
  var anchorFile: String { Workspace.sibling(of: configFile, ".anchors.json") }

  /// Where a verifier without a workspace keeps the newest signed list seen from each root:
  /// `$XDG_STATE_HOME/ocop-trace/anchors.json` (by default under `~/.local/state`).
  static var userAnchorFile: String {
    let environment = ProcessInfo.processInfo.environment
    let state =
      environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
      ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/state")
    return (state as NSString).appendingPathComponent("ocop-trace/anchors.json")
  }

  /// The kid of the store's own issuer key, when its key file can be read (a verifier's
  /// workspace may have none).
  var ownKid: String? {
    key?.kid ?? (try? IssuerKey.load(from: Self.relative(config.key, to: configFile)))?.kid
  }

  /// The local trust list: the store's own issuer and every list imported with
  /// `ocop keys import`.
  func trustList() throws -> TrustList {
    let path = trustListFile
    guard FileManager.default.fileExists(atPath: path) else { return TrustList() }
    return try TrustList(path: path)
  }
}

/// A refusal from a command, said as it is.
struct CLIError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Runs a command body and turns every refusal into a message on standard error (and,
/// under `--json`, a JSON error object on standard output) and exit status 1.
func runReporting(_ body: () async throws -> Void) async throws {
  do {
    try await body()
  } catch let error as ExitCode {
    throw error
  } catch let error as CleanExit {
    throw error
  } catch let error as ImportError {
    Output.reportFailure(error.description)
    throw ExitCode(1)
  } catch let error as TraceError {
    Output.reportFailure(error.description)
    throw ExitCode(1)
  } catch let error as GS1Error {
    Output.reportFailure(error.description)
    throw ExitCode(1)
  } catch {
    Output.reportFailure("\(error)")
    throw ExitCode(1)
  }
}
