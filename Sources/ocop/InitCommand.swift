import ArgumentParser
import Foundation
import GS1
import Traceability

/// `ocop init`: a new store with its issuer key and config.
struct InitCommand: AsyncParsableCommand, HelpExamples {
  static let configuration = CommandConfiguration(
    commandName: "init",
    abstract: "Create a store, an issuer key and the config beside them.",
    discussion: """
      Writes four files: the store (SQLite), <store>.json (resolver and company prefix), \
      <store>.key (the Ed25519 issuer key, readable by you only) and <store>.trust.json \
      (the trust list, holding this issuer). With --config FILE (or $OCOP_CONFIG) the \
      config is written there instead, naming the store and the trust list, and the key and \
      trust list go beside it; later commands then need only --config or $OCOP_CONFIG. \
      With --store postgres://USER@HOST:PORT/DB (a database that exists and holds no \
      store; the password from $PGPASSWORD) the tables are made there, and --config is \
      required. Nothing is overwritten.

      Before a cooperative has its GS1 company prefix (from GS1 Vietnam) and its resolver \
      address, --trial makes a trial workspace: the prefix 9528930 (GS1 keeps 952 for \
      demonstrations) and the resolver https://truyxuat.thu-nghiem.example (a name kept \
      for examples). Its labels are marked MẪU THỬ — KHÔNG BÁN, `ocop verify \
      --require-signature` and every real workspace and resolver refuse its codes (verdict \
      trial). Start a real workspace afresh once the prefix is allocated.
      """)
  static let examples = [
    #"ocop init --trial --store thu-nghiem.sqlite --issuer "HTX Thốt nốt Tri Tôn (thử nghiệm)""#,
    #"ocop init --store angiang.sqlite --resolver https://truyxuat.angiang.example --prefix 8932301 --issuer "Sở KH&CN An Giang""#,
    "ocop init --config /srv/ocop/ocop.json --store /srv/ocop/data/angiang.sqlite --resolver https://truyxuat.angiang.example --prefix 8932301",
    "ocop init --config /srv/ocop/ocop.json --store postgres://ocop@db.angiang.example:5432/ocop --resolver https://truyxuat.angiang.example --prefix 8932301",
  ]

  @OptionGroup var location: StoreOptions
  @Option(help: ArgumentHelp("Base URL of trace links (https://…).", valueName: "url"))
  var resolver: String?
  @Option(
    help: ArgumentHelp(
      "GS1 company prefix, 4 to 12 digits (GS1 Vietnam's start 893).", valueName: "digits"))
  var prefix: String?
  @Flag(
    help:
      "A trial workspace, before the prefix and resolver are had: GS1's demonstration prefix, labels marked MẪU THỬ."
  )
  var trial = false

  /// The trial workspace's prefix, under GS1's demonstration prefix 952.
  static let trialPrefix = "9528930"
  /// The trial workspace's resolver, under a name kept for examples (RFC 2606).
  static let trialResolver = "https://truyxuat.thu-nghiem.example"

  func validate() throws {
    if trial {
      if prefix != nil || resolver != nil {
        throw ValidationError(
          "--trial sets the prefix (\(Self.trialPrefix)) and the resolver (\(Self.trialResolver)); leave out --prefix and --resolver"
        )
      }
    } else {
      guard resolver != nil, prefix != nil else {
        throw ValidationError(
          "init needs --resolver and --prefix (the GS1 company prefix from GS1 Vietnam); without them yet, start with --trial"
        )
      }
    }
  }
  @Option(help: ArgumentHelp("The issuer's name, shown in trust lists.", valueName: "name"))
  var issuer: String = "OCOP producer"
  @Option(
    help: ArgumentHelp(
      "Whom shoppers tell about a suspected fake (a hotline), shown on the resolver's pages.",
      valueName: "text"))
  var reportContact: String?
  @OptionGroup var output: OutputOptions

