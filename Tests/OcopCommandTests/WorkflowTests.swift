import Foundation
import TestSupport
import Testing

/// The store workflows end to end: `init`, `import`, records and `report`, run as a user
/// runs them, in a fresh folder each.
@Suite("ocop workflows")
struct WorkflowTests {
  static let fixtures = RepositoryFiles.anGiang

  /// A fresh folder with an initialised store.
  static func workspace() throws -> String {
    let folder = NSTemporaryDirectory() + "ocop-workflow-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let result = try CommandRunner.run([
      "init", "--store", folder + "/ag.sqlite", "--resolver", "https://truyxuat.angiang.example",
      "--prefix", "8932301", "--issuer", "Demo",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    return folder + "/ag.sqlite"
  }

  static func ocop(_ store: String, _ arguments: [String]) throws -> CommandRunner.Result {
    try CommandRunner.run(arguments + ["--store", store])
  }

  /// Every record the store holds, as its list commands print them: what must not change
  /// when a command is refused.
  static func snapshot(_ store: String) -> [String] {
    [["producer", "list"], ["product", "list", "--on", "2026-11-29"], ["batch", "list"]].map {
      (try? ocop(store, $0 + ["--json"]).stdout) ?? ""
    }
  }

  @Test func initWritesStoreKeyConfigAndTrustListAndNeverOverwrites() throws {
    let store = try Self.workspace()
    let folder = (store as NSString).deletingLastPathComponent
    for name in ["ag.sqlite", "ag.json", "ag.key", "ag.trust.json"] {
      #expect(FileManager.default.fileExists(atPath: folder + "/" + name), "\(name)")
    }
    let mode = try FileManager.default.attributesOfItem(atPath: folder + "/ag.key")[
      .posixPermissions]
    #expect((mode as? Int) == 0o600)
    let before = Self.snapshot(store)
    let again = try CommandRunner.run([
      "init", "--store", store, "--resolver", "https://x.example", "--prefix", "8932301",
    ])
    #expect(again.status == 1)
    #expect(again.stderr.contains("already exists"))
    #expect(Self.snapshot(store) == before)
    let badPrefix = try CommandRunner.run([
      "init", "--store", folder + "/other.sqlite", "--resolver", "https://x.example", "--prefix",
      "89A",
    ])
    #expect(badPrefix.status == 1)
    #expect(!FileManager.default.fileExists(atPath: folder + "/other.sqlite"))
    #expect(!FileManager.default.fileExists(atPath: folder + "/other.key"))
  }

  @Test func theAnGiangFixturesReproduceTheProvincesFigures() throws {
    let store = try Self.workspace()
    let imported = try Self.ocop(store, ["import", "all", Self.fixtures])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(imported.stdout.contains("imported 31 producers"))
    #expect(imported.stdout.contains("imported 76 batches"))
    let report = try Self.ocop(store, ["report", "--as-of", "2026-11-29", "--json"])
    #expect(report.status == 0)
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
    #expect(json["evaluated"] as? Int == 49)
    let results = try #require(json["byResult"] as? [String: Int])
    #expect(results == ["3 stars": 26, "4 stars": 11, "proposed for 5 stars": 5, "not rated": 7])
    let producers = try #require(json["certifiedProducers"] as? [String: Int])
    #expect(producers == ["household": 12, "enterprise": 13, "cooperative": 3])
    #expect(json["proposingProducers"] as? Int == 2)
    #expect((json["expiring"] as? [Any])?.count == 11)
    let text = try Self.ocop(store, ["report", "--as-of", "29/11/2026"])
    #expect(text.stdout.contains("products evaluated           49"))
    #expect(text.stdout.contains("certified producers          28"))
  }

