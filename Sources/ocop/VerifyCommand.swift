import ArgumentParser
import Exchange
import Foundation
import GS1
import Label
import Traceability

/// `ocop verify`: a verdict on every scanned code.
struct VerifyCommand: AsyncParsableCommand, HelpExamples {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Check scanned trace codes: URLs, label images, or a scanner's stream on stdin.",
    discussion: """
      Each scan gets one verdict: valid, expired, recalled (the lot or a lot it was made \
      from), unknown (no such record), forged (bad or untrusted signature, a signature by \
      another issuer than the lot's, a link whose data contradicts the record, or a link \
      under a host that is not the workspace's resolver), malformed (not a GS1 Digital Link, with the reason), \
      rating lapsed (the label shows OCOP stars the product did not hold at production), \
      serial outside printed range, duplicate (the same serial earlier in this stream), or \
      unsigned (a genuine link with no signature, under --require-signature). --json \
      writes them as valid, expired, recalled, unknown, forged, malformed, rating_lapsed, \
      serial_outside_printed_range, duplicate, unsigned. A summary follows; the exit \
      status is 1 if any scan is not valid.

      Checks against the store, or offline against exported bundles (--bundle, repeatable) \
      and a trust list (--trust). Arguments are URLs or label images, PNG or JPEG (a phone's \
      photo; every code in an image is checked); with no argument, or `-`, scans are read from standard input one \
      per line, as a handheld scanner types them, and answered as they come. A scanner \
      may also send GS1 element data instead of the URL: after a symbology identifier \
      (]Q3, ]d2, ]C1) or not, with FNC1 as GS or the character --fnc1 names, or in the \
      bracketed form (01)…(10)…. It is judged like the URL, but carries no ocop \
      signature (scanners keep only GS1's AIs), so --require-signature refuses it.
      """)
  static let examples = [
    #"ocop verify "https://truyxuat.angiang.example/01/08932301001016/10/DTNQ-2611-02/21/7?17=271102&s=…""#,
    "ocop verify labels/DTNQ-2611-02-run-1-20/DTNQ-2611-02-1.png",
    "ocop verify --bundle angiang-bundle.json --trust trust.json < scans.txt",
  ]

  @Argument(help: "URLs, or PNG or JPEG images; none or `-` reads standard input.")
  var scans: [String] = []
  @Option(help: ArgumentHelp("An exported bundle to check against, offline.", valueName: "file"))
  var bundle: [String] = []
  @Flag(
    help:
      "Check every bundle from scratch and keep nothing: by default a bundle checked against a trust list is kept in the user's cache folder ($XDG_CACHE_HOME/ocop-trace, or ~/.cache/ocop-trace), and the same bytes checked against the same entries are opened from there."
  )
  var noCache = false
  @Option(help: ArgumentHelp("The trust list for offline checks.", valueName: "file"))
  var trust: String?
  @Option(
    help: ArgumentHelp(
      "A root's anchor file (repeatable): the --trust list must be signed by one of them, or by an anchor kept earlier.",
      valueName: "file"))
  var anchor: [String] = []
  @Flag(help: "Refuse links without a signature (verdict: unsigned).") var requireSignature =
    false
  @Option(
    help: ArgumentHelp(
      "A resolver whose links are accepted (repeatable); a link under another host is forged. Default: the workspace's resolver; with --bundle, any host.",
      valueName: "url"))
  var resolver: [String] = []
  @Option(help: "The day expiry is judged on (default today).") var on: String?
  @Option(
    help: ArgumentHelp(
      "The character the scanner sends for FNC1 in GS1 element data (default: GS, 0x1D).",
      valueName: "character"))
  var fnc1: String?
  @Option(
    help: ArgumentHelp(
      "Warn when a bundle or a signed trust list is older than this many days: a recall recorded since would not show (0: never).",
      valueName: "days"))
  var maxAge = 7
  @OptionGroup var location: StoreOptions
  @OptionGroup var output: OutputOptions

  func validate() throws {
    guard maxAge >= 0 else { throw ValidationError("--max-age \(maxAge) must be 0 or more days") }
  }

  func run() async throws {
    var anyInvalid = false
    try await runReporting {
      let today = try on.map { try parseDate($0, option: "--on") } ?? GS1Date.today()
      // The moment files' ages are judged at: the start of --on's day, or now.
      let now = on == nil ? Date() : (try? Timestamp(today.iso).date) ?? Date()
      let sources: [any TraceStore]
      let trustList: TrustList
      var resolvers = resolver
      var holders: [BundleStore] = []
      // Every bundle opened, removed at the end (an update's base included).
      var opened: [BundleStore] = []
      defer { for holder in opened { holder.remove() } }
      // Trial codes are refused where a signature is required, and by a real workspace.
      var refuseTrial = requireSignature
      if bundle.isEmpty {
        if trust != nil { throw CLIError("--trust goes with --bundle (offline checks)") }
        if !anchor.isEmpty { throw CLIError("--anchor goes with --bundle and --trust") }
        // A retailer has no store: the check is offline, against a producer's files.
        let workspace = try await Workspace.open(
          location, writing: false,
          missingStoreHint:
            "to check codes without a store, use the producer's bundle and trust list: ocop verify --bundle BUNDLE.json --trust TRUST.json"
        )
        sources = [workspace.store]
        trustList = try workspace.trustList()
        if resolvers.isEmpty { resolvers = [workspace.config.resolver] }
        if workspace.config.trial != true { refuseTrial = true }
      } else {
        guard let trust else {
          throw CLIError("--bundle needs --trust, the trust list to check it against")
        }
        trustList = try TrustList(path: trust)
        if trustList.signature != nil || !anchor.isEmpty {
          let signature = try Self.checkSigned(trustList, file: trust, anchors: anchor)
          warnIfOld("trust list \(trust) was signed", signature.issuedAt, now: now)
        }
        let cache = noCache ? nil : BundleCache.standard
        for path in bundle {
          let holder = try await BundleStore(
            path: path, trustList: trustList, cache: cache, bases: holders)
          // An update holds all of the bundle it was applied on: that one is not asked again.
          holders.removeAll { $0.path == holder.basePath }
          holders.append(holder)
          opened.append(holder)
          let age = holder.exportedAt.map { "exported \(Age.since($0)), " } ?? ""
          let count = holder.report.eventsChecked
          let events = "\(count) event\(count == 1 ? "" : "s")"
          let scope =
            holder.report.since > 0
            ? "update of \(events) after event \(holder.report.since)"
              + (holder.appliedOn.map { " (applied on \($0))" } ?? "")
              + ", up to event \(holder.report.headSequence)"
            : events
          Output.printNote(
            "bundle \(path): \(age)\(scope), head \(holder.report.headHash.prefix(16))…"
              + (holder.fromCache ? " (checked before against this trust list)" : "")
          )
          if let exported = holder.exportedAt {
            warnIfOld("bundle \(path) was exported", exported, now: now)
          }
        }
        sources = holders.map(\.store)
      }
      var verifier = Verifier(
        sources: sources, trustList: trustList, today: today,
        requireSignature: requireSignature, refuseTrial: refuseTrial, resolvers: resolvers,
        separator: try fnc1Separator(fnc1))
      var counts: [Verdict: Int] = [:]
      /// Where each scan came from: an image and the code's place in it, or a line of the
      /// stream; a URL given as an argument is its own source.
      func report(_ result: ScanResult, from source: Source?) {
        counts[result.verdict, default: 0] += 1
        if result.verdict != .valid { anyInvalid = true }
        if output.json {
          printRecord(
            .object([
              "scan": .string(result.scan), "verdict": .string(result.verdict.rawValue),
              "detail": .string(result.detail),
              "lot": result.lot.map { .string($0.description) } ?? .null,
              "serial": result.serial.map(CanonicalJSON.string) ?? .null,
              "product": result.productName.map(CanonicalJSON.string) ?? .null,
              "source": source?.json ?? .null,
            ]))
        } else {
          var what = result.lot?.description ?? Output.clip(result.scan, 60)
          if let serial = result.serial { what += " #\(serial)" }
          let name = result.productName.map { "  \($0)" } ?? ""
          print(
            Output.verdict(result.verdict) + what + name + " — " + result.detail
              + (source.map { "  [\($0.text)]" } ?? ""))
        }
        fflush(nil)
      }
      let inputs = scans.filter { $0 != "-" }
      for input in inputs {
        let lowered = input.lowercased()
        if [".png", ".jpg", ".jpeg"].contains(where: lowered.hasSuffix)
          || FileManager.default.fileExists(atPath: input)
        {
          let codes: [String]
          do {
            let bytes = Array(try readFile(input))
            let image: Bitmap
            if JPEGDecoder.isJPEG(bytes) {
              image = try JPEGDecoder.decode(bytes)
            } else if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
              image = try PNGEncoder.decode(bytes)
            } else {
              throw CLIError("image \(input) is neither a PNG nor a JPEG file")
            }
            codes = try ZBarDecoder.decode(image)
          } catch let error as LabelError {
            throw CLIError("image \(input): \(error)")
          }
          if codes.isEmpty {
            throw CLIError("\(input): no QR code could be read in the image")
          }
          for (index, code) in codes.enumerated() {
            report(
              await verifier.check(code),
              from: .image(input, code: index + 1, of: codes.count))
          }
        } else {
          report(await verifier.check(input), from: nil)
        }
      }
      if inputs.isEmpty || scans.contains("-") {
        var number = 0
        while let line = readLine(strippingNewline: true) {
          number += 1
          if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
          report(await verifier.check(line), from: .line(number))
        }
      }
      let total = counts.values.reduce(0, +)
      if output.json {
        var members = CanonicalMembers()
        for (verdict, count) in counts { members.insert(verdict.rawValue, .integer(Int64(count))) }
        printRecord(.object(["summary": .object(members), "scans": .integer(Int64(total))]))
      } else {
        let parts = Verdict.allCases.compactMap { verdict in
          counts[verdict].map { "\($0) \(verdict.words)" }
        }
        print("\(total) scan\(total == 1 ? "" : "s"): " + parts.joined(separator: ", "))
      }
    }
    if anyInvalid { throw ExitCode(1) }
  }
}

