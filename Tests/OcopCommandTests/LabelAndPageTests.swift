import Foundation
import GRDB
import TestSupport
import Testing
import Traceability

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// What the label and the consumer's page show (Vietnam's labelling and traceability
/// rules), on the An Giang data set.
@Suite("What the label and the page show")
struct LabelAndPageTests {
  static let lot = "8932301001016/DTNQ-2609-01"

  static func ocop(_ store: String, _ arguments: [String]) throws -> CommandRunner.Result {
    try CommandRunner.run(arguments + ["--store", store])
  }

  /// A 100×50 mm label of a food product shows every content a food label must, the
  /// producer with its role, and the OCOP mark with its stars.
  @Test func aFoodLabelShowsEveryMandatoryContentTheRoleAndTheOCOPMark() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let printed = try Self.ocop(
      store,
      [
        "print", Self.lot, "--count", "1", "--template", "100x50", "--format", "svg", "--out",
        folder + "/svg",
      ])
    #expect(printed.status == 0, "\(printed.stderr)")
    let name = try #require(
      try FileManager.default.contentsOfDirectory(atPath: folder + "/svg").first {
        $0.hasSuffix(".svg")
      })
    let svg = try String(contentsOfFile: folder + "/svg/" + name, encoding: .utf8)
    for words in [
      ">Đường thốt nốt Tri Tôn hộp quà 1 kg<", "Khối lượng tịnh: 1 kg",
      "Thành phần: Nước thốt nốt 100%", "NSX: 10/09/2026", "HSD: 09/09/2027",
      "Số lô: DTNQ-2609-01", "Hướng dẫn sử dụng: Dùng nấu chè", "Hướng dẫn bảo quản: Bảo quản",
      "Cơ sở sản xuất: Công ty Cổ phần Thốt nốt Bảy Núi", "Địa chỉ: Số 45 đường Lê Lợi",
      "Xuất xứ: Việt Nam", #"aria-label="OCOP 4 sao""#, ">OCOP<",
    ] {
      #expect(svg.contains(words), "\(words)")
    }
    #expect(!svg.contains("quét mã QR"))
    // On 50×30 the contents the law allows go to the trace page, and the label says so.
    let small = try Self.ocop(
      store,
      [
        "print", Self.lot, "--count", "1", "--template", "50x30", "--unsigned", "--format",
        "svg", "--out", folder + "/small",
      ])
    #expect(small.status == 0, "\(small.stderr)")
    #expect(small.stderr.contains("on the trace page"), "\(small.stderr)")
    let smallName = try #require(
      try FileManager.default.contentsOfDirectory(atPath: folder + "/small").first {
        $0.hasSuffix(".svg")
      })
    let smallSVG = try String(contentsOfFile: folder + "/small/" + smallName, encoding: .utf8)
    #expect(smallSVG.contains("quét mã QR"))
    #expect(smallSVG.contains("Cơ sở sản xuất:") && smallSVG.contains("Xuất xứ: Việt Nam"))
    // Asked to keep everything on a 50×30 label: refused before a serial is taken.
    let before = try serialRanges(store)
    let whole = try Self.ocop(
      store,
      [
        "print", Self.lot, "--count", "1", "--template", "50x30", "--unsigned", "--all-on-label",
        "--out", folder + "/whole",
      ])
    #expect(whole.status == 1)
    #expect(whole.stderr.contains("does not fit on the 50x30 label"), "\(whole.stderr)")
    #expect(try serialRanges(store).count == before.count)
    #expect(!FileManager.default.fileExists(atPath: folder + "/whole"))
  }

  /// A food product without its storage instructions: its labels are refused, naming what
  /// is missing, unless asked for; and `ocop check` names what Circular 02 items it lacks.
  @Test func aProductLackingMandatoryContentsIsRefusedAndChecked() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let complete = try Self.ocop(store, ["check"])
    #expect(complete.status == 0, "\(complete.stdout)\(complete.stderr)")
    #expect(
      complete.stdout.contains(
        "checked 53 products and 76 lots: every record carries the ten items of Circular 02/2024/TT-BKHCN"
      ), "\(complete.stdout)")
    #expect(
      try Self.ocop(
        store,
        [
          "product", "add", "--gtin", "8932301009999", "--producer", "1600642064", "--name",
          "Mứt thốt nốt", "--group", "food", "--net", "200", "--unit", "GRM", "--ingredients",
          "Thốt nốt, đường", "--usage", "Ăn liền",
        ]
      ).status == 0)
    #expect(
      try Self.ocop(
        store,
        [
          "batch", "issue", "--gtin", "8932301009999", "--lot", "MTN-1", "--produced", "2026-11-20",
          "--expires", "2027-05-19", "--quantity", "50", "--unit", "KGM", "--area",
          "Vùng thốt nốt Ô Lâm", "--commune", "Xã Ô Lâm", "--province", "An Giang",
        ]
      ).status == 0)
    let refused = try Self.ocop(
      store, ["print", "8932301009999/MTN-1", "--count", "1", "--out", folder + "/mtn"])
    #expect(refused.status == 1)
    #expect(
      refused.stderr.contains(
        "product 08932301009999 lacks what a food label must show: storage (Hướng dẫn bảo quản)"),
      "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: folder + "/mtn"))
    let allowed = try Self.ocop(
      store,
      [
        "print", "8932301009999/MTN-1", "--count", "1", "--allow-missing-fields", "--out",
        folder + "/mtn",
      ])
    #expect(allowed.status == 0, "\(allowed.stderr)")
    #expect(allowed.stderr.contains("warning: product 08932301009999 lacks"))
    let check = try Self.ocop(store, ["check"])
    #expect(check.status == 1)
    #expect(
      check.stdout.contains(
        "product 08932301009999 Mứt thốt nốt: lacks product image (Hình ảnh sản phẩm), standards applied (Tiêu chuẩn áp dụng)"
      ), "\(check.stdout)")
    #expect(check.stdout.contains("lot 08932301009999/MTN-1: lacks production stages"))
    #expect(check.stdout.contains("checked 54 products and 77 lots: 2 records lack items"))
    let json = try Self.ocop(store, ["check", "--gtin", "8932301009999", "--json"])
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(object["complete"] as? Bool == false)
    #expect((object["missing"] as? [Any])?.count == 2)
  }

  /// A stage is recorded with its own time and place, refused when it cannot be (and then
  /// nothing is stored), listed by `batch show`, and exported to EPCIS at its own time, as
  /// the lot's commissioning is at its production date.
  @Test func stagesAreRecordedCheckedAndExportedAtTheirOwnTimes() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let before = try storeFiles(store)
    for (arguments, words) in [
      (
        ["--time", "2028-01-01T08:00+07:00", "--location", "AG-KHO-1"],
        "after the lot's expiry date"
      ),
      (["--time", "2026-11-10T08:00+07:00", "--location", "kho một"], "must be a GLN (13 digits)"),
      (["--time", "2026-11-10T08:00+07:00", "--location", "8932301000018"], "reads as a GLN"),
      (["--time", "10/11/2026", "--location", "AG-KHO-1"], "must be a local time with its offset"),
    ] {
      let refused = try Self.ocop(
        store, ["batch", "stage", Self.lot, "--stage", "storage"] + arguments)
      #expect(refused.status == 1)
      #expect(refused.stderr.contains(words), "\(refused.stderr)")
    }
    #expect(try storeFiles(store) == before)
    let recorded = try Self.ocop(
      store,
      [
        "batch", "stage", Self.lot, "--stage", "bảo quản", "--time", "2026-11-10T08:15+07:00",
        "--location", "AG-KHO-1", "--location-name", "Kho Tri Tôn",
      ])
    #expect(recorded.status == 0, "\(recorded.stderr)")
    #expect(recorded.stdout.contains("recorded storage of lot 08932301001016/DTNQ-2609-01"))
    let shown = try Self.ocop(store, ["batch", "show", Self.lot])
    #expect(
      shown.stdout.contains(
        "stage     2026-11-10T08:15:00+07:00  Bảo quản: Kho Tri Tôn (AG-KHO-1)"),
      "\(shown.stdout)")
    let epcis = folder + "/trace.jsonld"
    #expect(try Self.ocop(store, ["export", "epcis", "--out", epcis]).status == 0)
    #expect(try TraceWorkflowTests.checkEPCIS(epcis).status == 0)
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: epcis)))
        as? [String: Any])
    let events = try #require(
      (document["epcisBody"] as? [String: Any])?["eventList"] as? [[String: Any]])
    let stage = try #require(events.first { $0["ocop:locationCode"] as? String == "AG-KHO-1" })
    #expect(stage["eventTime"] as? String == "2026-11-10T08:15:00+07:00")
    #expect(stage["bizStep"] as? String == "storing")
    #expect(stage["recordTime"] is String)
    // The lot was commissioned on its production date, not when it was recorded.
    let commissioned = try #require(
      events.first {
        $0["bizStep"] as? String == "commissioning" && $0["type"] as? String == "ObjectEvent"
          && (($0["ilmd"] as? [String: Any])?["cbvmda:lotNumber"] as? String) == "DTNQ-2609-01"
      })
    #expect(commissioned["eventTime"] as? String == "2026-09-10T00:00:00+07:00")
    #expect((commissioned["recordTime"] as? String)?.hasPrefix("2026-09-10") == false)
    // Stages at a GLN are at that location; the harvest of a raw material has its bizStep.
    #expect(
      events.contains {
        ($0["bizLocation"] as? [String: Any])?["id"] as? String
          == "https://id.gs1.org/414/8932301000019" && $0["bizStep"] as? String == "packing"
      })
    #expect(
      events.contains {
        $0["bizStep"] as? String == "https://truyxuat.angiang.example/ns/ocop#harvesting"
      })
  }

  /// A product's photo is kept in the store under its SHA-256, which the signed record
  /// names, and the resolver serves exactly those bytes; a file that is not a photo is
  /// refused by name.
  @Test func photosAreKeptByTheirHashAndServed() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let file = WorkflowTests.fixtures + "/photos/8932301001016.jpg"
    let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
    let hash = try PhotoFile(bytes: Array(bytes), file: file).reference.sha256
    let shown = try Self.ocop(store, ["product", "show", "8932301001016"])
    #expect(shown.stdout.contains("photo     image/jpeg \(hash)"), "\(shown.stdout)")
    let server = try ServedStore(["--store", store, "--no-scan-log"])
    defer { server.stop() }
    #expect(server.listening())
    let served = try Self.fetch(port: server.port, "/photos/" + hash)
    #expect(served.status == 200)
    #expect(served.type == "image/jpeg")
    #expect(served.body == bytes)
    #expect(
      try Self.fetch(port: server.port, "/photos/" + String(repeating: "0", count: 64)).status
        == 404)
    #expect(try Self.fetch(port: server.port, "/photos/..%2Focop.key").status == 404)
    // Not a photo: refused by name, nothing stored.
    let before = try storeFiles(store)
    let text = folder + "/not-a-photo.jpg"
    try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
    let refused = try Self.ocop(
      store,
      [
        "product", "add", "--gtin", "8932301009982", "--producer", "1600642064", "--name", "X",
        "--group", "handicrafts", "--net", "1", "--unit", "H87", "--photo", text,
      ])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("is neither a JPEG nor a PNG image"), "\(refused.stderr)")
    #expect(try storeFiles(store) == before)
  }

  /// A photo changed in the store's file behind the toolkit's back is found by the audit,
  /// and the resolver does not serve it.
  @Test func aPhotoChangedInTheStoreIsFoundByTheAudit() throws {
    let store = try StoreTemplate.copy()
    #expect(try Self.ocop(store, ["audit"]).status == 0)
    try SQLiteFile.tamper(store) { db in
      let other = try #require(
        try String.fetchOne(db, sql: "SELECT data FROM photos ORDER BY sha256 LIMIT 1 OFFSET 1"))
      try db.execute(
        sql: "UPDATE photos SET data = ? WHERE sha256 = (SELECT min(sha256) FROM photos)",
        arguments: [other])
    }
    let audit = try Self.ocop(store, ["audit"])
    #expect(audit.status == 1)
    #expect(
      (audit.stdout + audit.stderr).contains("photos row")
        && (audit.stdout + audit.stderr).contains("do not have that hash"),
      "\(audit.stdout)\(audit.stderr)")
  }

  /// The page a phone opens shows what a shopper needs (Circular 02's items, the label's
  /// contents, whom to call), in Vietnamese and in English.
  @Test func thePageShowsWhatAShopperNeedsInBothLanguages() throws {
    let store = try StoreTemplate.copy()
    let server = try ServedStore([
      "--store", store, "--no-scan-log", "--report-contact",
      "Sở KH&CN An Giang, đường dây nóng 0296 3852 000",
    ])
    defer { server.stop() }
    let path = "/01/08932301001016/10/DTNQ-2609-01"
    let page = try server.get(path + "?lang=vi", accept: "text/html")
    #expect(page.status == 200)
    let html = page.body
    for words in [
      #"<img src="/photos/"#, #"alt="Ảnh sản phẩm: Đường thốt nốt Tri Tôn hộp quà 1 kg""#,
      "★★★★ OCOP", "<dt>Thành phần</dt><dd>Nước thốt nốt 100%</dd>", "<dt>Hướng dẫn bảo quản</dt>",
      "<dt>Hướng dẫn sử dụng</dt>",
      "<strong>Cơ sở sản xuất:</strong> Công ty Cổ phần Thốt nốt Bảy Núi",
      #"<a href="tel:02963874215">0296 3874 215</a>"#, "https://thotnotbaynui.example",
      "Xem trên bản đồ", "Quá trình sản xuất", "<strong>Chế biến</strong>",
      "<strong>Đóng gói</strong>", "Mã địa điểm: 8932301000019", "Tiêu chuẩn áp dụng",
      "TCCS 01:2023/TNBN", "Mã sản phẩm (GTIN)", "08932301001016", "Nghi ngờ hàng giả?",
      "Sở KH&amp;CN An Giang, đường dây nóng 0296 3852 000", "ai cũng có thể in ra",
      "Ngày sản xuất (NSX)", "Hạn sử dụng (HSD)", "Khối lượng tịnh",
    ] {
      #expect(html.contains(words), "\(words)")
    }
    // The verdict comes first: before the product's name.
    let verdict = try #require(html.range(of: #"<section class="verdict"#))
    let heading = try #require(html.range(of: "<h1>"))
    #expect(verdict.lowerBound < heading.lowerBound)
    let english = try server.get(path + "?lang=en", accept: "text/html").body
    for words in [
      "How it was made", "<dt>Ingredients</dt>", "Suspect a fake?", "Manufacturer:",
      "anyone can print a code without a signature", "Standards applied", "Photo of the product",
    ] {
      #expect(english.contains(words), "\(words)")
    }
  }

  /// GETs `path` from a server on `port` on loopback: status, content type and bytes.
  static func fetch(port: Int, _ path: String) throws -> (status: Int, type: String?, body: Data) {
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)" + path)!)
    request.timeoutInterval = 5
    let done = DispatchSemaphore(value: 0)
    final class Box: @unchecked Sendable {
      var result: (Data?, HTTPURLResponse?)?
    }
    let box = Box()
    URLSession.shared.dataTask(with: request) { data, response, _ in
      box.result = (data, response as? HTTPURLResponse)
      done.signal()
    }.resume()
    done.wait()
    guard let (data, response) = box.result, let response else {
      throw URLError(.cannotConnectToHost)
    }
    return (
      response.statusCode, response.value(forHTTPHeaderField: "Content-Type"), data ?? Data()
    )
  }
}
