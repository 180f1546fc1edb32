import Foundation
import Label
import Testing

/// Bad input, end to end: each case runs `ocop` as a user would on a copy of a populated
/// store and must end with its expected exit status and a message that names the input and
/// the problem, leaving every file of the store byte for byte as it was.
@Suite("Bad input is refused and changes nothing")
struct BadInputTests {
  /// What a case does to the copied store's folder before it runs (the "before" bytes are
  /// taken after this).
  enum Setup: Sendable {
    case none
    /// A file in the folder, by name.
    case file(String, [UInt8])
    /// The store's key file with this mode.
    case keyMode(Int)
    /// The key file's contents replaced.
    case keyText(String)
    /// The store's config replaced.
    case config(String)
    /// The store's config without it.
    case noConfig
    /// The store's file replaced by these bytes.
    case storeBytes([UInt8])
    /// The store's file cut to this fraction of its size.
    case truncatedStore(Double)
    /// The store's resolver address made this long.
    case resolverLength(Int)
    /// A symbolic link in the folder, by name, to a path in the folder that does not exist.
    case danglingLink(String)
    /// `incoming.json` in the folder: the store's trust list with one field of its own
    /// issuer's entry changed.
    case ownIssuerEdited(field: String, value: String)
  }

  struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let arguments: [String]
    var setup: Setup = .none
    var stdin: String? = nil
    /// Whether `--store` is added.
    var usesStore = true
    var status: Int32 = 1
    /// What standard error (or, for verdicts, standard output) must say; `{dir}` is the
    /// case's folder.
    let message: String
    var testDescription: String { name }

