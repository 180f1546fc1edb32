import ArgumentParser
import Foundation
import GS1
import Traceability

/// `ocop keys`: the issuer key, the trust list, its scopes and revocations, and signed
/// trust lists with their anchors.
struct KeysCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "keys", abstract: "The issuer key, the trust list, and signed trust lists.",
    subcommands: [
      Show.self, Export.self, Import.self, Revoke.self, Root.self, SignTrust.self, Anchor.self,
    ])

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: "Show the store's issuer (kid, public key) and the trusted issuers.")
    @OptionGroup var location: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        let workspace = try await Workspace.open(location, writing: true)
        let trustList = try workspace.trustList()
        guard let key = workspace.key else { throw CLIError("no issuer key") }
        if output.json {
          printRecord(
            .object([
              "kid": .string(key.kid), "name": .string(key.name),
              "publicKey": .string(Data(key.publicKey).base64EncodedString()),
              "trusted": .array(trustList.issuers.values.sorted { $0.kid < $1.kid }.map(\.json)),
            ]))
          return
        }
        print("issuer  \(key.kid)  \(key.name)")
        print("  public key  \(Data(key.publicKey).base64EncodedString())")
        print("trusted issuers:")
        for issuer in trustList.issuers.values.sorted(by: { $0.kid < $1.kid }) {
          print("  \(issuer.kid)  \(issuer.name)  (\(Self.summary(issuer)))")
        }
      }
    }

    /// An entry's validity, roles and scope, in a few words.
    static func summary(_ issuer: TrustedIssuer) -> String {
      var parts = ["from \(issuer.validFrom.text)"]
      if issuer.revoked {
        parts.append(issuer.revokedFrom.map { "revoked from \($0.text)" } ?? "revoked")
      } else if let until = issuer.validUntil {
        parts.append("until \(until.text)")
      }
      parts.append(issuer.roles.sorted().map(\.rawValue).joined(separator: "+"))
      parts.append(
        issuer.prefixes.isEmpty
          ? "any prefix" : "prefix " + issuer.prefixes.joined(separator: ", "))
      return parts.joined(separator: ", ")
    }
  }

  struct Export: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "export",
      abstract: "Write the trust list (public keys only) for verifiers.")
    static let examples = ["ocop keys export --out trust.json"]
    @Option(help: ArgumentHelp("The file to write (default: standard output).", valueName: "file"))
    var out: String?
    @OptionGroup var location: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        let workspace = try await Workspace.open(location, writing: false)
        let list = try workspace.trustList()
        let data = list.json()
        if let out {
          try writeNew(data, to: out)
          Statement(json: output.json).say(
            "wrote the trust list to \(out)",
            [
              "trustList": .string(out),
              "issuers": .integer(Int64(list.issuers.count)),
            ])
        } else {
          FileHandle.standardOutput.write(data)
        }
      }
    }
  }

  struct Import: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "import",
      abstract: "Add the issuers of another trust list to this store's, with their scope.",
      discussion: """
        An issuer already trusted keeps its key: a list that gives its kid another key is \
        refused. Revocations and validity dates in the imported list are taken.

        --prefix (repeatable) limits the issuers taken to the GS1 company prefixes they may \
        sign for, and --role to what they may sign: batches (a producer's records and \
        labels), ratings (OCOP rating decisions and recalls: the OCOP office), or both; \
        --prefix without --role means batches only. Without either, the list's own scopes \
        are kept (an entry without them may sign anything). When the list holds several issuers, \
        name the one to scope with --kid. A signed list is accepted only from a root this \
        workspace holds as an anchor (`ocop keys anchor`), or one given with --anchor.
        """)
    static let examples = [
      "ocop keys import htx-tri-ton-trust.json --prefix 8932301",
      "ocop keys import ocop-an-giang-trust.json --kid 7QK2M4PA --role ratings",
    ]
    @Argument(help: "The trust list file.") var file: String
    @Option(
      help: ArgumentHelp(
        "A company prefix the issuer may sign for (repeatable).", valueName: "digits"))
    var prefix: [String] = []
    @Option(
      help: ArgumentHelp(
        "What the issuer may sign: batches, ratings or both (repeatable).", valueName: "role"))
    var role: [IssuerRole] = []
    @Option(help: ArgumentHelp("Take only this issuer from the file.", valueName: "kid"))
    var kid: String?
    @Option(
      help: ArgumentHelp("A root key's anchor file to check a signed list with.", valueName: "file")
    )
    var anchor: String?
    @OptionGroup var location: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        let workspace = try await Workspace.open(location, writing: false)
        let before = try workspace.trustList()
        var trustList = before
        var incoming = try TrustList(path: file)
        // A signed list, checked against the anchors; noted as seen once it is taken.
        var seen: AnchorBook?
        if incoming.signature != nil || anchor != nil {
          var book = try AnchorBook(path: workspace.anchorFile)
          let extra = try anchor.map { try [TrustAnchor(path: $0)] } ?? []
          let signature: TrustListSignature
          do { signature = try book.check(incoming, extra: extra, now: .now()) } catch {
            throw TraceError.malformed(
              what: "trust list \(file)", reason: "\(error)".droppingPrefix("trust list: "))
          }
          book.accepted(signature)
          seen = book
          Statement(json: output.json).say(
            Self.describe(signature),
            [
              "signedBy": .string(signature.root), "sequence": .integer(Int64(signature.sequence)),
              "expires": .string(signature.expires.text),
            ])
        }
        let own = workspace.ownKid
        if let kid {
          guard let entry = incoming.issuers[kid] else {
            throw CLIError(
              "trust list \(file) has no issuer \(kid) (it holds \(incoming.issuers.keys.sorted().joined(separator: ", ")))"
            )
          }
          incoming = TrustList([entry])
        }
        if !prefix.isEmpty || !role.isEmpty {
          let prefixes = try prefix.map { text throws(TraceError) in
            try TrustedIssuer.checkedPrefix(text)
          }
          let others = incoming.issuers.values.filter { $0.kid != own }
          guard others.count == 1, let entry = others.first else {
            throw CLIError(
              "trust list \(file) holds \(others.count) issuers other than this store's (\(others.map(\.kid).sorted().joined(separator: ", "))); name the one to scope with --kid"
            )
          }
          incoming = TrustList([
            entry.scoped(
              prefixes: prefix.isEmpty ? entry.prefixes : prefixes,
              // A producer's key, scoped to its prefixes, signs its batches, not ratings.
              roles: role.isEmpty ? (prefix.isEmpty ? entry.roles : [.batches]) : Set(role))
          ])
        }
        do {
          try trustList.merge(incoming, ownIssuer: own)
        } catch TraceError.malformed(let what, let reason) {
          throw TraceError.malformed(what: what + " " + file, reason: reason)
        }
        if let own, let entry = incoming.issuers[own], before.issuers[own] == entry {
          Statement(json: output.json).say(
            "issuer \(own) is this store's own, and the list gives it unchanged",
            ["own": .string(own), "unchanged": .bool(true)])
        }
        try seen?.write(to: workspace.anchorFile)
        guard trustList != before else {
          Statement(json: output.json).say(
            "the trust list is unchanged: \(file) adds nothing to it",
            [
              "trustList": .string(workspace.trustListFile), "added": .array([]),
              "unchanged": .bool(true),
            ])
          return
        }
        // Readable by all, writable by the owner only, whatever the umask.
        try NewFile.replace(trustList.json(), at: workspace.trustListFile, mode: 0o644)
        let added = incoming.issuers.values.sorted(by: { $0.kid < $1.kid }).filter {
          $0.kid != own
        }.compactMap { trustList.issuers[$0.kid] }
        if output.json {
          printRecord(
            .object([
              "trustList": .string(workspace.trustListFile), "added": .array(added.map(\.json)),
              "issuers": .integer(Int64(trustList.issuers.count)), "unchanged": .bool(false),
            ]))
          return
        }
        for now in added { print("  \(now.kid)  \(now.name)  (\(Show.summary(now)))") }
        print(
          "trust list now holds \(trustList.issuers.count) issuers (\(incoming.issuers.count) from \(file))"
        )
      }
    }

    /// A signed list's root, number and age, in a line.
    static func describe(_ signature: TrustListSignature) -> String {
      "signed trust list \(signature.sequence) of root \(signature.root) (\(signature.rootName)), issued \(Age.since(signature.issuedAt)), expires \(Age.until(signature.expires))"
    }
  }

  struct Revoke: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "revoke",
      abstract: "Revoke an issuer in this workspace's trust list.",
      discussion: """
        With --from, what the issuer signed before that moment stays valid and what is \
        dated from it on is refused (a key retired, or stolen on a known day); without it, \
        nothing it signed is accepted. Export the list again for verifiers.
        """)
    static let examples = [
      "ocop keys revoke 7QK2M4PA --from 2026-12-01"
    ]
    @Argument(help: "The issuer's kid.") var kid: String
    @Option(help: ArgumentHelp("When the revocation takes effect (UTC).", valueName: "time"))
    var from: String?
    @OptionGroup var location: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        let workspace = try await Workspace.open(location, writing: false)
        var trustList = try workspace.trustList()
        guard let entry = trustList.issuers[kid] else {
          throw CLIError("issuer \(kid) is not in the trust list \(workspace.trustListFile)")
        }
        let time = try from.map { try parseTime($0, option: "--from") }
        if entry.revoked, let was = entry.revokedFrom, let time, was <= time {
          Statement(json: output.json).say(
            "issuer \(kid) is already revoked from \(was.text)",
            ["revoked": .string(kid), "from": .string(was.text), "unchanged": .bool(true)])
          return
        }
        if entry.revoked, entry.revokedFrom == nil {
          Statement(json: output.json).say(
            "issuer \(kid) is already revoked for everything it signed",
            ["revoked": .string(kid), "from": .null, "unchanged": .bool(true)])
          return
        }
        trustList.set(entry.revoking(from: time))
        try NewFile.replace(trustList.json(), at: workspace.trustListFile, mode: 0o644)
        Statement(json: output.json).say(
          "revoked issuer \(kid) (\(entry.name))"
            + (time.map { " from \($0.text): what it signed before stays valid" }
              ?? ": nothing it signed is accepted"),
          [
            "revoked": .string(kid), "from": time.map { .string($0.text) } ?? .null,
            "unchanged": .bool(false),
          ])
      }
    }
  }

  struct Root: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "root",
      abstract: "Make a root key that signs trust lists, and its anchor for verifiers.",
      discussion: """
        The root key (the province's or the national OCOP office's) signs trust lists with \
        `ocop keys sign-trust`; keep it offline. The anchor file holds its public key only: \
        give it to every verifier, who checks signed lists against it (`--anchor`, or \
        `ocop keys anchor` to keep it in a workspace). With an existing --key, only the \
        anchor is written.
        """)
    static let examples = [
      #"ocop keys root --name "Văn phòng OCOP An Giang" --key root.key --anchor root-anchor.json"#
    ]
    @Option(help: "Who the root is.") var name: String?
    @Option(
      help: ArgumentHelp("The root key file (made if missing, mode 0600).", valueName: "file"))
    var key: String
    @Option(help: ArgumentHelp("The anchor file to write.", valueName: "file")) var anchor: String
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        let root: IssuerKey
        if FileManager.default.fileExists(atPath: key) {
          root = try IssuerKey.load(from: key)
        } else {
          guard let name else { throw CLIError("--name is needed to make a new root key \(key)") }
          root = try IssuerKey.generate(name: name)
          try root.write(to: key)
          if !output.json { print("made root key \(root.kid) (\(root.name)) in \(key)") }
        }
        try writeNew(TrustAnchor(root).json(), to: anchor)
        Statement(json: output.json).say(
          "wrote the anchor of root \(root.kid) to \(anchor)",
          [
            "root": .string(root.kid), "name": .string(root.name), "key": .string(key),
            "anchor": .string(anchor),
          ])
      }
    }
  }

  struct SignTrust: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "sign-trust",
      abstract: "Sign this workspace's trust list with a root key, for verifiers anywhere.",
      discussion: """
        The signed list carries a number (each list a root signs has a higher one: \
        --sequence, by default one more than the list at --out, else 1) and an expiry. A \
        verifier holding the root's anchor refuses a changed, expired or older list.
        """)
    static let examples = [
      "ocop keys sign-trust --root root.key --out an-giang-trust.json --expires 2027-03-01"
    ]
    @Option(help: ArgumentHelp("The root key file.", valueName: "file")) var root: String
    @Option(help: ArgumentHelp("The signed list to write (replaced).", valueName: "file")) var out:
      String
    @Option(help: ArgumentHelp("When the list stops being accepted (UTC).", valueName: "time"))
    var expires: String
    @Option(help: "The list's number.") var sequence: Int64?
    @OptionGroup var location: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        let workspace = try await Workspace.open(location, writing: false)
        let key = try IssuerKey.load(from: root)
        let expiry = try parseTime(expires, option: "--expires")
        var number = sequence ?? 1
        if sequence == nil, FileManager.default.fileExists(atPath: out) {
          let previous = try TrustList(path: out)
          if let signature = previous.signature, signature.root == key.kid {
            number = signature.sequence + 1
          }
        }
        let signed = try workspace.trustList().signed(
          by: key, sequence: number, issuedAt: .now(), expires: expiry)
        try NewFile.replace(signed.json(), at: out, mode: 0o644)
        Statement(json: output.json).say(
          "wrote trust list \(number) signed by root \(key.kid) (\(key.name)) to \(out): \(signed.issuers.count) issuers, expires \(expiry.text)",
          [
            "trustList": .string(out), "sequence": .integer(Int64(number)),
            "root": .string(key.kid), "issuers": .integer(Int64(signed.issuers.count)),
            "expires": .string(expiry.text),
          ])
      }
    }
  }

  struct Anchor: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "anchor",
      abstract:
        "Keep a root's anchor in this workspace: signed trust lists are checked against it.")
    static let examples = ["ocop keys anchor root-anchor.json"]
    @Argument(help: "The anchor file (from `ocop keys root`).") var file: String
    @OptionGroup var location: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        let workspace = try await Workspace.open(location, writing: false)
        var book = try AnchorBook(path: workspace.anchorFile)
        let anchor = try TrustAnchor(path: file)
        book.add(anchor)
        try book.write(to: workspace.anchorFile)
        Statement(json: output.json).say(
          "root \(anchor.kid) (\(anchor.name)) is a trust anchor of this workspace",
          ["anchor": .string(anchor.kid), "name": .string(anchor.name)])
      }
    }
  }
}