extension VerifyCommand {
  /// Where a scan came from.
  enum Source {
    case image(String, code: Int, of: Int)
    case line(Int)

    var text: String {
      switch self {
      case .image(let file, let code, let count):
        count == 1 ? file : "\(file), code \(code) of \(count)"
      case .line(let number): "line \(number)"
      }
    }

    var json: CanonicalJSON {
      switch self {
      case .image(let file, let code, _):
        .object(["file": .string(file), "code": .integer(Int64(code))])
      case .line(let number): .object(["line": .integer(Int64(number))])
      }
    }
  }

  /// A warning when `time` is more than `--max-age` days before `now`, the moment checked
  /// on.
  func warnIfOld(_ what: String, _ time: Timestamp, now: Date) {
    let days = Int(now.timeIntervalSince(time.date) / 86_400)
    guard maxAge > 0, days > maxAge else { return }
    Output.printError(
      "warning: \(what) \(days) days ago, more than --max-age \(maxAge): a recall or a revocation recorded since does not show; ask for fresh files"
    )
  }

  /// Checks a signed trust list against the anchors given and those kept for this user,
  /// and notes it as the newest seen from its root.
  static func checkSigned(_ list: TrustList, file: String, anchors: [String]) throws
    -> TrustListSignature
  {
    let bookFile = Workspace.userAnchorFile
    var book = try AnchorBook(path: bookFile)
    let extra = try anchors.map { try TrustAnchor(path: $0) }
    let signature: TrustListSignature
    do { signature = try book.check(list, extra: extra, now: .now()) } catch {
      var reason = "\(error)".droppingPrefix("trust list: ")
      if extra.isEmpty, book.anchors.isEmpty {
        reason += "; give the root's anchor file with --anchor"
      }
      throw TraceError.malformed(what: "trust list \(file)", reason: reason)
    }
    book.accepted(signature)
    // Remembering is a help, not a condition: a read-only home still verifies.
    try? book.write(to: bookFile)
    Output.printNote("trust list \(file): " + KeysCommand.Import.describe(signature))
    return signature
  }
}

/// A file's bytes, or an error that names it.
func readFile(_ path: String) throws -> Data {
  guard let data = FileManager.default.contents(atPath: path) else {
    throw CLIError(
      "\(path) "
        + (FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"))
  }
  return data
}