  /// Bad import files: each refused with its file, line, column and problem, exit 1, and
  /// the store's bytes unchanged.
  @Test(arguments: [
    (
      "producers", "tax_code,kind,name,commune,province\n1600000001,household,A,B,\n",
      ":2: column \"province\": (empty) must not be empty"
    ),
    (
      "producers", "tax_code,kind,name,commune,province\n160000001,household,A,B,C\n",
      ":2: column \"tax_code\": \"160000001\" must be 10 digits"
    ),
    (
      "producers", "Mã số thuế,Loại hình,Tên,Xã,Tỉnh,Màu\n1600000001,household,A,B,C,D\n",
      ":1: column \"Màu\": is not a column of a producers file"
    ),
    (
      "producers", "tax_code,kind,name,commune\n1600000001,household,A,B\n",
      ":1: has no column province"
    ),
    (
      "producers",
      "tax_code,kind,name,commune,province\n1600000001,household,A,B,C\n1600000001,household,D,E,F\n",
      ":3: column \"tax_code\": producer 1600000001 is already on line 2 of this file"
    ),
    (
      "producers", "tax_code,kind,name,commune,province\n1600000001,household,A,B\n",
      ":2: has 4 fields; the header has 5"
    ),
    (
      "products",
      "gtin,producer,name_vi,group,net_amount,net_unit\n8932301000014,1600642064,X,food,500,GRM\n",
      ":2: column \"gtin\": GTIN 8932301000014: check digit should be"
    ),
    (
      "products",
      "gtin,producer,name_vi,group,net_amount,net_unit\n8932301009999,1699999999,X,food,500,GRM\n",
      ":2: column \"producer\": producer 1699999999 does not exist"
    ),
    (
      "products",
      "gtin,producer,name_vi,group,net_amount,net_unit\n8932301009999,1600642064,X,kẹo,500,GRM\n",
      ":2: column \"group\": \"kẹo\" must be"
    ),
    (
      "products",
      "gtin,producer,name_vi,group,net_amount,net_unit\n8932301009999,1600642064,X,food,-5,GRM\n",
      ":2: column \"net_amount\": \"-5\" must be a decimal number"
    ),
    (
      "ratings",
      "gtin,stars,status,decision,decision_date,level\n8932301001016,5,certified,1/QĐ,2026-01-01,provincial\n",
      ":2: column \"stars\": \"5\" 5 stars are certified by the central council"
    ),
    (
      "ratings",
      "gtin,stars,status,decision,decision_date,level\n8932301001016,4,certified,1/QĐ,31/02/2026,provincial\n",
      ":2: column \"decision_date\": \"31/02/2026\" is not a date"
    ),
    (
      "batches",
      "gtin,lot,production_date,expiry_date,quantity,unit,origin_area,origin_commune,origin_province\n8932301001016,LÔ-1,2026-11-02,2027-11-01,5,KGM,A,B,C\n",
      ":2: column \"lot\""
    ),
    (
      "batches",
      "gtin,lot,production_date,expiry_date,quantity,unit,origin_area,origin_commune,origin_province\n8932301001016,DTNQ-2609-01,2026-11-02,2027-11-01,5,KGM,A,B,C\n",
      ":2: column \"lot\": lot 08932301001016/DTNQ-2609-01 already exists"
    ),
    (
      "batches",
      "gtin,lot,production_date,expiry_date,quantity,unit,origin_area,origin_commune,origin_province\n8932301001016,N-1,2026-11-02,2027-11-01,5,KGX,A,B,C\n",
      ":2: column \"unit\": \"KGX\" is not a known UN/ECE unit code"
    ),
    (
      "batches",
      "gtin,lot,production_date,expiry_date,quantity,unit,origin_area,origin_commune,origin_province,latitude,longitude\n8932301001016,N-1,2026-11-02,2027-11-01,5,KGM,A,B,C,95,105\n",
      ":2: column \"latitude\": \"95\" must be decimal degrees"
    ),
    (
      "batches",
      "gtin,lot,production_date,expiry_date,quantity,unit,origin_area,origin_commune,origin_province,inputs\n8932301001016,N-1,2026-11-02,2027-11-01,5,KGM,A,B,C,8932301001016\n",
      ":2: column \"inputs\": \"8932301001016\" must be GTIN/LOT"
    ),
    ("batches", "gtin,lot\n\"8932301001016,N-1\n", ":2: a quoted field is never closed"),
  ])
  func aBadImportFileIsRefusedWhereItIsWrongAndStoresNothing(
    kind: String, contents: String, message: String
  ) throws {
    let store = try Self.workspace()
    #expect(try Self.ocop(store, ["import", "all", Self.fixtures]).status == 0)
    let file = (store as NSString).deletingLastPathComponent + "/bad-\(kind).csv"
    try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
    let before = Self.snapshot(store)
    let result = try Self.ocop(store, ["import", kind, file])
    #expect(result.status == 1)
    #expect(result.stderr.contains(file + message), "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(Self.snapshot(store) == before)
  }

  @Test func spreadsheetFilesWithBOMVietnameseHeadersAndDayFirstDatesImport() throws {
    let store = try Self.workspace()
    let folder = (store as NSString).deletingLastPathComponent
    let csv =
      "\u{FEFF}Mã số thuế,Loại hình,Tên chủ thể,Địa chỉ,Xã,Huyện,Tỉnh\r\n"
      + "1600000001,Hộ kinh doanh,\"Hộ Lê Văn Tám, Tri Tôn\",Ấp Tà Lọt,Xã Lê Trì,Tri Tôn,An Giang\r\n"
    try Data(csv.utf8).write(to: URL(fileURLWithPath: folder + "/p.csv"))
    let result = try Self.ocop(store, ["import", "producers", folder + "/p.csv"])
    #expect(result.status == 0, "\(result.stderr)")
    let shown = try Self.ocop(store, ["producer", "show", "1600000001"])
    #expect(shown.stdout.contains("Hộ Lê Văn Tám, Tri Tôn"))
    #expect(shown.stdout.contains("Ấp Tà Lọt, Xã Lê Trì, Tri Tôn, An Giang"))
    let utf16 = try #require("tax_code\n".data(using: .utf16))
    try utf16.write(to: URL(fileURLWithPath: folder + "/u.csv"))
    let refused = try Self.ocop(store, ["import", "producers", folder + "/u.csv"])
    #expect(refused.stderr.contains("is UTF-16; save it as CSV UTF-8"))
  }

