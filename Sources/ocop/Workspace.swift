import ArgumentParser
import Exchange
import Foundation
import GS1
import Traceability

/// Where the store is: `--store`, then `OCOP_STORE`, then `./ocop.sqlite`.
struct StoreOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The store (an SQLite file). Default: $OCOP_STORE, else ./ocop.sqlite.", valueName: "path"))
  var store: String?

  var path: String {
    store ?? ProcessInfo.processInfo.environment["OCOP_STORE"] ?? "ocop.sqlite"
  }
}

/// The settings `ocop init` writes beside the store, in `<store>.json`: the resolver's
/// base URL, the GS1 company prefix products are numbered under, and the issuer key file.
struct WorkspaceConfig: Codable, Equatable {
  /// The base URL of trace links: `https://truyxuat.example`.
  var resolver: String
  /// The GS1 company prefix (7 to 10 digits, 893… in Vietnam).
  var companyPrefix: String
  /// The issuer key file, relative to the config file's folder unless absolute.
  var key: String
}

/// An opened store with its config, issuer key and trust list: what every command that
/// reads or writes records works on.
struct Workspace {
  let storePath: String
  let config: WorkspaceConfig
  let store: SQLiteTraceStore
  let key: IssuerKey?

  /// The files that sit beside a store `name.sqlite`: `name.json`, `name.key`,
  /// `name.trust.json`.
  static func sibling(of storePath: String, _ suffix: String) -> String {
    let url = URL(fileURLWithPath: storePath)
    let base = url.pathExtension.isEmpty ? url : url.deletingPathExtension()
    return base.path + suffix
  }

  static func configPath(_ storePath: String) -> String { sibling(of: storePath, ".json") }
  static func trustPath(_ storePath: String) -> String { sibling(of: storePath, ".trust.json") }

  /// Opens the store at `storePath`; with `writing`, also its issuer key.
  static func open(
    _ storePath: String, writing: Bool, readers: SQLiteTraceStore.Readers = .single
  ) throws -> Workspace {
    guard FileManager.default.fileExists(atPath: storePath) else {
      throw CLIError(
        "store \(storePath) does not exist; create one with `ocop init --store \(storePath)`, or name the store with --store or OCOP_STORE"
      )
    }
    let configFile = configPath(storePath)
    guard let data = FileManager.default.contents(atPath: configFile) else {
      throw CLIError(
        "config \(configFile) is missing; it is written by `ocop init` beside the store")
    }
    let config: WorkspaceConfig
    do {
      config = try JSONDecoder().decode(WorkspaceConfig.self, from: data)
    } catch {
      throw CLIError(
        "config \(configFile) is not a valid ocop config: \(JSONProblem.describe(error))")
    }
    let key = writing ? try IssuerKey.load(from: keyPath(config, configFile: configFile)) : nil
    return Workspace(
      storePath: storePath, config: config,
      store: try SQLiteTraceStore(path: storePath, signer: key, readers: readers), key: key)
  }

  static func keyPath(_ config: WorkspaceConfig, configFile: String) -> String {
    if config.key.hasPrefix("/") { return config.key }
    return URL(fileURLWithPath: configFile).deletingLastPathComponent()
      .appendingPathComponent(config.key).path
  }

  /// The local trust list: the store's own issuer and every list imported with
  /// `ocop keys import`.
  func trustList() throws -> TrustList {
    let path = Self.trustPath(storePath)
    guard FileManager.default.fileExists(atPath: path) else { return TrustList() }
    return try TrustList(path: path)
  }
}

/// A refusal from a command, said as it is.
struct CLIError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Runs a command body and turns every refusal into a message on standard error and exit
/// status 1.
func runReporting(_ body: () throws -> Void) throws {
  do {
    try body()
  } catch let error as ExitCode {
    throw error
  } catch let error as CleanExit {
    throw error
  } catch let error as ImportError {
    Output.printError(error.description)
    throw ExitCode(1)
  } catch let error as TraceError {
    Output.printError(error.description)
    throw ExitCode(1)
  } catch let error as GS1Error {
    Output.printError(error.description)
    throw ExitCode(1)
  } catch {
    Output.printError("\(error)")
    throw ExitCode(1)
  }
}
