import Foundation
import TestSupport
import Testing

/// What `ocop` does by default with lots past their expiry date (HSD): warns when one is
/// issued, refuses to print labels for one or to use one as an input, unless asked to.
/// (The refusals, and that nothing is stored by them, are in `BadInputTests`.)
@Suite("Safe defaults")
struct SafeDefaultsTests {
  static let expired = "8934462001010/BBTN-2610-01"

  @Test func anExpiredLotIsIssuedWithAWarningAndUsedOrPrintedOnlyWhenAskedTo() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let issue = [
      "batch", "issue", "--gtin", "8932301001016", "--quantity", "10", "--unit", "KGM",
      "--area", "Vùng thốt nốt Ô Lâm", "--commune", "Xã Ô Lâm", "--province", "An Giang",
      "--store", store,
    ]
    // A lot recorded after its HSD (a late entry): stored, with a warning.
    let late = try CommandRunner.run(
      issue + ["--lot", "LATE-1", "--produced", "2026-01-05", "--expires", "2026-02-04"])
    #expect(late.status == 0, "\(late.stderr)")
    #expect(
      late.stderr
        == "ocop: warning: lot 08932301001016/LATE-1 is already expired (HSD 04/02/2026); it was recorded\n"
    )
    // An input past its HSD, accepted when asked for.
    let used = try CommandRunner.run(
      issue + [
        "--lot", "USED-1", "--produced", "2026-11-20", "--expires", "2027-11-19", "--input",
        Self.expired, "--allow-expired-input",
      ])
    #expect(used.status == 0, "\(used.stderr)")
    #expect(used.stderr.isEmpty, "\(used.stderr)")
    // Labels for an expired lot, printed when asked for, with the warning.
    let printed = try CommandRunner.run([
      "print", Self.expired, "--count", "1", "--allow-expired", "--out", folder + "/old",
      "--store", store,
    ])
    #expect(printed.status == 0, "\(printed.stderr)")
    #expect(
      printed.stderr.contains("warning: lot 08934462001010/BBTN-2610-01 expired on 15/11/2026"))
    #expect(FileManager.default.fileExists(atPath: folder + "/old/BBTN-2610-01-1.png"))
    #expect(
      printed.stdout.hasPrefix("printed 1 label for lot 08934462001010/BBTN-2610-01, serial 1 "))
    // Lists and shows name what a reader needs: the product, its producer, what is expired.
    let list = try CommandRunner.run(["batch", "list", "--gtin", "8934462001010", "--store", store])
    #expect(
      list.stdout.split(separator: "\n").first { $0.contains("BBTN-2610-01") }?.hasSuffix("EXPIRED")
        == true, "\(list.stdout)")
    let shown = try CommandRunner.run(["batch", "show", Self.expired, "--store", store])
    #expect(
      shown.stdout.contains("  product   Bánh bò thốt nốt Nhà Bàng hộp 10 cái"), "\(shown.stdout)")
    #expect(shown.stdout.contains("  producer  Hộ kinh doanh Nguyễn Thị Lan (1600227572)"))
    #expect(shown.stdout.contains("EXPIRED"))
    let product = try CommandRunner.run(["product", "show", "8934462001010", "--store", store])
    #expect(product.stdout.contains("  producer  Hộ kinh doanh Nguyễn Thị Lan (1600227572)"))
  }
}

/// Options take Vietnamese as well as English values, as the spreadsheet columns do, and a
/// value written as people write it is answered with the code to write.
@Suite("Vietnamese option values")
struct VietnameseValuesTests {
  @Test func kindGroupStatusAndLevelAreReadInVietnamese() throws {
    let store = try WorkflowTests.workspace()
    for arguments in [
      [
        "producer", "add", "--tax-code", "1600642064", "--kind", "hộ gia đình", "--name",
        "Hộ Nguyễn Văn A", "--commune", "Xã Lê Trì", "--province", "An Giang",
      ],
      [
        "product", "add", "--gtin", "8932301009999", "--producer", "1600642064", "--name",
        "Đường thốt nốt", "--group", "Thực phẩm", "--net", "500", "--unit", "GRM",
      ],
      [
        "product", "rate", "8932301009999", "--stars", "3", "--status", "công nhận",
        "--decision", "1/QĐ-UBND", "--date", "2026-01-10", "--level", "tỉnh",
      ],
    ] {
      let result = try CommandRunner.run(arguments + ["--store", store])
      #expect(result.status == 0, "\(arguments[0]) \(arguments[1]): \(result.stderr)")
    }
    let product = try CommandRunner.run([
      "product", "show", "8932301009999", "--json", "--store", store,
    ])
    #expect(product.stdout.contains("\"group\":\"food\""), "\(product.stdout)")
    let producer = try CommandRunner.run([
      "producer", "show", "1600642064", "--json", "--store", store,
    ])
    #expect(producer.stdout.contains("\"kind\":\"household\""), "\(producer.stdout)")
    // A unit written as on a label is answered with its code.
    let grams = try CommandRunner.run([
      "product", "add", "--gtin", "next", "--producer", "1600642064", "--name", "Mật",
      "--group", "food", "--net", "500", "--unit", "g", "--store", store,
    ])
    #expect(grams.status == 1)
    #expect(
      grams.stderr.contains("is not a known UN/ECE unit code (for g, write GRM)"), "\(grams.stderr)"
    )
  }
}