  @Test func recordsAreAddedAndShownOneByOne() throws {
    let store = try Self.workspace()
    #expect(try Self.ocop(store, ["import", "all", Self.fixtures]).status == 0)
    let added = try Self.ocop(
      store,
      [
        "product", "add", "--gtin", "next", "--producer", "1600642064", "--name",
        "Kẹo thốt nốt Tri Tôn", "--group", "food", "--net", "200", "--unit", "GRM", "--json",
      ])
    #expect(added.status == 0, "\(added.stderr)")
    // The fixtures use items 1001… under 8932301; the first free item is 0.
    #expect(added.stdout.contains("\"gtin\":\"08932301000002\""))
    let rated = try Self.ocop(
      store,
      [
        "product", "rate", "8932301000002", "--stars", "3", "--status", "certified",
        "--decision", "99/QĐ-UBND", "--date", "01/10/2026", "--level", "provincial",
      ])
    #expect(rated.status == 0, "\(rated.stderr)")
    let issued = try Self.ocop(
      store,
      [
        "batch", "issue", "--gtin", "8932301000002", "--lot", "KTN-2611-01", "--produced",
        "2026-11-03", "--expires", "2027-05-03", "--quantity", "300", "--unit", "KGM", "--area",
        "Vùng thốt nốt Ô Lâm", "--commune", "Xã Ô Lâm", "--province", "An Giang", "--input",
        "8935481001012/NTN-2611-05",
      ])
    #expect(issued.status == 0, "\(issued.stderr)")
    #expect(issued.stdout.contains("3★ OCOP (99/QĐ-UBND)"))
    let shown = try Self.ocop(store, ["batch", "show", "8932301000002/KTN-2611-01"])
    #expect(shown.stdout.contains("NSX       03/11/2026"))
    #expect(shown.stdout.contains("input     08935481001012/NTN-2611-05"))
    let early = try Self.ocop(
      store,
      [
        "batch", "issue", "--gtin", "8932301000002", "--lot", "KTN-2609-01", "--produced",
        "2026-09-01", "--expires", "2027-03-01", "--quantity", "1", "--unit", "KGM", "--area",
        "A", "--commune", "B", "--province", "C",
      ])
    #expect(early.stdout.contains("no OCOP rating"))
    let unknown = try Self.ocop(store, ["batch", "show", "8932301000002/NOPE"])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("lot 08932301000002/NOPE does not exist"))
  }

  @Test func aMissingStoreSaysHowToMakeOne() throws {
    let result = try CommandRunner.run(["producer", "list", "--store", "/nonexistent/x.sqlite"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("ocop init --store /nonexistent/x.sqlite"))
  }
}

/// A workspace found by its config file rather than by the store's file name.
@Suite("Workspace config")
struct WorkspaceConfigTests {
  @Test func aNamedConfigNamesTheStoreKeyAndTrustListAndWorksFromAnywhere() throws {
    let folder = TemporaryFolder("ocop-config")
    let config = folder.file("office/ocop.json")
    try FileManager.default.createDirectory(
      atPath: folder.file("office"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
      atPath: folder.file("data"), withIntermediateDirectories: true)
    let created = try CommandRunner.run([
      "init", "--config", config, "--store", folder.file("data/ag.sqlite"), "--resolver",
      "https://truyxuat.angiang.example", "--prefix", "8932301",
    ])
    #expect(created.status == 0, "\(created.stderr)")
    for file in ["office/ocop.json", "office/ocop.key", "office/ocop.trust.json", "data/ag.sqlite"]
    {
      #expect(FileManager.default.fileExists(atPath: folder.file(file)), "\(file)")
    }
    // Nothing was written beside the store but the store.
    #expect(!FileManager.default.fileExists(atPath: folder.file("data/ag.json")))
    let settings = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: config)))
        as? [String: String])
    #expect(settings["store"] == folder.file("data/ag.sqlite"))
    #expect(settings["trustList"] == "ocop.trust.json")
    // OCOP_CONFIG alone finds everything, from another working folder.
    let imported = try CommandRunner.run(
      ["import", "all", WorkflowTests.fixtures], in: folder.path,
      environment: ["OCOP_CONFIG": config])
    #expect(imported.status == 0, "\(imported.stderr)")
    let listed = try CommandRunner.run(
      ["batch", "list", "--config", config, "--json"], in: folder.file("data"))
    #expect(listed.status == 0, "\(listed.stderr)")
    #expect(listed.stdout.split(separator: "\n").count == 76)
    let audited = try CommandRunner.run(["audit", "--config", config])
    #expect(audited.status == 0, "\(audited.stderr)")
    // --store still wins over the config's store.
    let other = try CommandRunner.run(
      ["batch", "list", "--config", config, "--store", folder.file("data/none.sqlite")])
    #expect(other.status == 1)
    #expect(other.stderr.contains(folder.file("data/none.sqlite")))
    // A named config that is missing is named.
    let missing = try CommandRunner.run(
      [
        "batch", "list", "--config", folder.file("nowhere.json"), "--store",
        folder.file("data/ag.sqlite"),
      ])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("config \(folder.file("nowhere.json")) does not exist"))
  }
}
