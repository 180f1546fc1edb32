import Foundation
import TestSupport
import Testing

/// Two producers with their own stores, keys and prefixes, and the province that takes in
/// their logs; a retailer checks both producers' labels offline against the province's
/// signed trust list.
@Suite("Federation: producers, a province and a retailer, through the command line")
struct FederationWorkflowTests {
  let folder = TemporaryFolder("ocop-federation-cli")
  let resolver = "https://truyxuat.angiang.example"

  @discardableResult
  func ok(_ arguments: [String], environment: [String: String] = [:]) throws
    -> CommandRunner.Result
  {
    let result = try CommandRunner.run(arguments, environment: environment)
    #expect(result.status == 0, "ocop \(arguments.joined(separator: " ")): \(result.stderr)")
    return result
  }

  func write(_ name: String, _ text: String) throws {
    try FileManager.default.createDirectory(
      atPath: (folder.file(name) as NSString).deletingLastPathComponent,
      withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: folder.file(name)))
  }

  func labels(_ name: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder.file(name))
      .filter { $0.hasSuffix(".png") }.sorted().map { folder.file(name + "/" + $0) }
  }

  func kids(_ trustFile: String) throws -> [String: String] {
    let data = try Data(contentsOf: URL(fileURLWithPath: trustFile))
    let list = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let issuers = try #require(list["issuers"] as? [[String: Any]])
    return Dictionary(
      uniqueKeysWithValues: issuers.compactMap { entry in
        (entry["name"] as? String).flatMap { name in (entry["kid"] as? String).map { (name, $0) } }
      })
  }

  /// The sap cooperative (prefix 8935481): a store, a lot of sap, labels, a bundle.
  func cooperative() throws -> String {
    try write(
      "s/producers.csv",
      "tax_code,kind,name,address,commune,district,province\n"
        + "1601389958,cooperative,Hợp tác xã Thốt nốt Tri Tôn,Ấp Trung An,Xã Lê Trì,Tri Tôn,An Giang\n"
    )
    try write(
      "s/products.csv",
      "gtin,producer,name_vi,group,net_amount,net_unit\n"
        + "8935481001012,1601389958,Nước thốt nốt tươi Lê Trì,drinks,1,LTR\n")
    try write(
      "s/batches.csv",
      "gtin,lot,production_date,expiry_date,quantity,unit,origin_area,origin_commune,origin_province\n"
        + "8935481001012,NTN-2611-20,2026-11-20,2027-11-19,3000,LTR,Vùng thốt nốt Lê Trì,Xã Lê Trì,An Giang\n"
    )
    let store = folder.file("s/s.sqlite")
    try ok([
      "init", "--store", store, "--resolver", resolver, "--prefix", "8935481", "--issuer",
      "HTX Thốt nốt Tri Tôn",
    ])
    try ok(["import", "all", folder.file("s"), "--store", store])
    try ok([
      "print", "8935481001012/NTN-2611-20", "--count", "2", "--out", folder.file("s/labels"),
      "--allow-missing-fields", "--store", store,
    ])
    try ok(["export", "bundle", "--out", folder.file("s/bundle-1.json"), "--store", store])
    try ok(["keys", "export", "--out", folder.file("s/trust.json"), "--store", store])
    return store
  }

  /// The sugar maker (prefix 8932301): takes in the cooperative's log, makes sugar from its
  /// sap, claims 4 stars it recorded itself, prints labels, exports.
  func sugarMaker() throws -> String {
    try write(
      "a/producers.csv",
      "tax_code,kind,name,address,commune,district,province\n"
        + "1600642064,enterprise,Công ty Cổ phần Thốt nốt Bảy Núi,Số 45 Lê Lợi,Thị trấn Tri Tôn,Tri Tôn,An Giang\n"
    )
    try write(
      "a/products.csv",
      "gtin,producer,name_vi,group,net_amount,net_unit\n"
        + "8932301001016,1600642064,Đường thốt nốt Tri Tôn hộp quà 1 kg,food,1,KGM\n")
    try write(
      "a/ratings.csv",
      "gtin,stars,status,decision,decision_date,level\n"
        + "8932301001016,4,certified,112/QĐ-UBND,2025-01-16,provincial\n")
    let store = folder.file("a/a.sqlite")
    try ok([
      "init", "--store", store, "--resolver", resolver, "--prefix", "8932301", "--issuer",
      "Công ty Thốt nốt Bảy Núi",
    ])
    try ok(["import", "all", folder.file("a"), "--store", store])
    try ok([
      "keys", "import", folder.file("s/trust.json"), "--prefix", "8935481", "--role", "batches",
      "--store", store,
    ])
    try ok(["import", "bundle", folder.file("s/bundle-1.json"), "--store", store])
    try ok([
      "batch", "issue", "--gtin", "8932301001016", "--lot", "DTNQ-2611-09", "--produced",
      "2026-11-25", "--expires", "2027-11-24", "--quantity", "800", "--unit", "KGM", "--area",
      "Vùng thốt nốt Ô Lâm", "--commune", "Xã Ô Lâm", "--province", "An Giang", "--input",
      "8935481001012/NTN-2611-20", "--store", store,
    ])
    try ok([
      "print", "8932301001016/DTNQ-2611-09", "--count", "2", "--out", folder.file("a/labels"),
      "--allow-missing-fields", "--store", store,
    ])
    try ok(["export", "bundle", "--out", folder.file("a/bundle-1.json"), "--store", store])
    try ok(["keys", "export", "--out", folder.file("a/trust.json"), "--store", store])
    return store
  }

  @Test func twoProducersAProvinceAndARetailer() throws {
    let sap = try cooperative()
    _ = try sugarMaker()
    let province = folder.file("p/p.sqlite")
    try FileManager.default.createDirectory(
      atPath: folder.file("p"), withIntermediateDirectories: true)
    try ok([
      "init", "--store", province, "--resolver", resolver, "--prefix", "8930000", "--issuer",
      "Văn phòng OCOP An Giang",
    ])
    let sapKid = try #require(try kids(folder.file("s/trust.json"))["HTX Thốt nốt Tri Tôn"])
    let sugarKid = try #require(try kids(folder.file("a/trust.json"))["Công ty Thốt nốt Bảy Núi"])
    // The sugar maker's list holds the cooperative's key too: one must be named.
    let ambiguous = try CommandRunner.run([
      "keys", "import", folder.file("a/trust.json"), "--prefix", "8932301", "--store", province,
    ])
    #expect(ambiguous.status == 1)
    #expect(ambiguous.stderr.contains("name the one to scope with --kid"), "\(ambiguous.stderr)")
    try ok([
      "keys", "import", folder.file("s/trust.json"), "--prefix", "8935481", "--store", province,
    ])
    try ok([
      "keys", "import", folder.file("a/trust.json"), "--kid", sugarKid, "--prefix", "8932301",
      "--role", "batches", "--store", province,
    ])
    // Both bundles; the sugar maker's carries the cooperative's events, held already.
    let first = try ok(["import", "bundle", folder.file("s/bundle-1.json"), "--store", province])
    #expect(first.stdout.contains("imported 4 events"), "\(first.stdout)")
    #expect(first.stdout.contains("HTX Thốt nốt Tri Tôn (\(sapKid))"), "\(first.stdout)")
    let second = try ok(["import", "bundle", folder.file("a/bundle-1.json"), "--store", province])
    #expect(second.stdout.contains("0 events added, 4 held already"), "\(second.stdout)")
    let again = try ok(["import", "bundle", folder.file("a/bundle-1.json"), "--store", province])
    #expect(again.stdout.contains("imported 0 events"), "\(again.stdout)")
    // A later bundle from the cooperative adds only its new events.
    try ok([
      "batch", "issue", "--gtin", "8935481001012", "--lot", "NTN-2611-21", "--produced",
      "2026-11-21", "--expires", "2027-11-20", "--quantity", "2000", "--unit", "LTR", "--area",
      "Vùng thốt nốt Lê Trì", "--commune", "Xã Lê Trì", "--province", "An Giang", "--store", sap,
    ])
    try ok(["export", "bundle", "--out", folder.file("s/bundle-2.json"), "--store", sap])
    let later = try ok(["import", "bundle", folder.file("s/bundle-2.json"), "--store", province])
    #expect(later.stdout.contains("imported 1 event from"), "\(later.stdout)")
    // The cooperative claims a GTIN under the sugar maker's prefix: refused, nothing kept.
    try ok([
      "product", "add", "--gtin", "8932301009999", "--producer", "1601389958", "--name",
      "Đường giả", "--group", "food", "--net", "1", "--unit", "KGM", "--store", sap,
    ])
    try ok(["export", "bundle", "--out", folder.file("s/bundle-3.json"), "--store", sap])
    let before = try ok(["audit", "--store", province]).stdout
    let forged = try CommandRunner.run([
      "import", "bundle", folder.file("s/bundle-3.json"), "--store", province,
    ])
    #expect(forged.status == 1)
    #expect(
      forged.stderr.contains("may sign only for company prefix 8935481, and GTIN 08932301009999"),
      "\(forged.stderr)")
    #expect(forged.stderr.contains("nothing was imported"))
    #expect(try ok(["audit", "--store", province]).stdout == before)

    // The retailer, before the office has decided on the stars.
    let environment = ["XDG_STATE_HOME": folder.file("retailer-state")]
    try ok(["export", "bundle", "--out", folder.file("p/bundle-1.json"), "--store", province])
    try ok(["keys", "export", "--out", folder.file("p/trust.json"), "--store", province])
    let sugarLabels = try labels("a/labels")
    let sapLabels = try labels("s/labels")
    #expect(sugarLabels.count == 2 && sapLabels.count == 2)
    let lapsed = try CommandRunner.run(
      [
        "verify", "--bundle", folder.file("p/bundle-1.json"), "--trust",
        folder.file("p/trust.json"),
        "--require-signature", "--on", "2026-12-01", sugarLabels[0],
      ], environment: environment)
    #expect(lapsed.status == 1)
    #expect(lapsed.stdout.contains("RATING LAPSED"), "\(lapsed.stdout)")
    #expect(lapsed.stdout.contains("not trusted for ratings"), "\(lapsed.stdout)")

    // Nor do the programme's figures count the producer's own decision.
    let figures = try ok(["report", "--as-of", "2026-12-01", "--json", "--store", province])
    #expect(figures.stdout.contains(#""evaluated":0"#), "\(figures.stdout)")

    // The office records the decision, signs its trust list with its root, exports.
    try ok([
      "product", "rate", "8932301001016", "--stars", "4", "--status", "certified", "--decision",
      "112/QĐ-UBND", "--date", "2025-01-16", "--level", "provincial", "--store", province,
    ])
    let audit = try ok(["audit", "--store", province])
    #expect(audit.stdout.contains("audit passed"))
    let after = try ok(["report", "--as-of", "2026-12-01", "--json", "--store", province])
    #expect(after.stdout.contains(#""evaluated":1"#), "\(after.stdout)")
    // The province's EPCIS document holds the producers' events, as theirs, and is valid.
    let epcis = folder.file("p/an-giang.jsonld")
    try ok(["export", "epcis", "--out", epcis, "--store", province])
    let document = try String(contentsOfFile: epcis, encoding: .utf8)
    #expect(document.contains("TransformationEvent"))
    #expect(document.contains("NTN-2611-21"))
    let checkedEPCIS = try TraceWorkflowTests.checkEPCIS(epcis)
    #expect(checkedEPCIS.status == 0, "\(checkedEPCIS.stdout)")
    try ok([
      "keys", "root", "--name", "Văn phòng OCOP An Giang (gốc)", "--key", folder.file("root.key"),
      "--anchor", folder.file("root-anchor.json"),
    ])
    let signed = folder.file("p/signed-trust.json")
    try ok([
      "keys", "sign-trust", "--root", folder.file("root.key"), "--out", signed, "--expires",
      "2099-01-01", "--store", province,
    ])
    try ok(["export", "bundle", "--out", folder.file("p/bundle-2.json"), "--store", province])
    let checked = try ok(
      [
        "verify", "--bundle", folder.file("p/bundle-2.json"), "--trust", signed, "--anchor",
        folder.file("root-anchor.json"), "--require-signature", "--on", "2026-12-01",
      ] + sugarLabels + sapLabels, environment: environment)
    #expect(checked.stdout.contains("4 scans: 4 valid"), "\(checked.stdout)")
    #expect(checked.stderr.contains("signed trust list 1 of root"), "\(checked.stderr)")
    #expect(checked.stderr.contains("bundle \(folder.file("p/bundle-2.json")): exported"))

    // A list signed by another root, and an older list of the same root, are refused.
    try ok([
      "keys", "root", "--name", "Kẻ giả mạo", "--key", folder.file("other.key"), "--anchor",
      folder.file("other-anchor.json"),
    ])
    let wrong = try CommandRunner.run(
      [
        "verify", "--bundle", folder.file("p/bundle-2.json"), "--trust", signed, "--anchor",
        folder.file("other-anchor.json"), sugarLabels[0],
      ], environment: ["XDG_STATE_HOME": folder.file("other-state")])
    #expect(wrong.status == 1)
    #expect(wrong.stderr.contains("which is not a trust anchor here"), "\(wrong.stderr)")
    let older = folder.file("p/older-trust.json")
    try FileManager.default.copyItem(atPath: signed, toPath: older)
    try ok([
      "keys", "sign-trust", "--root", folder.file("root.key"), "--out", signed, "--expires",
      "2099-01-01", "--store", province,
    ])
    try ok(
      [
        "verify", "--bundle", folder.file("p/bundle-2.json"), "--trust", signed, "--anchor",
        folder.file("root-anchor.json"), "--on", "2026-12-01", sugarLabels[0],
      ], environment: environment)
    let replayed = try CommandRunner.run(
      [
        "verify", "--bundle", folder.file("p/bundle-2.json"), "--trust", older, "--anchor",
        folder.file("root-anchor.json"), sugarLabels[0],
      ], environment: environment)
    #expect(replayed.status == 1)
    #expect(replayed.stderr.contains("is list 1 of root"), "\(replayed.stderr)")
    #expect(replayed.stderr.contains("older than list 2"), "\(replayed.stderr)")

    // The office revokes the sugar maker's key from now: what it signed before stays
    // valid (its labels were printed before), what it signs after is refused.
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    let now = formatter.string(from: Date())
    let revoked = try ok(["keys", "revoke", sugarKid, "--from", now, "--store", province])
    #expect(revoked.stdout.contains("what it signed before stays valid"), "\(revoked.stdout)")
    let printedBefore = try ok([
      "verify", "--require-signature", "--on", "2026-12-01", sugarLabels[0], "--store", province,
    ])
    #expect(printedBefore.stdout.contains("1 scan: 1 valid"), "\(printedBefore.stdout)")
    #expect(try ok(["audit", "--store", province]).stdout.contains("audit passed"))
    Thread.sleep(forTimeInterval: 0.01)
    try ok([
      "recall", "8932301001016/DTNQ-2611-09", "--reason", "Kiểm tra", "--store",
      folder.file("a/a.sqlite"),
    ])
    try ok([
      "export", "bundle", "--out", folder.file("a/bundle-2.json"), "--store",
      folder.file("a/a.sqlite"),
    ])
    let afterwards = try CommandRunner.run([
      "import", "bundle", folder.file("a/bundle-2.json"), "--store", province,
    ])
    #expect(afterwards.status == 1)
    #expect(afterwards.stderr.contains("was revoked from"), "\(afterwards.stderr)")
    // Revoked without a date: nothing it signed is accepted, its labels are forged.
    try ok(["keys", "revoke", sugarKid, "--store", province])
    let forgedLabel = try CommandRunner.run([
      "verify", "--on", "2026-12-01", sugarLabels[0], "--store", province,
    ])
    #expect(forgedLabel.status == 1)
    #expect(forgedLabel.stdout.contains("FORGED"), "\(forgedLabel.stdout)")
    #expect(forgedLabel.stdout.contains("has been revoked"), "\(forgedLabel.stdout)")
  }
}