/// A cooperative that has no GS1 company prefix yet works in a trial workspace: everything
/// works, its labels are marked, and its codes are refused where only real ones may pass.
@Suite("Trial workspace")
struct TrialWorkspaceTests {
  @Test func aTrialWorksEndToEndAndItsCodesAreRefusedWhereRealOnesAreRequired() async throws {
    let folder = NSTemporaryDirectory() + "ocop-trial-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let store = folder + "/thu-nghiem.sqlite"
    func ocop(_ arguments: [String]) throws -> CommandRunner.Result {
      try CommandRunner.run(arguments + ["--store", store])
    }
    let made = try CommandRunner.run(["init", "--trial", "--store", store])
    #expect(made.status == 0, "\(made.stderr)")
    #expect(made.stdout.contains("company prefix 9528930"), "\(made.stdout)")
    #expect(made.stdout.contains("TRIAL"), "\(made.stdout)")
    for arguments in [
      [
        "producer", "add", "--tax-code", "1600642064", "--kind", "hợp tác xã", "--name",
        "HTX Thốt nốt Tri Tôn", "--commune", "Xã Lê Trì", "--province", "An Giang",
      ],
      [
        "product", "add", "--gtin", "next", "--producer", "1600642064", "--name",
        "Đường thốt nốt", "--group", "thực phẩm", "--net", "500", "--unit", "GRM",
        "--ingredients", "Nước thốt nốt 100%", "--storage", "Nơi khô ráo", "--usage", "Nấu chè",
      ],
      [
        "batch", "issue", "--gtin", "9528930000002", "--lot", "T-1", "--produced", "2026-11-20",
        "--expires", "2099-11-19", "--quantity", "100", "--unit", "KGM", "--area", "Vùng Lê Trì",
        "--commune", "Xã Lê Trì", "--province", "An Giang",
      ],
    ] {
      let result = try ocop(arguments)
      #expect(result.status == 0, "\(arguments[0]): \(result.stderr)")
    }
    let printed = try ocop([
      "print", "9528930000002/T-1", "--count", "1", "--json", "--out", folder + "/labels",
    ])
    #expect(printed.status == 0, "\(printed.stderr)")
    let url = try #require(
      (try JSONSerialization.jsonObject(with: Data(printed.stdout.utf8)) as? [String: Any])?[
        "firstURL"] as? String)
    #expect(url.hasPrefix("https://truyxuat.thu-nghiem.example/01/09528930000002/10/T-1/21/1"))
    // In the trial, its code is valid, and says what it is; where a signature is required,
    // or in a real workspace, it is refused as a trial's.
    let valid = try ocop(["verify", "--json", url])
    #expect(valid.stdout.contains(#""verdict":"valid""#), "\(valid.stdout)")
    #expect(valid.stdout.contains("trial code (GS1 prefix 952)"), "\(valid.stdout)")
    let required = try ocop(["verify", "--json", "--require-signature", url])
    #expect(required.status == 1)
    #expect(required.stdout.contains(#""verdict":"trial""#), "\(required.stdout)")
    let real = try CommandRunner.run([
      "verify", "--json", "--store", try StoreTemplate.copy(), "--resolver",
      "https://truyxuat.thu-nghiem.example", url,
    ])
    #expect(real.stdout.contains(#""verdict":"trial""#), "\(real.stdout)")
    // The trial's own resolver shows the code with a banner that says it is a sample.
    let server = try ServedStore(["--store", store, "--no-scan-log"])
    defer { server.stop() }
    let page = try? server.get(
      String(url.dropFirst("https://truyxuat.thu-nghiem.example".count)), accept: "text/html")
    #expect(page?.status == 200)
    // In the language the client asks for (this one's locale may be English).
    let body = page?.body ?? ""
    #expect(
      body.contains("MẪU THỬ — KHÔNG BÁN") || body.contains("SAMPLE — NOT FOR SALE"),
      "\(body.prefix(3000))")
  }
}

