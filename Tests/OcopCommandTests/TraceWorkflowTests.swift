import Foundation
import TestSupport
import Testing

/// Print, verify, trace, recall, audit, keys and exports, run as users run them on the
/// An Giang data set.
@Suite("ocop print, verify and exports")
struct TraceWorkflowTests {
  static let lot = "8932301001016/DTNQ-2611-02"
  static let base = "https://truyxuat.angiang.example"

  /// A store with the fixtures imported, and its folder.
  static func store() throws -> (store: String, folder: String) {
    let store = try WorkflowTests.workspace()
    let imported = try WorkflowTests.ocop(store, ["import", "all", WorkflowTests.fixtures])
    #expect(imported.status == 0, "\(imported.stderr)")
    return (store, (store as NSString).deletingLastPathComponent)
  }

  static func ocop(_ store: String, _ arguments: [String], stdin: String? = nil) throws
    -> CommandRunner.Result
  {
    try CommandRunner.run(arguments + ["--store", store], stdin: stdin)
  }

  /// The verdict words of `verify --json` output, one per scan.
  static func verdicts(_ output: String) throws -> [String] {
    try output.split(separator: "\n").compactMap { line in
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      return object?["verdict"] as? String
    }
  }

  @Test func printAllocatesSerialsWritesLabelsThatReadBackAndRefusesToRepeatARun() throws {
    let (store, folder) = try Self.store()
    let out = folder + "/labels"
    let printed = try Self.ocop(
      store, ["print", Self.lot, "--count", "12", "--out", out, "--json"])
    #expect(printed.status == 0, "\(printed.stderr)")
    #expect(printed.stdout.contains("\"first\":1,"))
    #expect(printed.stdout.contains("\"last\":12,"))
    // A signed link's larger code and a food label's contents need the largest label.
    #expect(printed.stderr.contains("labels are 100x50 mm"), "\(printed.stderr)")
    let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
    #expect(files.count == 12)
    // The next run continues the serials; a run's name cannot be taken twice.
    let second = try Self.ocop(
      store, ["print", Self.lot, "--count", "5", "--unsigned", "--run", "shop", "--out", out + "2"])
    #expect(second.stdout.contains("serials 13–17 (run shop)"), "\(second.stdout)")
    #expect(second.stdout.contains("60x40 mm"), "\(second.stdout)")
    let again = try Self.ocop(store, ["print", Self.lot, "--count", "5", "--run", "shop"])
    #expect(again.status == 1)
    #expect(
      again.stderr.contains(
        "already has a print run \"shop\"; to render it again use --resume shop"))
    // A run is rendered again from its stored serials.
    let resumed = try Self.ocop(
      store, ["print", Self.lot, "--resume", "shop", "--unsigned", "--out", out + "3"])
    #expect(resumed.stdout.contains("serials 13–17 (run shop)"))
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: out + "3").sorted()
        == FileManager.default.contentsOfDirectory(atPath: out + "2").sorted())
    // As it was recorded: an unsigned run is not drawn signed again.
    let signedAgain = try Self.ocop(
      store, ["print", Self.lot, "--resume", "shop", "--out", out + "4"])
    #expect(signedAgain.status == 1)
    #expect(
      signedAgain.stderr.contains(
        "was recorded unsigned (--unsigned); draw its labels the same way"),
      "\(signedAgain.stderr)")
    // A label that cannot hold its text is refused before any serial is allocated.
    let tooSmall = try Self.ocop(store, ["print", Self.lot, "--count", "3", "--template", "40x30"])
    #expect(tooSmall.status == 1)
    let shown = try Self.ocop(store, ["batch", "show", Self.lot, "--json"])
    #expect(!shown.stdout.contains("\"first\":18"))
  }

  @Test func aRunWhoseFolderCannotBeMadeAllocatesNothingAndARunIsRenderedAgain() throws {
    let (store, folder) = try Self.store()
    // The run's folder cannot be made (its parent is a file): refused before any serial is
    // allocated.
    try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/blocked"))
    let failed = try Self.ocop(
      store, ["print", Self.lot, "--count", "4", "--run", "first", "--out", folder + "/blocked/x"])
    #expect(failed.status == 1)
    #expect(failed.stderr.contains("output folder \(folder)/blocked/x cannot be created"))
    let shown = try Self.ocop(store, ["batch", "show", Self.lot])
    #expect(!shown.stdout.contains("serials   "), "\(shown.stdout)")
    let first = try Self.ocop(
      store, ["print", Self.lot, "--count", "4", "--run", "first", "--out", folder + "/a"])
    #expect(first.stdout.contains("serials 1–4"), "\(first.stderr)")
    let next = try Self.ocop(
      store, ["print", Self.lot, "--count", "2", "--unsigned", "--out", folder + "/next"])
    #expect(next.stdout.contains("serials 5–6"), "serials are never handed out twice")
    let resumed = try Self.ocop(
      store, ["print", Self.lot, "--resume", "first", "--out", folder + "/first"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/first").count == 4)
    let verified = try Self.ocop(store, ["verify", folder + "/first/DTNQ-2611-02-4.png"])
    #expect(verified.stdout.hasPrefix("VALID"))
  }

  @Test func aOneLetterOutputFolderBesideTheStore() throws {
    let (store, folder) = try Self.store()
    let printed = try CommandRunner.run(
      ["print", Self.lot, "--count", "2", "--out", "l", "--store", store], in: folder)
    #expect(printed.status == 0, "\(printed.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/l").count == 2)
    #expect(!FileManager.default.fileExists(atPath: folder + "/.l.partial"))
  }

  @Test func everyVerdict() throws {
    let (store, folder) = try Self.store()
    let out = folder + "/labels"
    #expect(try Self.ocop(store, ["print", Self.lot, "--count", "3", "--out", out]).status == 0)
    // Serials 4 and 5, an unsigned run: their links carry no signature, and need none.
    #expect(
      try Self.ocop(
        store,
        ["print", Self.lot, "--count", "2", "--unsigned", "--no-read-back", "--out", out + "-u"]
      ).status == 0)
    let image = out + "/DTNQ-2611-02-1.png"
    // Signed URLs, as the labels carry them: read one back from its image with zbar.
    let decoded = try Self.ocop(store, ["verify", image, "--json"])
    #expect(try Self.verdicts(decoded.stdout) == ["valid"])
    let signed = try #require(
      (try JSONSerialization.jsonObject(with: Data(decoded.stdout.split(separator: "\n")[0].utf8))
        as? [String: Any])?["scan"] as? String)
    let tampered = signed.replacingOccurrences(of: "/21/1?", with: "/21/2?")
    let unknownIssuer =
      signed.prefix(upTo: signed.range(of: "&s=")!.lowerBound) + "&s="
      + String(repeating: "1", count: 168)
    // A lot made from a lot that is then recalled.
    #expect(
      try Self.ocop(store, ["recall", "8935481001012/NTN-2609-02", "--reason", "E. coli"]).status
        == 0)
    // A certificate revoked with effect before a lot's production: its stars have lapsed.
    #expect(
      try Self.ocop(
        store,
        [
          "product", "rate", "8931690001010", "--status", "revoked", "--decision", "9/QĐ-UBND",
          "--date", "2026-09-01", "--level", "provincial",
        ]
      ).status == 0)
    let scans = [
      signed,
      tampered,
      String(unknownIssuer),
      "\(Self.base)/01/08932301001016/10/DTNQ-2611-02/21/999?17=271102",
      "\(Self.base)/01/08932301001016/10/DTNQ-2611-02/21/4?17=271102",
      "\(Self.base)/01/08932301001016/10/DTNQ-2611-02/21/4?17=271102",
      "\(Self.base)/01/08934462001010/10/BBTN-2611-02",  // made from other sap: not reached
      "\(Self.base)/01/08934462001010/10/BBTN-2610-01",
      "\(Self.base)/01/08932301001016/10/NO-SUCH-LOT",
      "\(Self.base)/01/8932301001016/10/DTNQ-2611-02",
      "\(Self.base)/01/08931690001010/10/MTCD%2F2611%2F09",
      "\(Self.base)/01/08932301001016/10/DTNQ-2611-02?17=991231",
    ]
    let result = try Self.ocop(
      store, ["verify", "--json", "--on", "2026-11-29"], stdin: scans.joined(separator: "\n") + "\n"
    )
    #expect(result.status == 1)
    #expect(
      try Self.verdicts(result.stdout) == [
        "valid", "forged", "forged", "serial_outside_printed_range", "valid", "duplicate",
        "valid", "recalled", "unknown", "malformed", "rating_lapsed", "forged",
      ])
    #expect(result.stdout.contains("input lot 08935481001012/NTN-2609-02"))
    let text = try Self.ocop(
      store, ["verify", "--on", "2026-11-29"], stdin: scans.joined(separator: "\n"))
    #expect(
      text.stdout.contains(
        "12 scans: 3 valid, 1 recalled, 1 unknown, 3 forged, 1 malformed, 1 rating lapsed, 1 serial outside printed range, 1 duplicate"
      ), "\(text.stdout)")
    // Expired: a lot whose HSD has passed, on its own.
    let expired = try Self.ocop(
      store, ["verify", "--on", "2026-11-29", "\(Self.base)/01/08939973001016/10/CLT-2609-01"])
    #expect(expired.stdout.hasPrefix("EXPIRED"))
    #expect(expired.status == 1)
  }

  @Test func aBundleVerifiesOfflineAndATamperedOneIsRefused() throws {
    let (store, folder) = try Self.store()
    let out = folder + "/labels"
    #expect(try Self.ocop(store, ["print", Self.lot, "--count", "2", "--out", out]).status == 0)
    let bundle = folder + "/bundle.json"
    let trust = folder + "/trust.json"
    #expect(try Self.ocop(store, ["export", "bundle", "--out", bundle]).status == 0)
    #expect(try Self.ocop(store, ["keys", "export", "--out", trust]).status == 0)
    // Offline: no store at all.
    let offline = try CommandRunner.run([
      "verify", "--bundle", bundle, "--trust", trust, out + "/DTNQ-2611-02-2.png",
    ])
    #expect(offline.status == 0, "\(offline.stderr)")
    #expect(offline.stdout.hasPrefix("VALID"))
    // A changed field in a signed body.
    let original = try String(contentsOfFile: bundle, encoding: .utf8)
    let edited = folder + "/edited.json"
    try original.replacingOccurrences(of: "Vùng thốt nốt Lê Trì", with: "Vùng thốt nốt Lê Tri")
      .write(toFile: edited, atomically: true, encoding: .utf8)
    let refused = try CommandRunner.run([
      "verify", "--bundle", edited, "--trust", trust, out + "/DTNQ-2611-02-2.png",
    ])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("bundle \(edited)"), "\(refused.stderr)")
    // Cut short.
    let truncated = folder + "/truncated.json"
    try Data(original.utf8.prefix(original.utf8.count / 2)).write(
      to: URL(fileURLWithPath: truncated))
    let cut = try CommandRunner.run(["verify", "--bundle", truncated, "--trust", trust, "x"])
    #expect(cut.stderr.contains("is not JSON"))
    // The issuer revoked in the verifier's trust list.
    let revoked = folder + "/revoked.json"
    try String(contentsOfFile: trust, encoding: .utf8)
      .replacingOccurrences(of: "\"revoked\":false", with: "\"revoked\":true")
      .replacingOccurrences(of: "\"revoked\" : false", with: "\"revoked\" : true")
      .write(toFile: revoked, atomically: true, encoding: .utf8)
    let untrusted = try CommandRunner.run([
      "verify", "--bundle", bundle, "--trust", revoked, out + "/DTNQ-2611-02-2.png",
    ])
    #expect(untrusted.status == 1)
    #expect(untrusted.stderr.contains("revoked"), "\(untrusted.stderr)")
  }

  @Test func traceRecallAuditAndKeys() throws {
    let (store, _) = try Self.store()
    let backward = try Self.ocop(store, ["trace", "8934462001010/BBTN-2610-01"])
    #expect(backward.stdout.contains("└─ 08935481001029/DTNLT-2609-01"))
    #expect(backward.stdout.contains("└─ 08935481001012/NTN-2609-02"))
    let recall = try Self.ocop(
      store, ["recall", "8935481001012/NTN-2609-02", "--reason", "E. coli"])
    #expect(recall.stdout.contains("reaches 2 lots made from it"))
    #expect(recall.stdout.contains("08934462001010/BBTN-2610-01"))
    let twice = try Self.ocop(store, ["recall", "8935481001012/NTN-2609-02", "--reason", "again"])
    #expect(twice.status == 1)
    let forward = try Self.ocop(store, ["trace", "8935481001012/NTN-2609-02", "--forward"])
    #expect(forward.stdout.contains("RECALLED: E. coli"))
    let audit = try Self.ocop(store, ["audit"])
    #expect(audit.status == 0)
    #expect(audit.stdout.hasPrefix("audit passed: 549 events"), "\(audit.stdout)")
    let keys = try Self.ocop(store, ["keys", "show", "--json"])
    #expect(keys.status == 0)
    // The private key is in no output.
    let keyFile = try Data(
      contentsOf: URL(fileURLWithPath: (store as NSString).deletingPathExtension + ".key"))
    let privateKey = try #require(
      (try JSONSerialization.jsonObject(with: keyFile) as? [String: Any])?["privateKey"]
        as? String)
    #expect(!keys.stdout.contains(privateKey))
    #expect(keys.stdout.contains("\"kid\""))
  }

  @Test func exportsRoundTripAndEPCISPassesTheSchemaAndCBVChecks() throws {
    let (store, folder) = try Self.store()
    #expect(
      try Self.ocop(store, ["recall", "8935481001012/NTN-2609-02", "--reason", "E. coli"]).status
        == 0)
    // CSV out, then into a new store: the same figures.
    let csv = folder + "/csv"
    #expect(try Self.ocop(store, ["export", "csv", "--out", csv]).status == 0)
    let copy = try WorkflowTests.workspace()
    let reimported = try WorkflowTests.ocop(copy, ["import", "all", csv])
    #expect(reimported.status == 0, "\(reimported.stderr)")
    let report = ["report", "--as-of", "2026-11-29", "--json"]
    #expect(try Self.ocop(copy, report).stdout == Self.ocop(store, report).stdout)
    #expect(
      try Self.ocop(copy, ["batch", "list", "--json"]).stdout.replacingOccurrences(
        of: "\"recalled\":true", with: "\"recalled\":false"
      )
      .replacingOccurrences(of: #""event":\d+"#, with: "", options: .regularExpression)
        == Self.ocop(store, ["batch", "list", "--json"]).stdout.replacingOccurrences(
          of: "\"recalled\":true", with: "\"recalled\":false"
        )
        .replacingOccurrences(of: #""event":\d+"#, with: "", options: .regularExpression))
    // EPCIS 2.0, checked by GS1's schema and the CBV rules.
    let epcis = folder + "/angiang.jsonld"
    #expect(try Self.ocop(store, ["export", "epcis", "--out", epcis]).status == 0)
    let checked = try Self.checkEPCIS(epcis)
    #expect(checked.status == 0, "\(checked.stdout)")
    #expect(checked.stdout.hasPrefix("valid: "))
    let document = try String(contentsOfFile: epcis, encoding: .utf8)
    #expect(document.contains("\"disposition\": \"recalled\""))
    #expect(document.contains("\"type\": \"TransformationEvent\""))
    // The checker is not a rubber stamp: a word outside CBV is caught.
    let wrong = folder + "/wrong.jsonld"
    try document.replacingOccurrences(
      of: "\"bizStep\": \"holding\"", with: "\"bizStep\": \"recalling\""
    )
    .write(toFile: wrong, atomically: true, encoding: .utf8)
    let caught = try Self.checkEPCIS(wrong)
    #expect(caught.status == 1)
    #expect(caught.stdout.contains("bizStep 'recalling' is not CBV 2.0 vocabulary"))
  }

  static func checkEPCIS(_ path: String) throws -> CommandRunner.Result {
    let script = URL(fileURLWithPath: WorkflowTests.fixtures).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("scripts/epcis/check.py").path
    let result = try Subprocess.run(["/usr/bin/env", "python3", script, path])
    return CommandRunner.Result(
      status: result.status,
      stdout: String(decoding: result.stdout + result.stderr, as: UTF8.self), stderr: "")
  }
}
