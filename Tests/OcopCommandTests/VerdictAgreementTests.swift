import Foundation
import GS1
import Resolver
import Testing
import TraceStoreSQLite
import Traceability

/// `ocop verify` and the resolver ask one engine for a scan's verdict: for every scan of a
/// corpus that reaches every verdict a single scan can have, the resolver's JSON carries
/// the same verdict and detail as `ocop verify --json`, at every status.
@Suite("One verdict: ocop verify and the resolver agree")
struct VerdictAgreementTests {
  static let base = "https://truyxuat.angiang.example"
  static let day = "2026-11-29"

  /// A scan, what its verdict must be, and the resolver's status for it.
  struct Scan: CustomStringConvertible {
    let name: String
    let text: String
    let verdict: String
    let status: Int
    var description: String { name }
  }

  /// The template store, with a recall, an expired lot and a lot whose stars lapsed added;
  /// and the corpus of scans against it.
  static func prepare() throws -> (store: String, scans: [Scan]) {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    func ocop(_ arguments: [String]) throws {
      let result = try CommandRunner.run(arguments + ["--store", store])
      #expect(result.status == 0, "ocop \(arguments.joined(separator: " ")): \(result.stderr)")
    }
    let origin = [
      "--quantity", "10", "--unit", "KGM", "--area", "Vùng thử", "--commune", "Xã Ô Lâm",
      "--province", "An Giang",
    ]
    try ocop(["recall", "8935481001012/NTN-2609-02", "--reason", "E. coli"])
    try ocop(
      [
        "batch", "issue", "--gtin", "8932301001016", "--lot", "OLD-1", "--produced", "2025-01-02",
        "--expires", "2025-06-01",
      ] + origin)
    try ocop(
      [
        "batch", "issue", "--gtin", "8933341001011", "--lot", "LAPSE-1", "--produced",
        "2026-11-10", "--expires", "2027-11-09",
      ] + origin)
    // A revocation dated before that lot was made: the stars it carries lapsed.
    try ocop(
      [
        "product", "rate", "8933341001011", "--status", "revoked", "--decision", "9/QĐ-UBND",
        "--date", "2026-11-01", "--level", "provincial",
      ])
    try ocop([
      "print", "8932301001016/DTNQ-2611-02", "--count", "3", "--unsigned", "--no-read-back",
      "--out", folder + "/unsigned",
    ])

    // A signed run, recorded as signed: its first label's link, and the same without its
    // signature.
    let printed = try CommandRunner.run([
      "print", "8932301001016/DTNQ-2611-02", "--count", "2", "--no-read-back", "--json",
      "--out", folder + "/signed", "--store", store,
    ])
    let signedRun = try #require(
      try JSONSerialization.jsonObject(with: Data(printed.stdout.utf8)) as? [String: Any],
      "\(printed.stderr)")
    let signedLabel = try #require(signedRun["firstURL"] as? String)
    let stripped = String(signedLabel.prefix { $0 != "&" })