extension IssuerRole: ExpressibleByArgument {}

/// Reads a moment as `2026-12-01`, `01/12/2026` or `2026-12-01T08:00:00Z` (UTC).
func parseTime(_ text: String, option: String) throws -> Timestamp {
  if let time = try? Timestamp(text) { return time }
  if let date = try? GS1Date(entered: text) { return try Timestamp(date.iso) }
  throw CLIError(
    "\(option) \"\(text)\" is not a time (write 2026-12-01, 01/12/2026 or 2026-12-01T08:00:00Z)")
}

/// How long ago, or how far ahead, a moment is, in words.
enum Age {
  static func since(_ time: Timestamp, now: Date = Date()) -> String {
    let seconds = now.timeIntervalSince(time.date)
    return "\(time.text.prefix(10)) (\(words(abs(seconds))) \(seconds >= 0 ? "ago" : "ahead"))"
  }

  static func until(_ time: Timestamp, now: Date = Date()) -> String {
    let seconds = time.date.timeIntervalSince(now)
    return
      "\(time.text.prefix(10)) (\(seconds >= 0 ? "in " + words(seconds) : words(-seconds) + " ago"))"
  }

  static func words(_ seconds: TimeInterval) -> String {
    let minutes = Int(seconds / 60)
    if minutes < 60 { return "\(minutes) minute\(minutes == 1 ? "" : "s")" }
    let hours = minutes / 60
    if hours < 48 { return "\(hours) hour\(hours == 1 ? "" : "s")" }
    let days = hours / 24
    return "\(days) days"
  }
}

extension String {
  func droppingPrefix(_ prefix: String) -> String {
    hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
  }
}