    /// Whether the case means the same on a database store: it works on the store through
    /// the command line, not on an SQLite file's bytes or path.
    var runsOnPostgres: Bool {
      switch setup {
      case .storeBytes, .truncatedStore: return false
      default: return usesStore
      }
    }
  }

  static let lot = StoreTemplate.lot
  static let issue = [
    "batch", "issue", "--gtin", "8932301001016", "--produced", "2026-11-20", "--expires",
    "2027-11-19", "--quantity", "100", "--unit", "KGM", "--area", "Vùng thốt nốt Ô Lâm",
    "--commune", "Xã Ô Lâm", "--province", "An Giang",
  ]
  static let product = [
    "product", "add", "--producer", "1600642064", "--name", "Mật thốt nốt", "--group", "food",
    "--net", "500", "--unit", "GRM",
  ]
  static let producer = [
    "producer", "add", "--kind", "household", "--name", "Hộ Lê Văn A", "--commune", "Xã Ô Lâm",
    "--province", "An Giang",
  ]
  static let rate = [
    "product", "rate", "8932301001016", "--status", "certified", "--decision", "99/QĐ-UBND",
    "--date", "2026-11-01", "--level", "provincial",
  ]
  static let batchesHeader =
    "gtin,lot,production_date,expiry_date,quantity,unit,origin_area,origin_commune,origin_province\n"

  static let cases: [Case] = [
    // Identifiers.
    Case(
      name: "GTIN with a wrong check digit", arguments: ["gtin", "check", "8932301001017"],
      usesStore: false, message: "8932301001017"),
    Case(
      name: "GTIN of the wrong length", arguments: ["gtin", "check", "89323010010"],
      usesStore: false, message: "89323010010"),
    Case(
      name: "GTIN with letters", arguments: ["gtin", "check", "89323O1001016"], usesStore: false,
      message: "89323O1001016"),
    Case(
      name: "lot with a space",
      arguments: ["link", "make", "--gtin", "8932301001016", "--lot", "A B"],
      usesStore: false, message: "A B"),
    Case(
      name: "lot longer than 20",
      arguments: [
        "link", "make", "--gtin", "8932301001016", "--lot", String(repeating: "L", count: 21),
      ],
      usesStore: false, message: String(repeating: "L", count: 21)),
    Case(
      name: "link with a GTIN missing its check digit",
      arguments: ["link", "parse", "https://id.gs1.org/01/893230100101"], usesStore: false,
      message: "893230100101"),
    Case(
      name: "text that is not a link", arguments: ["link", "parse", "hello"], usesStore: false,
      message: "hello"),
    Case(
      name: "element string with a 13th month",
      arguments: ["link", "make", "--elements", "(01)08932301001016(17)261399"], usesStore: false,
      message: "261399"),
    // Producers and products.
    Case(
      name: "tax code with letters", arguments: producer + ["--tax-code", "16OO642064"],
      message: "16OO642064"),
    Case(
      name: "tax code already registered", arguments: producer + ["--tax-code", "1600642064"],
      message: "1600642064"),
    Case(
      name: "unknown producer kind",
      arguments: [
        "producer", "add", "--tax-code", "1600000001", "--kind", "corporation", "--name", "X",
        "--commune", "Xã Ô Lâm", "--province", "An Giang",
      ], message: "corporation"),
    Case(
      name: "GLN with a wrong check digit",
      arguments: producer + ["--tax-code", "1600000001", "--gln", "8932301000018"],
      message: "8932301000018"),
    Case(
      name: "product GTIN with a wrong check digit",
      arguments: product + ["--gtin", "8932301009997"], message: "8932301009997"),
    Case(
      name: "product of an unknown producer",
      arguments: [
        "product", "add", "--gtin", "8932301009999", "--producer", "1699999999", "--name", "X",
        "--group", "food", "--net", "500", "--unit", "GRM",
      ], message: "1699999999"),
    Case(
      name: "product GTIN already registered", arguments: product + ["--gtin", "8932301001016"],
      message: "8932301001016"),
    Case(
      name: "unknown product group",
      arguments: [
        "product", "add", "--gtin", "8932301009999", "--producer",
        "1600642064", "--name", "X", "--group", "cars", "--net", "500", "--unit", "GRM",
      ],
      message: "cars"),
    Case(
      name: "net content that is not a number",
      arguments: [
        "product", "add", "--gtin", "8932301009999",
        "--producer", "1600642064", "--name", "X", "--group", "food", "--net", "nửa cân", "--unit",
        "GRM",
      ],
      message: "nửa cân"),
    Case(
      name: "unit that is not a UN/ECE code",
      arguments: [
        "product", "add", "--gtin", "8932301009999",
        "--producer", "1600642064", "--name", "X", "--group", "food", "--net", "500", "--unit",
        "gram",
      ],
      message: "gram"),
    Case(name: "six stars", arguments: rate + ["--stars", "6"], message: "6"),
    Case(name: "stars with a plus sign", arguments: rate + ["--stars", "+4"], message: "\"+4\""),
    Case(
      name: "a rating decision recorded twice",
      arguments: [
        "product", "rate", "8932301001016", "--stars", "4", "--status", "certified",
        "--decision", "112/QĐ-UBND", "--date", "2024-01-16", "--level", "provincial",
      ],
      message:
        "rating decision 112/QĐ-UBND of 2024-01-16 (4★ certified) for product 08932301001016 already exists"
    ),
    Case(
      name: "a second certification on the day the product was certified",
      arguments: [
        "product", "rate", "8932301001016", "--stars", "3", "--status", "certified",
        "--decision", "999/QĐ-UBND", "--date", "2024-01-16", "--level", "provincial",
      ],
      message:
        "product 08932301001016 was already certified that day by decision 112/QĐ-UBND (4★); a product is certified once a day"
    ),
    Case(
      name: "rating of an unknown product",
      arguments: [
        "product", "rate", "8932301009999", "--stars", "3", "--status", "certified",
        "--decision", "1/QĐ", "--date", "2026-11-01", "--level", "provincial",
      ],
      message: "8932301009999"),
    Case(
      name: "rating with an unknown status",
      arguments: rate + ["--stars", "3", "--status", "great"],
      message: "great"),
    Case(
      name: "rating dated 31/02",
      arguments: [
        "product", "rate", "8932301001016", "--stars", "3", "--status",
        "certified", "--decision", "1/QĐ", "--date", "31/02/2026", "--level", "provincial",
      ],
      message: "31/02/2026"),
    // Batches.
    Case(
      name: "batch of an unknown product",
      arguments: [
        "batch", "issue", "--gtin", "8932301009999", "--lot", "X1", "--produced", "2026-11-20",
        "--expires", "2027-11-19", "--quantity", "1", "--unit", "KGM", "--area", "A", "--commune",
        "C",
        "--province", "P",
      ], message: "8932301009999"),
    Case(
      name: "lot with illegal characters", arguments: issue + ["--lot", "LÔ#1"], message: "LÔ#1"),
    Case(
      name: "an input lot past its HSD when the batch was made",
      arguments: issue + ["--lot", "X-EXP", "--input", "8934462001010/BBTN-2610-01"],
      message:
        "--input 08934462001010/BBTN-2610-01 expired on 15/11/2026, before this batch's production date 20/11/2026; --allow-expired-input records it anyway"
    ),
    Case(
      name: "lot of 21 characters",
      arguments: issue + ["--lot", String(repeating: "7", count: 21)],
      message: String(repeating: "7", count: 21)),
    Case(name: "empty lot", arguments: issue + ["--lot", ""], message: "AI (10) \"\""),
    Case(
      name: "lot already issued", arguments: issue + ["--lot", "DTNQ-2611-02"],
      message: "DTNQ-2611-02"),
    Case(
      name: "expiry before production",
      arguments: [
        "batch", "issue", "--gtin", "8932301001016", "--lot", "REV-1", "--produced",
        "2026-11-20", "--expires", "2026-11-19", "--quantity", "1", "--unit", "KGM", "--area", "A",
        "--commune", "C", "--province", "P",
      ], message: "2026-11-19"),
    Case(
      name: "production day that does not exist",
      arguments: [
        "batch", "issue", "--gtin", "8932301001016", "--lot", "D-1", "--produced",
        "2026-02-30", "--expires", "2027-11-19", "--quantity", "1", "--unit", "KGM", "--area", "A",
        "--commune", "C", "--province", "P",
      ], message: "2026-02-30"),
    Case(
      name: "negative quantity", arguments: issue + ["--lot", "Q-1", "--quantity=-5"], message: "-5"
    ),
    Case(
      name: "quantity in words", arguments: issue + ["--lot", "Q-2", "--quantity", "nhiều"],
      message: "nhiều"),
    Case(
      name: "a count of pieces with a thousands separator",
      arguments: issue + ["--lot", "Q-3", "--quantity", "1.500", "--unit", "H87"],
      message:
        "\"1.500\": is a count of H87 (cái), a whole number; a separator of thousands is ambiguous: write 1500"
    ),
    Case(
      name: "half a piece",
      arguments: issue + ["--lot", "Q-4", "--quantity", "0.5", "--unit", "H87"],
      message: "\"0.5\": is a count of H87 (cái) and must be a whole number"),
    Case(
      name: "input lot not in the store",
      arguments: issue + ["--lot", "I-1", "--input", "8935481001012/NOPE-1"], message: "NOPE-1"),
    Case(
      name: "input lot without a GTIN",
      arguments: issue + ["--lot", "I-2", "--input", "NTN-2609-02"],
      message: "NTN-2609-02"),
    Case(
      name: "latitude off the globe",
      arguments: issue + ["--lot", "G-1", "--latitude", "123.4", "--longitude", "105"],
      message: "123.4"),
    Case(
      name: "harvest ending before it starts",
      arguments: issue + [
        "--lot", "H-1", "--harvest-start", "2026-11-10", "--harvest-end", "2026-11-01",
      ],
      message: "2026-11-01"),
    Case(
      name: "harvest after production",
      arguments: issue + [
        "--lot", "H-2", "--harvest-start", "2026-11-25", "--harvest-end", "2026-11-26",
      ],
      message: "harvest start \"2026-11-25\": is after the production date 2026-11-20"),
    // Printing.
    Case(
      name: "labels for an unknown lot",
      arguments: ["print", "8932301001016/NOPE", "--count", "2"], message: "NOPE"),
    Case(
      name: "withdrawing a recall never made",
      arguments: ["recall", "--withdraw", lot, "--reason", "x"],
      message: "withdrawal of a recall: lot 08932301001016/DTNQ-2611-02 is not recalled"),
    Case(
      name: "labels for a lot past its HSD",
      arguments: ["print", "8934462001010/BBTN-2610-01", "--count", "1", "--out", "{dir}/old"],
      message:
        "lot 08934462001010/BBTN-2610-01 expired on 15/11/2026: labels for it would go on goods past their HSD; --allow-expired prints them anyway"
    ),
    Case(
      name: "no labels", arguments: ["print", lot, "--count", "0"], status: 64, message: "--count"),
    Case(
      name: "a label too small for a signed code",
      arguments: ["print", lot, "--count", "2", "--template", "40x30", "--out", "{dir}/small"],
      message: "label 40x30 mm"),
    Case(
      name: "a font file that is missing",
      arguments: ["print", lot, "--count", "2", "--font", "{dir}/missing.ttf", "--out", "{dir}/f"],
      message: "{dir}/missing.ttf"),
    Case(
      name: "a font file that is not a font",
      arguments: [
        "print", lot, "--count", "2", "--font", "{dir}/ag.json",
        "--out", "{dir}/f",
      ], message: "{dir}/ag.json"),
    Case(
      name: "unknown error correction", arguments: ["print", lot, "--count", "2", "--ecc", "Z"],
      status: 64, message: "'Z' is invalid for '--ecc"),
    Case(
      name: "unknown output format", arguments: ["print", lot, "--count", "2", "--format", "eps"],
      status: 64, message: "'eps' is invalid for '--format"),
    Case(
      name: "resuming a run that does not exist", arguments: ["print", lot, "--resume", "run-9"],
      message: "run-9"),
    Case(
      name: "printing into a folder that exists",
      arguments: ["print", lot, "--count", "2", "--out", "{dir}/labels"], message: "{dir}/labels"),
    Case(
      name: "a module under GS1's minimum",
      arguments: ["print", lot, "--count", "2", "--module", "0.25", "--out", "{dir}/m"],
      message: "0.25"),
    Case(
      name: "a sheet without a label size",
      arguments: ["print", lot, "--count", "2", "--sheet", "3x8"],
      message: "--sheet"),
    Case(
      name: "a sheet layout that is not one",
      arguments: ["print", lot, "--count", "2", "--sheet", "a4-avery", "--format", "pdf"],
      message: "is not a layout"),
    Case(
      name: "an offset that moves the labels off the sheet",
      arguments: [
        "print", lot, "--count", "2", "--sheet", "3x8-70x37", "--format", "pdf", "--offset=-1,0",
      ],
      message: "off the page"),
    Case(
      name: "an update after an event the store does not have",
      arguments: ["export", "bundle", "--since", "99999", "--out", "{dir}/u.json"],
      message: "--since 99999: is beyond this store's log"),
    Case(
      name: "an update after a head that is not this store's",
      arguments: ["export", "bundle", "--since", "2:deadbeef", "--out", "{dir}/u.json"],
      message: "the head held is not this store's"),
    Case(
      name: "an update from a file that is no bundle",
      arguments: ["export", "bundle", "--since", "{dir}/head.txt", "--out", "{dir}/u.json"],
      setup: .file("head.txt", Array("head 12".utf8)), message: "names no head"),
    Case(
      name: "an audit from a checkpoint that is not one",
      arguments: ["audit", "--since", "{dir}/cp.json"],
      setup: .file("cp.json", Array(#"{"format":"x"}"#.utf8)),
      message: "checkpoint {dir}/cp.json: is not an ocop-trace audit checkpoint v1 file"),
    Case(
      name: "a resolution no thermal printer has",
      arguments: ["print", lot, "--count", "2", "--format", "tspl", "--dpi", "250"],
      message: "203, 300 or 600 dpi"),
    Case(
      name: "a URL too long for any QR code",
      arguments: ["print", lot, "--count", "2", "--out", "{dir}/long"],
      setup: .resolverLength(3000), message: "QR"),
    Case(
      name: "a template size that is not WxH",
      arguments: ["print", lot, "--count", "2", "--template", "big", "--out", "{dir}/t"],
      message: "big"),
    // Verifying.
    Case(
      name: "an image that does not exist", arguments: ["verify", "{dir}/nope.png"],
      message: "{dir}/nope.png"),
    Case(
      name: "an image that is neither a PNG nor a JPEG", arguments: ["verify", "{dir}/fake.png"],
      setup: .file("fake.png", Array("GIF89a not really".utf8)),
      message: "image {dir}/fake.png is neither a PNG nor a JPEG file"),
    Case(
      name: "a damaged JPEG", arguments: ["verify", "{dir}/broken.jpg"],
      setup: .file("broken.jpg", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A]),
      message: "image {dir}/broken.jpg: libturbojpeg:"),
    Case(
      name: "a PNG with no code in it", arguments: ["verify", "{dir}/blank.png"],
      setup: .file("blank.png", BadInputTests.blankPNG), message: "{dir}/blank.png: no QR code"),
    Case(
      name: "a link to a lot nobody issued",
      arguments: ["verify", "https://truyxuat.angiang.example/01/08932301001016/10/NOPE"],
      message: "NOPE"),
    Case(
      name: "a scanned line that is not a link", arguments: ["verify"], stdin: "%%%\n",
      message: "%%%"),
    Case(
      name: "a bundle without a trust list",
      arguments: ["verify", "--bundle", "{dir}/bundle.json", "x"],
      usesStore: false, message: "--trust"),
    Case(
      name: "a truncated bundle",
      arguments: ["verify", "--bundle", "{dir}/cut.json", "--trust", "{dir}/trust.json", "x"],
      setup: .file("cut.json", Array("{\"events\":[{\"body\":\"".utf8)), usesStore: false,
      message: "{dir}/cut.json"),
    Case(
      name: "a trust list that is not one",
      arguments: ["verify", "--bundle", "{dir}/bundle.json", "--trust", "{dir}/ag.json", "x"],
      usesStore: false,
      message: "trust list {dir}/ag.json: is not an ocop-trace trust list (no \"format\" field)"),
    // Imports.
    Case(
      name: "a CSV in Windows-1258, not UTF-8",
      arguments: ["import", "batches", "{dir}/latin.csv"],
      setup: .file(
        "latin.csv",
        Array(batchesHeader.utf8) + Array("8932301001016,L1,2026-11-02,2027-11-01,1,KGM,V".utf8) + [
          0xF4, 0xEC,
        ] + Array(",X,An Giang\n".utf8)),
      message: "{dir}/latin.csv"),
    Case(
      name: "a CSV in UTF-16", arguments: ["import", "batches", "{dir}/utf16.csv"],
      setup: .file(
        "utf16.csv",
        [0xFF, 0xFE] + Array(batchesHeader.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })),
      message: "{dir}/utf16.csv"),
    Case(
      name: "a cell of a million characters is named, not repeated",
      arguments: ["import", "batches", "{dir}/huge.csv"],
      setup: .file(
        "huge.csv",
        Array(
          (batchesHeader + "8932301001016,L1,2026-11-02,2027-11-01,1,KGM,"
            + String(repeating: "A", count: 1_000_000) + ",X,An Giang\n").utf8)),
      message: "(1000000 characters)"),
    Case(
      name: "an empty CSV", arguments: ["import", "batches", "{dir}/empty.csv"],
      setup: .file("empty.csv", []),
      message: "{dir}/empty.csv"),
    Case(
      name: "a CSV missing a required column", arguments: ["import", "batches", "{dir}/nolot.csv"],
      setup: .file(
        "nolot.csv",
        Array(
          "gtin,production_date,expiry_date,quantity,unit,origin_area,origin_commune,origin_province\n8932301001016,2026-11-02,2027-11-01,1,KGM,V,X,An Giang\n"
            .utf8)),
      message: "lot"),
    Case(
      name: "a CSV with an unclosed quote", arguments: ["import", "batches", "{dir}/quote.csv"],
      setup: .file(
        "quote.csv",
        Array(
          (batchesHeader + "8932301001016,\"L1,2026-11-02,2027-11-01,1,KGM,V,X,An Giang\n").utf8)),
      message: "{dir}/quote.csv"),
    Case(
      name: "a CSV row with a bad GTIN", arguments: ["import", "batches", "{dir}/gtin.csv"],
      setup: .file(
        "gtin.csv",
        Array(
          (batchesHeader
            + "8932301001016,OK-1,2026-11-02,2027-11-01,1,KGM,V,X,An Giang\n8932301001017,L2,2026-11-02,2027-11-01,1,KGM,V,X,An Giang\n")
            .utf8)),
      message: "{dir}/gtin.csv:3"),
    Case(
      name: "a CSV row with reversed dates", arguments: ["import", "batches", "{dir}/dates.csv"],
      setup: .file(
        "dates.csv",
        Array(
          (batchesHeader
            + "8932301001016,OK-1,2026-11-02,2027-11-01,1,KGM,V,X,An Giang\n8932301001016,L2,2027-11-02,2026-11-01,1,KGM,V,X,An Giang\n")
            .utf8)),
      message: "{dir}/dates.csv:3"),
    Case(
      name: "a CSV row with a short line", arguments: ["import", "batches", "{dir}/short.csv"],
      setup: .file("short.csv", Array((batchesHeader + "8932301001016,L1,2026-11-02\n").utf8)),
      message: "{dir}/short.csv:2"),
    Case(
      name: "a CSV count of pieces with a thousands separator",
      arguments: ["import", "batches", "{dir}/pieces.csv"],
      setup: .file(
        "pieces.csv",
        Array(
          (batchesHeader + "8932301001016,P-1,2026-11-02,2027-11-01,\"1,500\",H87,V,X,An Giang\n")
            .utf8)),
      message:
        "{dir}/pieces.csv:2: column \"quantity\": \"1,500\" is a count of H87 (cái), a whole number; a separator of thousands is ambiguous: write 1500"
    ),
    Case(
      name: "a CSV count of half a piece", arguments: ["import", "batches", "{dir}/half.csv"],
      setup: .file(
        "half.csv",
        Array(
          (batchesHeader + "8932301001016,P-1,2026-11-02,2027-11-01,\"0,5\",H87,V,X,An Giang\n")
            .utf8)),
      message:
        "{dir}/half.csv:2: column \"quantity\": \"0,5\" is a count of H87 (cái) and must be a whole number"
    ),
    Case(
      name: "a CSV rating with a plus sign", arguments: ["import", "ratings", "{dir}/plus.csv"],
      setup: .file(
        "plus.csv",
        Array(
          "gtin,stars,status,decision,decision_date,level\n8932301001016,+4,certified,7/QĐ-UBND,2026-11-01,provincial\n"
            .utf8)),
      message: "{dir}/plus.csv:2: column \"stars\": \"+4\" must be 3, 4 or 5"),
    Case(
      name: "a CSV of a rating decision already recorded",
      arguments: ["import", "ratings", "{dir}/again.csv"],
      setup: .file(
        "again.csv",
        Array(
          "gtin,stars,status,decision,decision_date,level,valid_until\n8932301001016,5,certified,1/QĐ-TTg,2026-11-01,central,\n8932301001016,4,certified,112/QĐ-UBND,2024-01-16,provincial,\n"
            .utf8)),
      message: "{dir}/again.csv:3"),
    Case(
      name: "a CSV with one rating decision twice",
      arguments: ["import", "ratings", "{dir}/twice.csv"],
      setup: .file(
        "twice.csv",
        Array(
          "gtin,stars,status,decision,decision_date,level,valid_until\n8932301001016,5,certified,1/QĐ-TTg,2026-11-01,central,\n8932301001016,5,certified,1/QĐ-TTg,2026-11-01,central,\n"
            .utf8)),
      message: "{dir}/twice.csv:3"),
    Case(
      name: "a CSV of products of an unknown producer",
      arguments: ["import", "products", "{dir}/products.csv"],
      setup: .file(
        "products.csv",
        Array(
          "gtin,producer,name_vi,group,net_amount,net_unit\n8932301009999,1699999999,X,food,1,GRM\n"
            .utf8)),
      message: "1699999999"),
    Case(
      name: "a CSV that does not exist", arguments: ["import", "batches", "{dir}/none.csv"],
      message: "{dir}/none.csv"),
    Case(
      name: "an unknown kind of import", arguments: ["import", "widgets", "{dir}/x.csv"],
      status: 64,
      message: "'widgets' is invalid for '<kind>'"),
    // The store itself.
    Case(
      name: "a store that does not exist",
      arguments: ["batch", "list", "--store", "{dir}/none.sqlite"],
      usesStore: false, message: "{dir}/none.sqlite"),
    Case(
      name: "a store that is not SQLite", arguments: ["batch", "list"],
      setup: .storeBytes(Array("these are not the records you are looking for\n".utf8)),
      message: "is not an SQLite database"),
    Case(
      name: "a store cut short", arguments: ["audit"], setup: .truncatedStore(0.5),
      message: "{dir}/ag.sqlite"),
    Case(
      name: "a key file others can read", arguments: issue + ["--lot", "K-1"],
      setup: .keyMode(0o644),
      message: "chmod 600"),
    Case(
      name: "a key file that is not a key", arguments: issue + ["--lot", "K-2"],
      setup: .keyText("{}"),
      message: "{dir}/ag.key"),
    Case(
      name: "a missing config", arguments: ["batch", "list"], setup: .noConfig,
      message: "{dir}/ag.json"),
    Case(
      name: "a config that is not JSON", arguments: ["batch", "list"], setup: .config("resolver="),
      message: "config {dir}/ag.json is not a valid ocop config: not valid JSON"),
    // Other commands.
    Case(
      name: "recalling an unknown lot",
      arguments: ["recall", "8932301001016/NOPE", "--reason", "x"], message: "NOPE"),
    Case(
      name: "a recall without a reason", arguments: ["recall", lot], status: 64, message: "--reason"
    ),
    Case(
      name: "tracing text that is not a lot", arguments: ["trace", "nothing"], message: "nothing"),
    Case(
      name: "importing a trust list that is not one",
      arguments: ["keys", "import", "{dir}/ag.json"],
      message: "trust list {dir}/ag.json"),
    Case(
      name: "importing a trust list that renames the store's own issuer",
      arguments: ["keys", "import", "{dir}/incoming.json"],
      setup: .ownIssuerEdited(field: "name", value: "Someone else"),
      message: "its name is \"Demo\" here and \"Someone else\" in the list"),
    Case(
      name: "importing a trust list that re-dates the store's own issuer",
      arguments: ["keys", "import", "{dir}/incoming.json"],
      setup: .ownIssuerEdited(field: "validFrom", value: "2030-01-01T00:00:00.000Z"),
      message: "its validFrom is"),
    Case(
      name: "importing a bundle that is not one", arguments: ["import", "bundle", "{dir}/ag.json"],
      message: "bundle {dir}/ag.json: is not an ocop-trace bundle v1 file"),
    Case(
      name: "importing a bundle that does not exist",
      arguments: ["import", "bundle", "{dir}/none.json"],
      message: "bundle {dir}/none.json: does not exist or cannot be read"),
    Case(
      name: "a company prefix of three digits",
      arguments: ["keys", "import", "{dir}/ag.trust.json", "--prefix", "893"],
      message: "prefix \"893\": a GS1 company prefix is 4 to 12 digits"),
    Case(
      name: "a role that is not one",
      arguments: ["keys", "import", "{dir}/ag.trust.json", "--role", "boss"], status: 64,
      message: "'boss' is invalid for '--role <role>'"),
    Case(
      name: "revoking an issuer the trust list does not hold",
      arguments: ["keys", "revoke", "NOSUCHK1"],
      message: "issuer NOSUCHK1 is not in the trust list"),
    Case(
      name: "a signed trust list that expires before it is signed",
      arguments: [
        "keys", "sign-trust", "--root", "{dir}/ag.key", "--out", "{dir}/signed.json", "--expires",
        "2020-01-01",
      ], message: "must be after the moment it is signed"),
    Case(
      name: "a trust anchor that is not one", arguments: ["keys", "anchor", "{dir}/ag.json"],
      message: "trust anchor {dir}/ag.json: is not an ocop-trace trust anchor"),
    Case(
      name: "an anchor without a bundle",
      arguments: [
        "verify", "--anchor", "{dir}/ag.json",
        "https://truyxuat.angiang.example/01/08932301001016/10/A",
      ],
      message: "--anchor goes with --bundle and --trust"),
    Case(
      name: "exporting an unknown format", arguments: ["export", "pdf", "--out", "{dir}/x"],
      status: 64,
      message: "'pdf' is invalid for '<kind>'"),
    Case(
      name: "exporting over an existing file",
      arguments: ["export", "bundle", "--out", "{dir}/bundle.json"],
      message: "{dir}/bundle.json"),
    Case(
      name: "a report for no particular day", arguments: ["report", "--as-of", "hôm qua"],
      message: "hôm qua"),
    Case(
      name: "serving on a port that cannot exist", arguments: ["serve", "--port", "70000"],
      status: 64,
      message: "--port 70000"),
    Case(
      name: "serving links from a missing file",
      arguments: ["serve", "--links", "{dir}/links.json"],
      message: "{dir}/links.json"),
    Case(
      name: "a trial given a prefix",
      arguments: ["init", "--trial", "--store", "{dir}/t.sqlite", "--prefix", "8932301"],
      usesStore: false, status: 64,
      message: "--trial sets the prefix (9528930) and the resolver"),
    Case(
      name: "a store without a prefix or a resolver",
      arguments: ["init", "--store", "{dir}/t.sqlite"], usesStore: false, status: 64,
      message: "init needs --resolver and --prefix"),
    Case(
      name: "a real store under GS1's demonstration prefix",
      arguments: [
        "init", "--store", "{dir}/t.sqlite", "--resolver", "https://x.example", "--prefix",
        "9528930",
      ], usesStore: false,
      message: "company prefix 9528930 is under GS1's prefix 952, kept for demonstrations"),
    Case(
      name: "a store made twice",
      arguments: [
        "init", "--store", "{dir}/ag.sqlite", "--resolver",
        "https://x.example", "--prefix", "8932301",
      ], usesStore: false, message: "already exists"),
    Case(
      name: "a new store's config where a link points elsewhere",
      arguments: [
        "init", "--store", "{dir}/new.sqlite", "--resolver", "https://x.example", "--prefix",
        "8932301",
      ], setup: .danglingLink("new.json"), usesStore: false,
      message: "{dir}/new.json is a symbolic link"),
    Case(
      name: "a new store's trust list where a link points elsewhere",
      arguments: [
        "init", "--store", "{dir}/new.sqlite", "--resolver", "https://x.example", "--prefix",
        "8932301",
      ], setup: .danglingLink("new.trust.json"), usesStore: false,
      message: "{dir}/new.trust.json is a symbolic link"),
    Case(
      name: "a new store where a link points elsewhere",
      arguments: [
        "init", "--store", "{dir}/new.sqlite", "--resolver", "https://x.example", "--prefix",
        "8932301",
      ], setup: .danglingLink("new.sqlite"), usesStore: false,
      message: "{dir}/new.sqlite is a symbolic link"),
    Case(
      name: "a company prefix with letters",
      arguments: [
        "init", "--store", "{dir}/new.sqlite", "--resolver",
        "https://x.example", "--prefix", "89A",
      ], usesStore: false, message: "89A"),
    Case(
      name: "a resolver that is not https",
      arguments: [
        "init", "--store", "{dir}/new.sqlite", "--resolver",
        "ftp://x.example", "--prefix", "8932301",
      ], usesStore: false, message: "ftp://x.example"),
  ]

  /// A white 64×64 PNG: an image with no code in it.
  static let blankPNG: [UInt8] =
    (try? PNGEncoder.encode(
      Bitmap(width: 64, height: 64), depth: .eightBit, pixelsPerMetre: 11811)) ?? []

  @Test func theCorpusIsLargeEnough() { #expect(Self.cases.count >= 60) }

  @Test(arguments: cases)
  func refused(_ bad: Case) throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try Self.prepare(bad.setup, folder: folder, store: store)
    let before = try storeFiles(store)
    let arguments =
      bad.arguments.map { $0.replacingOccurrences(of: "{dir}", with: folder) }
      + (bad.usesStore ? ["--store", store] : [])
    let result = try CommandRunner.run(arguments, stdin: bad.stdin)
    let message = bad.message.replacingOccurrences(of: "{dir}", with: folder)
    #expect(result.status == bad.status, "\(bad.name): \(result.stdout) \(result.stderr)")
    #expect(
      (result.stderr + result.stdout).contains(message),
      "\(bad.name): expected \"\(message)\" in \(result.stderr) \(result.stdout)")
    if bad.status != 0 && !bad.arguments.contains("verify") {
      #expect(!result.stderr.isEmpty, "\(bad.name): no message")
    }
    #expect(try storeFiles(store) == before, "\(bad.name): the store changed")
  }

  /// Does what `setup` says to the case's folder (whose SQLite store, if any, is `store`).
  static func prepare(_ setup: Setup, folder: String, store: String) throws {
    switch setup {
    case .none: break
    case .file(let name, let bytes):
      try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + name))
    case .keyMode(let mode):
      try FileManager.default.setAttributes(
        [.posixPermissions: mode], ofItemAtPath: folder + "/ag.key")
    case .keyText(let text):
      try text.write(toFile: folder + "/ag.key", atomically: false, encoding: .utf8)
    case .config(let text):
      try text.write(toFile: folder + "/ag.json", atomically: false, encoding: .utf8)
    case .noConfig:
      try FileManager.default.removeItem(atPath: folder + "/ag.json")
    case .storeBytes(let bytes):
      try Data(bytes).write(to: URL(fileURLWithPath: store))
    case .truncatedStore(let fraction):
      let handle = try FileHandle(forUpdating: URL(fileURLWithPath: store))
      try handle.truncate(atOffset: UInt64(Double(try handle.seekToEnd()) * fraction))
      try handle.close()
    case .ownIssuerEdited(let field, let value):
      let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/ag.trust.json"))
      var list = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      var issuers = try #require(list["issuers"] as? [[String: Any]])
      issuers[0][field] = value
      list["issuers"] = issuers
      try JSONSerialization.data(withJSONObject: list).write(
        to: URL(fileURLWithPath: folder + "/incoming.json"))
    case .danglingLink(let name):
      try FileManager.default.createSymbolicLink(
        atPath: folder + "/" + name, withDestinationPath: folder + "/nowhere")
    case .resolverLength(let length):
      let config = try String(contentsOfFile: folder + "/ag.json", encoding: .utf8)
      let long = "https://truyxuat.angiang.example/" + String(repeating: "a", count: length)
      try config.replacingOccurrences(of: "https://truyxuat.angiang.example", with: long)
        .write(toFile: folder + "/ag.json", atomically: false, encoding: .utf8)
    }
  }
}