    let key = try IssuerKey.load(from: folder + "/ag.key")
    let item = base + "/01/08932301001016/10/DTNQ-2611-02"
    func signed(_ text: String, by signer: IssuerKey = key) throws -> String {
      try SignedLink.sign(DigitalLink(parsing: text), with: signer).uri
    }
    // Another issuer the store trusts, who did not record the lot.
    let other = try IssuerKey.generate(name: "Hợp tác xã khác")
    let otherList = folder + "/other-trust.json"
    try TrustList([other.trustedIssuer(validFrom: try Timestamp("2020-01-01"))]).json().write(
      to: URL(fileURLWithPath: otherList))
    try ocop(["keys", "import", otherList])
    let good = try signed(item + "/21/1?17=271102")
    let zeros = String(repeating: "0", count: 168)
    let scans = [
      Scan(name: "signed, in date", text: good, verdict: "valid", status: 200),
      Scan(
        name: "signed, upper-case host",
        text: good.replacingOccurrences(of: base, with: base.uppercased()), verdict: "valid",
        status: 200),
      Scan(
        name: "unsigned, printed serial", text: item + "/21/4?17=271102", verdict: "valid",
        status: 200),
      Scan(name: "no serial", text: item, verdict: "valid", status: 200),
      Scan(
        name: "signed, expiry altered",
        text: good.replacingOccurrences(of: "17=271102", with: "17=281102"), verdict: "forged",
        status: 200),
      Scan(
        name: "unsigned, expiry altered", text: item + "/21/4?17=281102", verdict: "forged",
        status: 200),
      Scan(name: "a signed run's label", text: signedLabel, verdict: "valid", status: 200),
      Scan(
        name: "a signed run's label without its signature", text: stripped, verdict: "forged",
        status: 200),
      Scan(
        name: "unsigned, production date altered", text: item + "/21/4?11=200101&17=271102",
        verdict: "forged", status: 200),
      Scan(
        name: "signed by another trusted issuer",
        text: try signed(item + "/21/2?17=271102", by: other), verdict: "forged", status: 200),
      Scan(
        name: "signed, serial altered",
        text: good.replacingOccurrences(of: "/21/1?", with: "/21/2?"), verdict: "forged",
        status: 200),
      Scan(
        name: "signature of zeros", text: item + "/21/1?17=271102&s=" + zeros,
        verdict: "forged", status: 200),
      Scan(
        name: "signature cut short", text: item + "/21/1?17=271102&s=123", verdict: "forged",
        status: 200),
      Scan(
        name: "serial never printed", text: item + "/21/9999",
        verdict: "serial_outside_printed_range", status: 404),
      Scan(
        name: "unknown lot (the resolver walks up to its product)",
        text: base + "/01/08932301001016/10/NO-SUCH-LOT", verdict: "unknown", status: 200),
      Scan(
        name: "unknown lot, forged signature",
        text: base + "/01/08932301001016/10/NO-SUCH-LOT?s=" + zeros, verdict: "forged",
        status: 404),
      Scan(
        name: "no lot (the product's level)", text: base + "/01/08932301001016",
        verdict: "unknown", status: 200),
      Scan(
        name: "not a GTIN", text: base + "/00/389323010000000010", verdict: "unknown",
        status: 404),
      Scan(
        name: "a trial code (GS1's demonstration prefix 952)",
        text: base + "/01/09528930000019/10/T-1", verdict: "trial", status: 404),
      Scan(
        name: "recalled lot", text: base + "/01/08935481001012/10/NTN-2609-02",
        verdict: "recalled", status: 200),
      Scan(
        name: "expired lot", text: base + "/01/08932301001016/10/OLD-1", verdict: "expired",
        status: 200),
      Scan(
        name: "stars lapsed", text: base + "/01/08933341001011/10/LAPSE-1",
        verdict: "rating_lapsed", status: 200),
      Scan(
        name: "bad check digit", text: base + "/01/08932301001017/10/DTNQ-2611-02",
        verdict: "malformed", status: 400),
      Scan(name: "bad percent escape", text: item + "%ZZ", verdict: "malformed", status: 400),
    ]
    return (store, scans)
  }

  @Test func everyScanOfTheCorpusGetsTheSameVerdictFromBoth() async throws {
    let (store, scans) = try Self.prepare()
    let folder = (store as NSString).deletingLastPathComponent
    let resolver = TraceResolver(
      store: try SQLiteTraceStore(path: store, signer: nil, readers: .concurrent),
      trustList: try TrustList(path: folder + "/ag.trust.json"), scanLog: nil,
      settings: ResolverSettings(base: Self.base), today: { try! GS1Date(iso: Self.day) })
    var reached: Set<String> = []
    for scan in scans {
      // ocop verify, one scan per run: a stream would call a second scan of a serial a
      // duplicate, which a resolver never does.
      let run = try CommandRunner.run(
        ["verify", "--json", "--on", Self.day, "--store", store, scan.text])
      let line = try #require(run.stdout.split(separator: "\n").first, "\(scan): \(run.stderr)")
      let cli = try #require(
        try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      // The resolver, given the path and query as a phone's request carries them.
      let afterScheme = try #require(scan.text.range(of: "://"))
      let target = scan.text[afterScheme.upperBound...].drop { $0 != "/" }
      let path = String(target.prefix { $0 != "?" })
      let query = target.contains("?") ? String(target.drop { $0 != "?" }.dropFirst()) : nil
      let reply = await resolver.resolve(
        path: path, query: query, accept: "application/json", acceptLanguage: nil, client: nil)
      let answer = try #require(
        try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
      #expect(cli["verdict"] as? String == scan.verdict, "\(scan): ocop says \(line)")
      #expect(answer["verdict"] as? String == cli["verdict"] as? String, "\(scan)")
      #expect(answer["detail"] as? String == cli["detail"] as? String, "\(scan)")
      #expect(
        reply.status == scan.status, "\(scan): \(String(decoding: reply.body, as: UTF8.self))")
      reached.insert(scan.verdict)
    }
    // Every verdict one scan can have (duplicate needs a stream; unsigned, a signature
    // required, which the resolver never does: aScannerStreamOfElementData… has it).
    #expect(
      reached == Set(Verdict.allCases.map(\.rawValue)).subtracting(["duplicate", "unsigned"]))
  }

  /// A scanner that sends GS1 element data instead of the URL: for every link of the
  /// corpus, as a stream, the element data (after ]Q3 or ]d2 or none, FNC1 as GS or as a
  /// chosen character, or bracketed) gets the verdicts the same stream of URLs gets, read
  /// as the scanner leaves them, without ocop's signature. Only a signed run's labels
  /// differ: their URL without its signature is forged, their element data cannot carry
  /// one and is judged on the record alone.
  @Test func aScannerStreamOfElementDataGetsTheVerdictsOfTheURLStream() throws {
    let (store, scans) = try Self.prepare()
    var urls: [String] = []
    var elements: [String] = []
    for scan in scans {
      guard let link = try? DigitalLink(parsing: scan.text) else { continue }
      let unsigned = try DigitalLink(
        base: link.base, primaryKey: link.primaryKey, qualifiers: link.qualifiers,
        attributes: link.attributes, parameters: link.parameters.filter { $0.name != "s" })
      urls.append(unsigned.uri)
      elements.append(link.elementString.unbracketed())
    }
    // Each serial twice, so that the streams reach duplicate too.
    urls += urls
    elements += elements
    func verdicts(_ lines: [String], _ extra: [String] = []) throws -> [(String, String)] {
      let run = try CommandRunner.run(
        ["verify", "--json", "--on", Self.day, "--store", store] + extra,
        stdin: lines.joined(separator: "\n") + "\n")
      return try run.stdout.split(separator: "\n").compactMap { line in
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        guard let verdict = object?["verdict"] as? String else { return nil }
        return (verdict, object?["detail"] as? String ?? "")
      }
    }
    let expected = try verdicts(urls)
    #expect(expected.count == urls.count)
    #expect(expected.contains { $0.0 == "duplicate" } && expected.contains { $0.0 == "recalled" })
    let streams: [(String, [String], [String])] = [
      ("]Q3 and GS", elements.map { "]Q3" + $0 }, []),
      ("no identifier, GS", elements, []),
      (
        "]d2 and ^", elements.map { "]d2" + $0.replacingOccurrences(of: "\u{1D}", with: "^") },
        ["--fnc1", "^"]
      ),
      (
        "bracketed",
        try elements.map { try ElementString(unbracketed: Substring($0)).description }, []
      ),
    ]
    for (name, lines, extra) in streams {
      let got = try verdicts(lines, extra)
      #expect(got.count == expected.count, "\(name)")
      for index in got.indices where index < expected.count {
        if expected[index].1.contains("was printed with the issuer's signature") {
          // The URL lost its signature; element data never had one.
          #expect(["valid", "duplicate"].contains(got[index].0), "\(name): \(lines[index])")
        } else {
          #expect(got[index].0 == expected[index].0, "\(name): \(lines[index]) vs \(urls[index])")
        }
      }
    }
    // A signature required: element data is refused as unsigned, named as such, and so is
    // a genuine link without a signature; a recall still shows (it says more).
    let required = try CommandRunner.run(
      ["verify", "--json", "--require-signature", "--on", Self.day, "--store", store],
      stdin: [
        "]Q3" + elements[0], Self.base + "/01/08932301001016/10/DTNQ-2611-02/21/4?17=271102",
        Self.base + "/01/08935481001012/10/NTN-2609-02",
      ].joined(separator: "\n"))
    #expect(required.status == 1)
    let answers = required.stdout.split(separator: "\n").prefix(3).map(String.init)
    #expect(answers.count == 3, "\(required.stdout)")
    for (answer, words) in zip(
      answers,
      [
        #""verdict":"unsigned""#, #""verdict":"unsigned""#, #""verdict":"recalled""#,
      ])
    {
      #expect(answer.contains(words), "\(answer)")
    }
    #expect(
      answers.first?.contains("read as GS1 element data, which carries no ocop signature") == true)
    #expect(
      answers.dropFirst().first?.contains("the link is not signed, and a signature is required")
        == true)
  }

  /// A genuine signed code under a host that is not the workspace's resolver: `ocop verify`
  /// calls it forged and names the host, unless that resolver is named.
  @Test func aGenuineCodeUnderAnotherHostIsForgedUnlessItsResolverIsNamed() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let key = try IssuerKey.load(from: folder + "/ag.key")
    let genuine = try SignedLink.sign(
      DigitalLink(parsing: Self.base + "/01/08932301001016/10/DTNQ-2611-02/21/1?17=271102"),
      with: key
    ).uri
    let elsewhere = genuine.replacingOccurrences(
      of: "truyxuat.angiang.example", with: "truyxuat.angiang.example.evil.com")
    func verify(_ scan: String, _ extra: [String] = []) throws -> String {
      try CommandRunner.run(["verify", "--on", Self.day, "--store", store, scan] + extra).stdout
    }
    #expect(try verify(genuine).hasPrefix("VALID"))
    let refused = try verify(elsewhere)
    #expect(refused.hasPrefix("FORGED"), "\(refused)")
    #expect(refused.contains("truyxuat.angiang.example.evil.com is not a resolver"), "\(refused)")
    // Upper case is the same host.
    #expect(
      try verify(genuine.replacingOccurrences(of: ".example/", with: ".EXAMPLE/")).hasPrefix(
        "VALID"))
    #expect(
      try verify(elsewhere, ["--resolver", "https://truyxuat.angiang.example.evil.com"])
        .hasPrefix("VALID"))
  }
}