/// What a retailer sees when checking codes: where each verdict came from, a pointer to the
/// offline check when there is no store, and a warning when the producer's files are old.
@Suite("A retailer's checks")
struct RetailerChecksTests {
  @Test func verdictsNameTheirSourceAndOldFilesAreWarnedAbout() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let label = folder + "/labels/DTNQ-2611-02-1.png"
    let offline = [
      "verify", "--bundle", folder + "/bundle.json", "--trust", folder + "/trust.json",
    ]
    // An image names the file; a stream names the line (blank lines counted).
    let image = try CommandRunner.run(offline + ["--json", label])
    #expect(image.stdout.contains(#""source":{"code":1,"file":"\#(label)"}"#), "\(image.stdout)")
    let url = try #require(
      image.stdout.split(separator: "\n").first.flatMap {
        (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["scan"]
          as? String
      })
    let stream = try CommandRunner.run(offline, stdin: "nonsense\n\n" + url + "\n")
    let lines = stream.stdout.split(separator: "\n")
    #expect(lines.first?.hasSuffix("[line 1]") == true, "\(stream.stdout)")
    #expect(lines.dropFirst().first?.hasSuffix("[line 3]") == true, "\(stream.stdout)")
    // Files exported long before the day checked on are warned about, once each.
    let late = try CommandRunner.run(offline + ["--on", "2099-01-01", label])
    #expect(
      late.stderr.contains("warning: bundle \(folder)/bundle.json was exported"), "\(late.stderr)")
    #expect(late.stderr.contains("more than --max-age 7"), "\(late.stderr)")
    let unwarned = try CommandRunner.run(offline + ["--on", "2099-01-01", "--max-age", "0", label])
    #expect(!unwarned.stderr.contains("warning"), "\(unwarned.stderr)")
    // A phone's photo (JPEG) of the label is read as the PNG is.
    let pgm = folder + "/label.pgm"
    let photo = folder + "/label.jpg"
    try Self.jpeg(fromPNG: label, pgm: pgm, jpeg: photo)
    let fromPhoto = try CommandRunner.run(offline + ["--json", photo])
    #expect(fromPhoto.status == 0, "\(fromPhoto.stdout)\(fromPhoto.stderr)")
    #expect(fromPhoto.stdout.contains(#""verdict":"valid""#), "\(fromPhoto.stdout)")
    try Data("GIF89a".utf8).write(to: URL(fileURLWithPath: folder + "/label.gif"))
    let gif = try CommandRunner.run(offline + [folder + "/label.gif"])
    #expect(gif.stderr.contains("is neither a PNG nor a JPEG file"), "\(gif.stderr)")
    // Without a store, the refusal says how to check offline.
    let none = try CommandRunner.run(["verify", url, "--store", folder + "/none.sqlite"])
    #expect(none.status == 1)
    #expect(
      none.stderr.contains("ocop verify --bundle BUNDLE.json --trust TRUST.json"), "\(none.stderr)")
  }

  /// Converts a PNG label into a JPEG "photo": the PNG's grey pixels (read with Python's
  /// zlib, no project code) as PGM, then cjpeg.
  static func jpeg(fromPNG png: String, pgm: String, jpeg: String) throws {
    let script = """
      import struct, sys, zlib
      data = open(sys.argv[1], 'rb').read()
      pos, chunks = 8, {}
      idat = b''
      while pos < len(data):
          n, = struct.unpack('>I', data[pos:pos+4]); kind = data[pos+4:pos+8]
          body = data[pos+8:pos+8+n]; pos += 12 + n
          if kind == b'IHDR': w, h, depth, colour = struct.unpack('>IIBB', body[:10])
          if kind == b'IDAT': idat += body
      raw = zlib.decompress(idat)
      assert colour == 0 and depth in (1, 8)
      stride = (w * depth + 7) // 8
      rows, prev = [], bytearray(stride)
      bpp = 1
      for y in range(h):
          f = raw[y*(stride+1)]; line = bytearray(raw[y*(stride+1)+1:(y+1)*(stride+1)])
          for i in range(stride):
              a = line[i-bpp] if i >= bpp else 0; b = prev[i]; c = prev[i-bpp] if i >= bpp else 0
              if f == 1: line[i] = (line[i] + a) & 255
              elif f == 2: line[i] = (line[i] + b) & 255
              elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
              elif f == 4:
                  p = a + b - c; pa, pb, pc = abs(p-a), abs(p-b), abs(p-c)
                  line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
          prev = line
          if depth == 8: rows.append(bytes(line))
          else: rows.append(bytes(255 if (line[x//8] >> (7 - x % 8)) & 1 else 0 for x in range(w)))
      open(sys.argv[2], 'wb').write(b'P5\\n%d %d\\n255\\n' % (w, h) + b''.join(rows))
      """
    for (tool, arguments) in [
      ("/usr/bin/env", ["python3", "-c", script, png, pgm]),
      ("/usr/bin/cjpeg", ["-quality", "80", "-outfile", jpeg, pgm]),
    ] {
      let result = try Subprocess.run([tool] + arguments)
      try #require(
        result.status == 0,
        "\(tool) \(arguments.prefix(1)): \(String(decoding: result.stderr, as: UTF8.self))")
    }
  }
}