  func run() async throws {
    try await runReporting {
      let prefix = self.prefix ?? Self.trialPrefix
      let resolver = self.resolver ?? Self.trialResolver
      if !trial, prefix.hasPrefix("952") {
        throw CLIError(
          "company prefix \(prefix) is under GS1's prefix 952, kept for demonstrations; for a trial use --trial, for products on sale the prefix GS1 Vietnam allocated"
        )
      }
      let issuer =
        trial && self.issuer == "OCOP producer" ? "OCOP producer (thử nghiệm)" : self.issuer
      let paths = try WorkspacePaths.resolve(location)
      let store = paths.location
      let configFile = paths.configFile
      // Beside the store, or, with a named config, beside the config.
      let base = paths.configNamed ? configFile : store.description
      let keyFile = Workspace.sibling(of: base, ".key")
      let trustFile = Workspace.sibling(of: base, ".trust.json")
      // A symbolic link, even one that points nowhere, is refused rather than followed:
      // following it would write the file wherever it points.
      var files = [configFile, keyFile, trustFile]
      if case .sqlite(let path) = store { files.insert(path, at: 0) }
      for file in files {
        switch NewFile.occupant(of: file) {
        case .symbolicLink?:
          throw CLIError(
            "\(file) is a symbolic link; init writes only new files and never follows a link")
        case .entry?: throw CLIError("\(file) already exists; init writes only new files")
        case nil: break
        }
      }
      if try await store.exists() {
        throw CLIError("\(store) already exists; init writes only new files")
      }
      // Both checked before anything is written.
      _ = try GTIN.allocate(
        companyPrefix: prefix, itemReference: prefix.utf8.count == 12 ? "" : "0")
      _ = try DigitalLink.Base(resolver)
      let key = try IssuerKey.generate(name: issuer)
      var written: [String] = []
      do {
        try key.write(to: keyFile)
        written.append(keyFile)
        // A config beside its store names only the key, as it always has; a named config
        // also names the store and the trust list, so it can be used from anywhere.
        let config = WorkspaceConfig(
          resolver: resolver, companyPrefix: prefix,
          key: URL(fileURLWithPath: keyFile).lastPathComponent,
          store: paths.configNamed ? storeReference(store) : nil,
          trustList: paths.configNamed ? URL(fileURLWithPath: trustFile).lastPathComponent : nil,
          trial: trial ? true : nil,
          reportContact: reportContact.flatMap {
            $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0
          })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Readable by all, writable by the owner only, whatever the umask.
        try NewFile.write(
          encoder.encode(config), to: configFile, mode: 0o644, exactMode: true)
        written.append(configFile)
        try NewFile.write(
          TrustList([key.trustedIssuer(validFrom: Timestamp.now())]).json(), to: trustFile,
          mode: 0o644, exactMode: true)
        written.append(trustFile)
        try await store.create(signer: key)
      } catch {
        await store.removeCreated()
        for file in written { try? FileManager.default.removeItem(atPath: file) }
        throw error
      }
      if output.json {
        printRecord(
          .object([
            "store": .string(store.description), "config": .string(configFile),
            "key": .string(keyFile), "trustList": .string(trustFile), "kid": .string(key.kid),
            "resolver": .string(resolver), "companyPrefix": .string(prefix), "trial": .bool(trial),
          ]))
      } else {
        print("created store \(store)")
        print("  config      \(configFile) (resolver \(resolver), company prefix \(prefix))")
        print("  issuer key  \(keyFile) (kid \(key.kid), mode 0600: keep it private)")
        print("  trust list  \(trustFile)")
        if trial {
          print(
            "  TRIAL       labels are marked MẪU THỬ — KHÔNG BÁN; real workspaces, resolvers and verify --require-signature refuse its codes"
          )
        }
      }
    }
  }
}

/// How a named config names its store: a file path made absolute, so the config works
/// from anywhere; a database by its address without password (which comes from
/// `PGPASSWORD` or the `--store` given to each command).
func storeReference(_ store: StoreLocation) -> String {
  switch store {
  case .sqlite(let path): absolute(path)
  case .postgres(let location): location.description + location.queryParameters
  }
}

/// `path` made absolute against the working folder, so a config names its store from
/// anywhere.
func absolute(_ path: String) -> String {
  path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}