/// `ocop serve --json` writes its log as JSON lines, for log collectors.
@Suite("The resolver's log")
struct ServeLogTests {
  @Test func serveJSONWritesOneObjectALine() throws {
    let store = try WorkflowTests.workspace()
    let server = try ServedStore(["--store", store, "--no-scan-log", "--json"])
    // The first line is the "serving" entry; it is read, then the server is stopped.
    let deadline = Date().addingTimeInterval(60)
    while !server.log.contains(0x0A) && Date() < deadline { usleep(10_000) }
    let line = server.log
    server.stop()
    let first = try #require(line.split(separator: 0x0A).first)
    let entry = try #require(try JSONSerialization.jsonObject(with: Data(first)) as? [String: Any])
    #expect(entry["message"] as? String == "serving")
    #expect(entry["level"] as? String == "info")
    #expect((entry["metadata"] as? [String: Any])?["store"] as? String == store)
  }
}

/// A recall found to be unfounded is withdrawn, signed; verify and the resolver then show
/// the recall and its withdrawal side by side.
@Suite("Recall withdrawal")
struct RecallWithdrawalTests {
  @Test func aWithdrawnRecallLeavesTheLabelsValidAndBothEventsShown() async throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let sap = "8935481001012/NTN-2611-05"
    let label = folder + "/labels/DTNQ-2611-02-1.png"
    func ocop(_ arguments: [String]) throws -> CommandRunner.Result {
      try CommandRunner.run(arguments + ["--store", store])
    }
    let recalled = try ocop(["recall", sap, "--reason", "Nhiễm khuẩn E. coli"])
    #expect(recalled.status == 0, "\(recalled.stderr)")
    #expect(try ocop(["verify", "--json", label]).stdout.contains(#""verdict":"recalled""#))
    let withdrawn = try ocop([
      "recall", "--withdraw", sap, "--reason", "Kiểm nghiệm lại đạt", "--json",
    ])
    #expect(withdrawn.status == 0, "\(withdrawn.stderr)")
    #expect(
      withdrawn.stdout.contains(#""withdrawal":"Kiểm nghiệm lại đạt""#), "\(withdrawn.stdout)")
    let verified = try ocop(["verify", "--json", label])
    #expect(verified.status == 0, "\(verified.stdout)")
    #expect(verified.stdout.contains(#""verdict":"valid""#))
    #expect(
      verified.stdout.contains("(Nhiễm khuẩn E. coli) was withdrawn on")
        && verified.stdout.contains("Kiểm nghiệm lại đạt"), "\(verified.stdout)")
    // Once only; and a lot is recalled once.
    let again = try ocop(["recall", "--withdraw", sap, "--reason", "x"])
    #expect(again.status == 1)
    #expect(again.stderr.contains("was already withdrawn on"), "\(again.stderr)")
    let recallAgain = try ocop(["recall", sap, "--reason", "x"])
    #expect(recallAgain.stderr.contains("a lot is recalled once"), "\(recallAgain.stderr)")
    #expect(try ocop(["audit"]).status == 0)
    // The EPCIS document carries both, and is still valid against GS1's schema.
    let epcis = folder + "/withdrawn.jsonld"
    #expect(try ocop(["export", "epcis", "--out", epcis]).status == 0)
    #expect(try TraceWorkflowTests.checkEPCIS(epcis).status == 0)
    #expect(
      try String(contentsOfFile: epcis, encoding: .utf8).contains("ocop:recallWithdrawnReason"))
    // The resolver's page shows both events; its JSON names the withdrawal.
    let server = try ServedStore(["--store", store, "--no-scan-log"])
    defer { server.stop() }
    let path = "/01/08932301001016/10/DTNQ-2611-02"
    let json = try? server.get(path, accept: "application/json")
    #expect(json?.body.contains(#""recallWithdrawn":{"#) == true, "\(json?.body ?? "")")
    #expect(json?.body.contains(#""recalled":null"#) == true)
    let page = try server.get(path, accept: "text/html")
    #expect(
      page.body.contains("the recall was withdrawn on")
        || page.body.contains("lệnh thu hồi đã được hủy ngày"), "\(page.body.prefix(2000))")
  }
}
