import Exchange
import Foundation
import GS1
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing
import TraceStoreSQLite

@testable import Resolver
@testable import Traceability

/// The resolver's answers, through its router without a socket, and once over a real one.
@Suite("Resolver")
struct ResolverTests {
  static let base = "https://truyxuat.angiang.example"
  static let fixtures = RepositoryFiles.anGiang

  /// A store with the An Giang data set, a printed range, a recall, and a producer whose
  /// name is markup; and a resolver over it.
  static func resolver() async throws -> (TraceResolver, IssuerKey) {
    let (resolver, key, _) = try await resolverInFolder()
    return (resolver, key)
  }

  /// ``resolver()``, with the folder holding its store and scan log (`scans.sqlite`). The
  /// resolver waits `scanLogWait` for the scan log: ten minutes by default, since the wait
  /// and the scan log's answer both need one of the test process's few shared threads, which
  /// tests that run programs hold for minutes on a busy machine; a count must not turn into
  /// none for that.
  static func resolverInFolder(scanLogWait: Duration = .seconds(600)) async throws -> (
    TraceResolver, IssuerKey, String
  ) {
    let folder = NSTemporaryDirectory() + "ocop-resolver-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let key = try IssuerKey.generate(name: "Sở KH&CN An Giang")
    let store = try SQLiteTraceStore(path: folder + "/s.sqlite", signer: key, create: true)
    for kind in ImportKind.allCases {
      let plan = try ImportPlan(
        CSVTable(path: fixtures + "/\(kind.rawValue).csv"), kind: kind)
      _ = try await store.apply(plan.commands)
    }
    let lot = try LotReference(gtin: GTIN("8932301001016"), lot: "DTNQ-2611-02")
    _ = try await store.allocateSerials(lot, count: 100, printRun: "test")
    _ = try await store.recall(
      LotReference(gtin: GTIN("8935481001012"), lot: "NTN-2609-02"), reason: "E. coli <b>")
    // Markup typed by a producer must come out as text.
    _ = try await store.apply([
      .registerProducer(
        Producer(
          taxCode: "1699999999", kind: .household, name: "<script>alert(1)</script> & \"Co\"",
          address: Address(commune: "Xã <i>Lê</i> Trì", province: "An Giang"))),
      .registerProduct(
        Product(
          gtin: GTIN("8932301099990"), producerTaxCode: "1699999999",
          nameVietnamese: "Kẹo <img src=x onerror=alert(1)>", group: .food,
          netContent: Quantity(amount: "1", unit: UnitCode("KGM")))),
      .issueBatch(
        BatchRequest(
          lot: LotReference(gtin: GTIN("8932301099990"), lot: "X-1"),
          productionDate: GS1Date(iso: "2026-11-01"), expiryDate: GS1Date(iso: "2027-11-01"),
          quantity: Quantity(amount: "5", unit: UnitCode("KGM")),
          origin: Origin(
            areaName: "<svg onload=alert(1)>",
            address: Address(commune: "Xã Lê Trì", province: "An Giang")))),
    ])
    let trust = TrustList([key.trustedIssuer(validFrom: try Timestamp("2020-01-01T00:00:00Z"))])
    let resolver = TraceResolver(
      store: store, trustList: trust, scanLog: try SQLiteScanLog(path: folder + "/scans.sqlite"),
      settings: ResolverSettings(
        base: base, links: ["08932301001016": ["gs1:pip": "https://shop.example/palm-sugar"]],
        scanLogWait: scanLogWait),
      today: { try! GS1Date(iso: "2026-11-29") })
    return (resolver, key, folder)
  }

  static func app(_ resolver: TraceResolver) -> some ApplicationProtocol {
    Application(router: resolver.router(logger: Logger(label: "test")))
  }

  static func get(
    _ client: some TestClientProtocol, _ uri: String, accept: String? = nil,
    language: String? = nil, method: HTTPRequest.Method = .get, body: String? = nil
  ) async throws -> TestResponse {
    var headers = HTTPFields()
    if let accept { headers[.accept] = accept }
    if let language { headers[.acceptLanguage] = language }
    return try await client.execute(
      uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
  }

  static let item = "/01/08932301001016/10/DTNQ-2611-02/21/7?17=271102"

  @Test func aPageForPeopleInVietnameseAndEnglish() async throws {
    let (resolver, _) = try await Self.resolver()
    try await Self.app(resolver).test(.router) { client in
      let page = try await Self.get(client, Self.item, accept: "text/html")
      #expect(page.status == .ok)
      #expect(page.headers[.contentType] == "text/html; charset=utf-8")
      let html = String(buffer: page.body)
      #expect(html.contains("<html lang=\"vi\">"))
      #expect(html.contains("Đường thốt nốt Tri Tôn hộp quà 1 kg"))
      #expect(html.contains("★★★★ OCOP"))
      #expect(html.contains("112/QĐ-UBND"))
      #expect(html.contains("Công ty Cổ phần Thốt nốt Bảy Núi"))
      #expect(html.contains("Ngày sản xuất (NSX)</th><td>03/11/2026"))
      let mapped = String(
        buffer: try await Self.get(client, "/01/08932301001016/10/DTNQ-2609-01").body)
      #expect(mapped.contains("https://www.openstreetmap.org/?mlat=10.487312&amp;mlon=104.921845"))
      #expect(html.contains("Nguyên liệu đầu vào"))
      #expect(html.contains("Mã này không có chữ ký số"))
      #expect(!html.contains("<script"))
      let csp = try #require(page.headers[.contentSecurityPolicy])
      #expect(csp.contains("default-src 'none'"))
      #expect(page.headers[.xContentTypeOptions] == "nosniff")
      let english = try await Self.get(client, Self.item, language: "en-GB,en;q=0.8")
      #expect(String(buffer: english.body).contains("<html lang=\"en\">"))
      #expect(String(buffer: english.body).contains("Production date (NSX)"))
      let query = try await Self.get(client, Self.item + "&lang=en")
      #expect(String(buffer: query.body).contains("Tri Ton palm sugar"))
      // With a path stem before the key, as some resolvers publish them.
      let stem = try await Self.get(
        client, "/an-giang/ocop" + Self.item, accept: "application/json")
      #expect(stem.status == .ok)
      let css = try await Self.get(client, "/static/trace.css")
      #expect(css.headers[.contentType] == "text/css; charset=utf-8")
    }
  }

  @Test func recalledAndExpiredLotsCarryABannerThatCannotBeMissed() async throws {
    let (resolver, _) = try await Self.resolver()
    try await Self.app(resolver).test(.router) { client in
      let recalled = String(
        buffer: try await Self.get(client, "/01/08934462001010/10/BBTN-2610-01").body)
      #expect(recalled.contains(#"<div class="banner recalled" role="alert"><strong>ĐÃ THU HỒI"#))
      #expect(recalled.contains("E. coli &lt;b&gt;"))
      #expect(recalled.contains("ĐÃ HẾT HẠN SỬ DỤNG"))
      let json = try await Self.get(
        client, "/01/08934462001010/10/BBTN-2610-01", accept: "application/json")
      let object = try JSONSerialization.jsonObject(with: Data(buffer: json.body)) as? [String: Any]
      #expect(object?["expired"] as? Bool == true)
      #expect((object?["recalled"] as? [String: Any])?["reason"] as? String == "E. coli <b>")
    }
  }

  @Test func machinesGetJSONLinksetsAndRedirects() async throws {
    let (resolver, key) = try await Self.resolver()
    try await Self.app(resolver).test(.router) { client in
      let json = try await Self.get(client, Self.item, accept: "application/json")
      #expect(json.status == .ok)
      #expect(json.headers[.contentType] == "application/json")
      let object = try #require(
        try JSONSerialization.jsonObject(with: Data(buffer: json.body)) as? [String: Any])
      #expect((object["product"] as? [String: Any])?["gtin"] as? String == "08932301001016")
      #expect((object["signature"] as? [String: Any])?["status"] as? String == "unsigned")
      // Who signed the batch record, whatever signed the label.
      let recordedBy = try #require(object["recordedBy"] as? [String: Any])
      #expect(recordedBy["kid"] as? String == key.kid)
      #expect(recordedBy["issuer"] as? String == key.name)
      let page = String(buffer: try await Self.get(client, Self.item).body)
      #expect(page.contains("Hồ sơ lô hàng ký bởi Sở KH&amp;CN An Giang (\(key.kid))"))
      // The link to the other language keeps the code's query (its expiry, its signature).
      #expect(page.contains(#"href="?17=271102&amp;lang=en""#), "\(page)")
      // The Link to the linkset is the item's, without the code's query.
      #expect(
        json.headers[HTTPField.Name("Link")!]
          == "<\(Self.base)/01/08932301001016/10/DTNQ-2611-02/21/7?linkType=linkset>; rel=\"linkset\"; type=\"application/linkset+json\""
      )
      let linkset = try await Self.get(client, Self.item, accept: "application/linkset+json")
      #expect(linkset.headers[.contentType] == "application/linkset+json")
      let set = try #require(
        try JSONSerialization.jsonObject(with: Data(buffer: linkset.body)) as? [String: Any])
      let entry = try #require((set["linkset"] as? [[String: Any]])?.first)
      #expect(entry["anchor"] as? String == "\(Self.base)/01/08932301001016/10/DTNQ-2611-02/21/7")
      #expect(entry["https://gs1.org/voc/pip"] != nil)
      #expect((entry["itemDescription"] as? String)?.hasPrefix("Đường thốt nốt") == true)
      // The default link is the resolver's own page, with a title and nothing more; the
      // traceability links are the page and the JSON, by content negotiation.
      let itemAnchor = "\(Self.base)/01/08932301001016/10/DTNQ-2611-02/21/7"
      let defaults = try #require(entry["https://gs1.org/voc/defaultLink"] as? [[String: Any]])
      #expect(defaults.count == 1)
      #expect(Set(defaults[0].keys) == ["href", "title"])
      #expect(defaults[0]["href"] as? String == itemAnchor)
      let trace = try #require(entry["https://gs1.org/voc/traceability"] as? [[String: Any]])
      #expect(trace.compactMap { $0["type"] as? String } == ["text/html", "application/json"])
      // The linkset links GS1's JSON-LD context.
      #expect(
        linkset.headers[HTTPField.Name("Link")!]
          == "<https://ref.gs1.org/standards/resolver/linkset-context>; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\""
      )
      let byQuery = try await Self.get(client, Self.item + "&linkType=linkset")
      #expect(byQuery.headers[.contentType] == "application/linkset+json")
      // The resolver's own link types are redirects to the record, the query passed on.
      for linkType in ["gs1:traceability", "gs1:defaultLink"] {
        let own = try await Self.get(client, Self.item + "&linkType=" + linkType)
        #expect(own.status == .temporaryRedirect, "\(linkType)")
        #expect(own.headers[.location] == itemAnchor + "?17=271102", "\(linkType)")
      }
      // A preflight names the linkset too.
      let preflight = try await Self.get(
        client, "/01/08932301001016/10/DTNQ-2611-02/", method: .options)
      #expect(preflight.status == .noContent)
      #expect(
        preflight.headers[HTTPField.Name("Link")!]
          == "<\(Self.base)/01/08932301001016/10/DTNQ-2611-02?linkType=linkset>; rel=\"linkset\"; type=\"application/linkset+json\""
      )
      let redirect = try await Self.get(client, Self.item + "&linkType=gs1:pip")
      #expect(redirect.status == .temporaryRedirect)
      // The query is passed on (but linkType).
      #expect(redirect.headers[.location] == "https://shop.example/palm-sugar?17=271102")
      let missing = try await Self.get(client, Self.item + "&linkType=gs1:recipeInfo")
      #expect(missing.status == .notFound)
      let wellKnown = try await Self.get(client, "/.well-known/gs1resolver")
      #expect(wellKnown.status == .ok)
      // The description file holds what GS1's schema for it asks (resolverRoot and
      // supportedPrimaryKeys required; keys from GS1's list; link types as a namespace and
      // a CURIE prefix).
      let description = try #require(
        try JSONSerialization.jsonObject(with: Data(buffer: wellKnown.body)) as? [String: Any])
      #expect(description["resolverRoot"] as? String == Self.base)
      let keys = try #require(description["supportedPrimaryKeys"] as? [String])
      #expect(!keys.isEmpty && keys.allSatisfy { ["all", "01"].contains($0) })
      let linkTypes = try #require(description["supportedLinkType"] as? [[String: String]])
      #expect(linkTypes == [["namespace": "https://gs1.org/voc/", "prefix": "gs1:"]])
      #expect(
        description["jsonLdContextLocation"] as? String
          == "https://ref.gs1.org/standards/resolver/linkset-context")
      let health = try await Self.get(client, "/healthz")
      #expect(health.status == .ok)
      // A signed link's signature is checked and shown.
      let link = try SignedLink.sign(
        DigitalLink(parsing: Self.base + Self.item), with: key)
      let signed = try await Self.get(
        client, String(link.uri.dropFirst(Self.base.count)), accept: "application/json")
      #expect(String(buffer: signed.body).contains("\"status\":\"valid\""))
      let forged = try await Self.get(
        client,
        String(link.uri.dropFirst(Self.base.count)).replacingOccurrences(
          of: "/21/7?", with: "/21/8?"))
      #expect(String(buffer: forged.body).contains("CẢNH BÁO: chữ ký số"))
    }
  }

  @Test func badInputIsAnsweredWith4xxNever5xx() async throws {
    let (resolver, _) = try await Self.resolver()
    try await Self.app(resolver).test(.router) { client in
      let cases: [(String, HTTPResponse.Status)] = [
        ("/01/8932301001016/10/A", .badRequest),
        ("/01/08932301001017/10/A", .badRequest),
        ("/01/08932301001016/10/DTNQ-2611-02/21/999", .notFound),
        ("/01/08932301099983/10/NOPE", .notFound),
        ("/414/8932301000019", .notFound),
        ("/", .badRequest),
        ("/../../etc/passwd", .badRequest),
        ("/01/08932301001016/10/%FF%FE", .badRequest),
        ("/01/08932301001016/10/DTNQ-2611-02?17=271102&17=271102", .badRequest),
        ("/" + String(repeating: "a", count: 3000), .uriTooLong),
      ]
      for (uri, status) in cases {
        let response = try await Self.get(client, uri)
        #expect(response.status == status, "\(uri.prefix(60))")
        let json = try await Self.get(client, uri, accept: "application/json")
        #expect(json.status == status, "\(uri.prefix(60))")
        if status == .badRequest || status == .notFound {
          #expect(json.headers[.contentType] == "application/json")
          #expect(response.headers[.contentType] == "text/html; charset=utf-8")
        }
      }
      let post = try await Self.get(client, Self.item, method: .post, body: "x")
      #expect(post.status == .methodNotAllowed)
      #expect(post.headers[.allow] == "GET, HEAD, OPTIONS")
      let head = try await Self.get(client, Self.item, method: .head)
      #expect(head.status == .ok)
      // A browser's preflight, and the cross-origin headers on every answer.
      let options = try await Self.get(client, Self.item, method: .options)
      #expect(options.status == .noContent)
      #expect(options.headers[.allow] == "GET, HEAD, OPTIONS")
      let allowOrigin = HTTPField.Name("Access-Control-Allow-Origin")!
      #expect(options.headers[allowOrigin] == "*")
      #expect(head.headers[allowOrigin] == "*")
      #expect(post.headers[allowOrigin] == "*")
      // A trailing slash gets the answer without it.
      let slash = try await Self.get(client, "/01/08932301001016/10/DTNQ-2611-02/")
      #expect(slash.status == .ok)
      let bare = try await Self.get(client, "/01/08932301001016/10/DTNQ-2611-02")
      #expect(String(buffer: slash.body) == String(buffer: bare.body))
    }
  }

  /// Walking up the tree: a product the store knows, named with no lot or an unknown lot,
  /// gets its product's page, JSON and linkset (200), with its lots on record linked.
  @Test func aProductWithoutALotOrWithAnUnknownLotIsAnsweredAtTheProductsLevel() async throws {
    let (resolver, _) = try await Self.resolver()
    try await Self.app(resolver).test(.router) { client in
      let page = try await Self.get(client, "/01/08932301001016/10/NOPE")
      #expect(page.status == .ok)
      let html = String(buffer: page.body)
      #expect(html.contains("Không có hồ sơ của lô NOPE"))
      #expect(html.contains("/01/08932301001016/10/DTNQ-2611-02\">DTNQ-2611-02</a>"))
      let json = try await Self.get(client, "/01/08932301001016", accept: "application/json")
      #expect(json.status == .ok)
      let object = try #require(
        try JSONSerialization.jsonObject(with: Data(buffer: json.body)) as? [String: Any])
      #expect(object["level"] as? String == "product")
      #expect(object["verdict"] as? String == "unknown")
      let lots = try #require(object["lots"] as? [[String: Any]])
      #expect(lots.contains { $0["lot"] as? String == "DTNQ-2611-02" })
      #expect(
        json.headers[HTTPField.Name("Link")!]?.contains("/01/08932301001016?linkType=linkset")
          == true)
      let linkset = try await Self.get(client, "/01/08932301001016?linkType=linkset")
      #expect(linkset.status == .ok)
      #expect(linkset.headers[.contentType] == "application/linkset+json")
      let set = try #require(
        try JSONSerialization.jsonObject(with: Data(buffer: linkset.body)) as? [String: Any])
      let entry = try #require((set["linkset"] as? [[String: Any]])?.first)
      #expect(entry["anchor"] as? String == "\(Self.base)/01/08932301001016")
      #expect(entry["itemDescription"] as? String != nil)
      let slash = try await Self.get(client, "/01/08932301001016/")
      #expect(slash.status == .ok)
    }
  }

  /// A default link configured for a product sends people there, passing the query on;
  /// machines asking for JSON or the linkset are still answered; a link type's redirect
  /// passes the query on too, but its own parameter.
  @Test func aConfiguredDefaultLinkRedirectsWithTheQuery() async throws {
    let (base, _) = try await Self.resolver()
    let resolver = TraceResolver(
      store: base.store, trustList: base.trustList, scanLog: nil,
      settings: ResolverSettings(
        base: Self.base,
        links: [
          "08932301001016": [
            "gs1:defaultLink": "https://bay-nui.example/san-pham/duong-thot-not",
            "gs1:pip": "https://shop.example/palm-sugar?ref=qr",
          ]
        ]))
    try await Self.app(resolver).test(.router) { client in
      let lot = "/01/08932301001016/10/DTNQ-2611-02"
      let page = try await Self.get(client, lot + "?foo=bar")
      #expect(page.status == .temporaryRedirect)
      #expect(page.headers[.location] == "https://bay-nui.example/san-pham/duong-thot-not?foo=bar")
      #expect(page.headers[HTTPField.Name("Link")!]?.contains("rel=\"linkset\"") == true)
      let json = try await Self.get(client, lot, accept: "application/json")
      #expect(json.status == .ok)
      let pip = try await Self.get(client, lot + "?linkType=gs1:pip&foo=bar")
      #expect(pip.headers[.location] == "https://shop.example/palm-sugar?ref=qr&foo=bar")
      // At the product's level too.
      let product = try await Self.get(client, "/01/08932301001016?foo=bar")
      #expect(product.status == .temporaryRedirect)
      #expect(
        product.headers[.location] == "https://bay-nui.example/san-pham/duong-thot-not?foo=bar")
      // The linkset names the configured default, and the resolver's page stays a
      // traceability link.
      let linkset = try await Self.get(client, lot, accept: "application/linkset+json")
      let set = try #require(
        try JSONSerialization.jsonObject(with: Data(buffer: linkset.body)) as? [String: Any])
      let entry = try #require((set["linkset"] as? [[String: Any]])?.first)
      let defaults = try #require(entry["https://gs1.org/voc/defaultLink"] as? [[String: Any]])
      #expect(
        defaults.map { $0["href"] as? String } == [
          "https://bay-nui.example/san-pham/duong-thot-not"
        ])
      let trace = try #require(entry["https://gs1.org/voc/traceability"] as? [[String: Any]])
      #expect(trace.first?["href"] as? String == Self.base + lot)
      let asked = try await Self.get(client, lot + "?linkType=gs1:defaultLink")
      #expect(asked.headers[.location] == "https://bay-nui.example/san-pham/duong-thot-not")
    }
  }

  /// An error page says what a shopper can do in the page's language, and folds the
  /// technical reason (in English) away.
  @Test func errorPagesSpeakThePagesLanguageAndFoldTheDetail() async throws {
    let (resolver, _) = try await Self.resolver()
    try await Self.app(resolver).test(.router) { client in
      let bad = "/01/08932301001017/10/DTNQ-2611-02"
      let vietnamese = try await Self.get(client, bad, language: "vi")
      #expect(vietnamese.status == .badRequest)
      let page = String(buffer: vietnamese.body)
      #expect(page.contains("Đây không phải mã truy xuất hợp lệ"))
      #expect(page.contains("Hãy kiểm tra mã đã được quét đầy đủ chưa."))
      #expect(page.contains("<details><summary>Chi tiết kỹ thuật (tiếng Anh)</summary>"))
      #expect(page.contains("check digit should be"))
      let english = String(buffer: try await Self.get(client, bad + "?lang=en").body)
      #expect(english.contains("<details><summary>Technical detail</summary>"))
    }
  }

  /// Counts read right in both languages: "1 time from 1 place".
  @Test func scanCountsAgreeInNumber() {
    let english = Page.Text(english: true)
    #expect(english.scanned(1, 1) == "This code has been scanned 1 time from 1 place.")
    #expect(english.scanned(12, 4) == "This code has been scanned 12 times from 4 places.")
    #expect(Page.Text(english: false).scanned(1, 1) == "Mã này đã được quét 1 lần từ 1 nơi.")
  }

  @Test func whatAProducerTypedIsEscaped() async throws {
    let (resolver, _) = try await Self.resolver()
    try await Self.app(resolver).test(.router) { client in
      let html = String(buffer: try await Self.get(client, "/01/08932301099990/10/X-1").body)
      #expect(!html.contains("<script>alert"))
      #expect(!html.contains("<img src=x"))
      #expect(!html.contains("<svg onload"))
      #expect(!html.contains("<i>Lê</i>"))
      #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"))
      #expect(html.contains("Kẹo &lt;img src=x onerror=alert(1)&gt;"))
    }
  }

  /// The JSON answer for `target` as a client at `address` gets it.
  static func json(_ resolver: TraceResolver, _ target: String, from address: String?) async
    -> (status: Int, body: [String: Any])
  {
    let path = String(target.prefix { $0 != "?" })
    let query = target.contains("?") ? String(target.drop { $0 != "?" }.dropFirst()) : nil
    let reply = await resolver.resolve(
      path: path, query: query, accept: "application/json", acceptLanguage: nil, client: address)
    let body = (try? JSONSerialization.jsonObject(with: Data(reply.body))) as? [String: Any]
    return (reply.status, body ?? [:])
  }

  /// A phone's browser, as a shopper scanning a code opens the page with.
  static let phone =
    "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) "
    + "Chrome/129.0.0.0 Mobile Safari/537.36 Zalo android/12110"

  /// A person at `address` opening `target`'s page with `userAgent`: what a scan is.
  @discardableResult
  static func open(
    _ resolver: TraceResolver, _ target: String, from address: String?, userAgent: String = phone
  ) async -> ResolverReply {
    let path = String(target.prefix { $0 != "?" })
    let query = target.contains("?") ? String(target.drop { $0 != "?" }.dropFirst()) : nil
    return await resolver.resolve(
      path: path, query: query, accept: "text/html", acceptLanguage: nil, client: address,
      userAgent: userAgent)
  }

  /// The count the JSON answer gives for `target` (reading it counts nothing).
  static func count(_ resolver: TraceResolver, _ target: String) async -> Int? {
    (await json(resolver, target, from: "192.0.2.250").body["scans"] as? [String: Any])?["count"]
      as? Int
  }

  @Test func aSerialScannedInManyPlacesIsFlaggedByPlaces() async throws {
    let (resolver, _) = try await Self.resolver()
    for network in 0...ScanSummary.placeLimit {
      await Self.open(resolver, Self.item, from: "203.0.\(network).7")
    }
    let last = await Self.json(resolver, Self.item, from: "192.0.2.250").body
    let scans = try #require(last["scans"] as? [String: Any])
    #expect(scans["count"] as? Int == ScanSummary.placeLimit + 1)
    #expect(scans["places"] as? Int == ScanSummary.placeLimit + 1)
    #expect(scans["unusual"] as? Bool == true)
    let page = String(
      decoding: await Self.open(resolver, Self.item, from: "203.0.9.7").body, as: UTF8.self)
    #expect(page.contains("mã này đã được quét ở 7 nơi (mạng) khác nhau"), "\(page)")
    #expect(page.contains("có thể đã bị sao chép"))
    // Another serial has its own count.
    await Self.open(resolver, "/01/08932301001016/10/DTNQ-2611-02/21/8", from: "203.0.9.7")
    #expect(await Self.count(resolver, "/01/08932301001016/10/DTNQ-2611-02/21/8") == 1)
  }

  /// Reloads, a language switch, JSON, linkset and HEAD requests, link previewers and
  /// scripts: none is a scan. Several people in one place are.
  @Test func onlyAPersonOpeningThePageCountsAndOnceADay() async throws {
    let (resolver, _) = try await Self.resolver()
    let item = "/01/08932301001016/10/DTNQ-2611-02/21/9?17=271102"
    for _ in 0..<14 { await Self.open(resolver, item, from: "203.0.113.5") }
    await Self.open(resolver, item + "&lang=en", from: "203.0.113.5")
    // The same phone on another address of its network is the same client.
    await Self.open(resolver, item, from: "203.0.113.77")
    #expect(await Self.count(resolver, item) == 1)
    for userAgent in [
      "facebookexternalhit/1.1", "Mozilla/5.0 (compatible; Googlebot/2.1)", "curl/8.5.0",
      "python-requests/2.31", "TelegramBot (like TwitterBot)", "WhatsApp/2.23", "", " ",
    ] {
      await Self.open(resolver, item, from: "198.51.100.9", userAgent: userAgent)
    }
    let path = String(item.prefix { $0 != "?" })
    for accept in ["application/json", "application/linkset+json"] {
      _ = await resolver.resolve(
        path: path, query: "17=271102", accept: accept, acceptLanguage: nil,
        client: "198.51.100.10", userAgent: Self.phone)
    }
    _ = await resolver.resolve(
      path: path, query: "17=271102&linkType=gs1:traceability", accept: "text/html",
      acceptLanguage: nil, client: "198.51.100.11", userAgent: Self.phone)
    _ = await resolver.resolve(
      path: path, query: "17=271102", accept: "text/html", acceptLanguage: nil,
      client: "198.51.100.12", userAgent: nil)
    #expect(await Self.count(resolver, item) == 1)
    // Another phone in the same shop is another person: counted, in the same place.
    await Self.open(
      resolver, item, from: "203.0.113.6",
      userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1")
    let scans = try #require(
      await Self.json(resolver, item, from: "192.0.2.250").body["scans"] as? [String: Any])
    #expect(scans["count"] as? Int == 2)
    #expect(scans["places"] as? Int == 1)
    #expect(scans["unusual"] as? Bool == false)
    #expect(ScanAllowance.isMachine(userAgent: "Mozilla/5.0 (iPhone) Zalo iOS") == false)
  }

  @Test func machinesAreToldFromPhonesByTheirUserAgent() {
    let machines = [
      nil, "", "  ", "curl/8.4.0", "Mozilla/5.0 (compatible; Googlebot/2.1)", "WhatsApp/2.24.1 A",
      "facebookexternalhit/1.1", "python-requests/2.31", "Go-http-client/1.1", "wrk",
      "Mozilla/5.0 HeadlessChrome/120.0", "Mozilla/5.0 (Linux) uptime check",
      "Mozilla/5.0 (iPhone) Bánh mì preview",
    ]
    for agent in machines {
      #expect(ScanAllowance.isMachine(userAgent: agent), "\(agent ?? "nil")")
    }
    let phones = [
      "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) ZALO iOS", "go",
      "Trình duyệt Cốc Cốc",
    ]
    for agent in phones {
      #expect(!ScanAllowance.isMachine(userAgent: agent), "\(agent)")
    }
  }

  @Test func forgedScansAreNeverCountedAndOneClientCountsOnce() async throws {
    let (resolver, _) = try await Self.resolver()
    let forged =
      "/01/08932301001016/10/DTNQ-2611-02/21/10?17=271102&s="
      + String(repeating: "0", count: 168)
    // An attacker with many addresses, and one with one address, scanning the same code.
    for client in 0..<(ScanSummary.placeLimit * 4) {
      await Self.open(resolver, forged, from: "198.51.\(client).7")
      let answer = await Self.json(resolver, forged, from: "198.51.\(client).7")
      #expect(answer.body["verdict"] as? String == "forged")
      #expect(answer.body["scans"] is NSNull)
    }
    let genuine = "/01/08932301001016/10/DTNQ-2611-02/21/10?17=271102"
    for _ in 0..<(ScanSummary.placeLimit * 4) {
      await Self.open(resolver, genuine, from: "192.0.2.50")
    }
    let answer = await Self.json(resolver, genuine, from: "192.0.2.50")
    let scans = try #require(answer.body["scans"] as? [String: Any])
    #expect(scans["count"] as? Int == 1)
    #expect(scans["unusual"] as? Bool == false)
    // A client walking every serial of the lot stops counting after a few.
    for serial in 11...60 {
      await Self.open(
        resolver, "/01/08932301001016/10/DTNQ-2611-02/21/\(serial)", from: "192.0.2.99")
    }
    await Self.open(resolver, "/01/08932301001016/10/DTNQ-2611-02/21/61", from: "192.0.2.100")
    #expect(await Self.count(resolver, "/01/08932301001016/10/DTNQ-2611-02/21/61") == 1)
    // Serial 60 came after the walker's budget: never counted, so its count is still 0.
    #expect(await Self.count(resolver, "/01/08932301001016/10/DTNQ-2611-02/21/60") == 0)
  }

  @Test(arguments: [
    ("text/html;q=0, application/json", TraceResolver.Format.json),
    ("application/json;q=0.5, text/html", .html),
    ("text/html;q=0.5, application/json;q=0.9", .json),
    ("application/json, text/html", .html),
    ("application/json", .json),
    ("application/linkset+json, application/json", .linkset),
    ("application/linkset+json;q=0.1, application/json", .json),
    ("*/*;q=0.8", .html),
    ("text/html;q=0, */*;q=0.1", .json),
    ("text/*;q=0.3, application/json;q=0.2", .html),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", .html),
    ("image/png;q=1", .html),
  ])
  func acceptQualityValuesChooseTheAnswer(_ accept: String, _ format: TraceResolver.Format) {
    #expect(TraceResolver.Format(accept: accept) == format, "\(accept)")
  }

  @Test func answersForAnHTTPSResolverAskForHTTPSOnly() async throws {
    let (resolver, _) = try await Self.resolver()
    try await Self.app(resolver).test(.router) { client in
      let answer = try await Self.get(client, Self.item)
      #expect(answer.headers[HTTPField.Name("Strict-Transport-Security")!] == "max-age=31536000")
      let refused = try await Self.get(client, "/01/08932301001016/10/NOPE")
      #expect(refused.headers[HTTPField.Name("Strict-Transport-Security")!] != nil)
    }
    let plain = TraceResolver(
      store: resolver.store, trustList: resolver.trustList, scanLog: nil,
      settings: ResolverSettings(base: "http://truyxuat.angiang.example"))
    try await Self.app(plain).test(.router) { client in
      let answer = try await Self.get(client, Self.item)
      #expect(answer.headers[HTTPField.Name("Strict-Transport-Security")!] == nil)
    }
  }

  @Test func placesAreNetworksHashedWithASecretKeyAndIPv4ThroughIPv6IsIPv4() async throws {
    let key = ScanPlaceKey.generate()
    let now = try Timestamp("2026-11-29T08:00:00Z")
    func place(_ address: String, _ key: ScanPlaceKey = key, at time: Timestamp? = nil) -> String {
      ScanPlace.of(address: address, key: key, at: time ?? now)
    }
    // An IPv4 client seen through an IPv6 socket is its IPv4 network.
    #expect(place("::ffff:203.0.113.7") == place("203.0.113.200"))
    #expect(place("::ffff:203.0.113.7") != place("::ffff:198.51.100.7"))
    // One IPv6 /48 however it is written; another /48 is another place.
    #expect(place("2001:db8:1::1") == place("2001:0db8:0001:ffff::2"))
    #expect(place("2001:db8:1::1") != place("2001:db8:2::1"))
    // Keyed: another key, or another month, gives other places; text that is not an
    // address is one place.
    #expect(place("203.0.113.7", .generate()) != place("203.0.113.7"))
    #expect(place("203.0.113.7", at: try Timestamp("2026-12-01T00:00:00Z")) != place("203.0.113.7"))
    #expect(place("not an address") == "unknown")

    // Through the resolver: two IPv4 networks behind `serve --host ::` are two places.
    let (resolver, _) = try await Self.resolver()
    let item = "/01/08932301001016/10/DTNQ-2611-02/21/12?17=271102"
    await Self.open(resolver, item, from: "::ffff:198.51.100.7")
    await Self.open(resolver, item, from: "::ffff:203.0.113.9")
    let answer = await Self.json(resolver, item, from: "::ffff:203.0.113.9")
    let scans = try #require(answer.body["scans"] as? [String: Any])
    #expect(scans["count"] as? Int == 2)
    #expect(scans["places"] as? Int == 2)
  }

  @Test func theScanPlaceKeyIsTheOwnersAlone() throws {
    let folder = TemporaryFolder()
    let path = folder.file("ocop.scan-key")
    let (made, isNew) = try ScanPlaceKey.loadOrCreate(path: path)
    #expect(isNew)
    let mode = try #require(
      try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    #expect(mode == 0o600)
    let (again, isNewAgain) = try ScanPlaceKey.loadOrCreate(path: path)
    #expect(!isNewAgain)
    let now = Timestamp.now()
    #expect(
      ScanPlace.of(address: "203.0.113.7", key: made, at: now)
        == ScanPlace.of(address: "203.0.113.7", key: again, at: now))
    chmod(path, 0o644)
    #expect(throws: TraceError.self) { try ScanPlaceKey.load(from: path) }
    // A link where the key would be made is refused, not followed.
    let link = folder.file("linked.scan-key")
    try FileManager.default.createSymbolicLink(
      atPath: link, withDestinationPath: folder.file("elsewhere"))
    #expect(throws: TraceError.self) { try ScanPlaceKey.loadOrCreate(path: link) }
    #expect(!FileManager.default.fileExists(atPath: folder.file("elsewhere")))
  }

  @Test func aRecallShowsOnACodeAnsweredBeforeWithinASecond() async throws {
    let (resolver, _) = try await Self.resolver()
    let item = "/01/08932301001016/10/DTNQ-2611-02/21/14?17=271102"
    #expect(
      await Self.json(resolver, item, from: "192.0.2.7").body["verdict"] as? String == "valid")
    #expect(
      await Self.json(resolver, item, from: "192.0.2.8").body["verdict"] as? String == "valid")
    let lot = try LotReference(gtin: GTIN("8932301001016"), lot: "DTNQ-2611-02")
    _ = try await (resolver.store as! SQLiteTraceStore).recall(lot, reason: "Kiểm tra")
    try await Task.sleep(nanoseconds: 1_200_000_000)
    let after = await Self.json(resolver, item, from: "192.0.2.9")
    #expect(after.body["verdict"] as? String == "recalled", "\(after.body)")
  }

  @Test func scansAreWrittenOffTheRequestPathAndCountedMeanwhile() async throws {
    let (resolver, _, folder) = try await Self.resolverInFolder()
    let item = "/01/08932301001016/10/DTNQ-2611-02/21/13?17=271102"
    for client in 1...3 {
      await Self.open(resolver, item, from: "192.0.\(client).1")
      // Counted at once, although the scan may not be written yet.
      #expect(await Self.count(resolver, item) == client)
    }
    let log = try SQLiteScanLog(path: folder + "/scans.sqlite")
    let lot = try LotReference(gtin: GTIN("8932301001016"), lot: "DTNQ-2611-02")
    var stored = 0
    for _ in 0..<50 where stored < 3 {
      try await Task.sleep(nanoseconds: 50_000_000)
      stored = try await log.tally(lot, serial: "13", storedAmong: []).tally.summary.scans
    }
    #expect(stored == 3)
  }

  @Test func aLockedScanLogNeitherHoldsUpNorChangesTheAnswer() async throws {
    let (resolver, _, folder) = try await Self.resolverInFolder(scanLogWait: .milliseconds(250))
    await Self.open(resolver, Self.item, from: "203.0.113.1")  // the log exists
    // Another process holds the scan log's write lock for 8 s, as a backup tool might.
    let locker = try Subprocess.start([
      "/usr/bin/env", "python3", "-c",
      "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
        + "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(8)",
      folder + "/scans.sqlite",
    ])
    defer { locker.send(SIGTERM) }
    let deadline = Date().addingTimeInterval(60)
    while !String(decoding: locker.printed(), as: UTF8.self).contains("locked")
      && Date() < deadline
    {
      usleep(10_000)
    }
    let said = String(decoding: locker.printed(), as: UTF8.self)
    try #require(said.contains("locked"), "the scan log could not be locked: \(said)")
    let start = Date()
    let answer = await Self.open(resolver, Self.item, from: "198.51.100.2")
    let seconds = Date().timeIntervalSince(start)
    #expect(answer.status == 200)
    #expect(String(decoding: answer.body, as: UTF8.self).contains("Đường thốt nốt Tri Tôn"))
    // Well under the 5 s the scan log would wait for the lock (a busy test machine may
    // take a second or two for the answer itself).
    #expect(seconds < 4, "the answer waited \(seconds) s for the scan log")
    let page = await resolver.resolve(
      path: Self.item.components(separatedBy: "?")[0], query: "17=271102", accept: "text/html",
      acceptLanguage: nil, client: "203.0.113.3")
    #expect(page.status == 200)
    #expect(!String(decoding: page.body, as: UTF8.self).contains(folder))
  }

  @Test func overARealSocket() async throws {
    let (resolver, _) = try await Self.resolver()
    try await Self.app(resolver).test(.live) { client in
      let page = try await Self.get(client, Self.item)
      #expect(page.status == .ok)
      #expect(String(buffer: page.body).contains("Đường thốt nốt Tri Tôn"))
      let bad = try await Self.get(client, "/01/123")
      #expect(bad.status == .badRequest)
    }
  }
}

/// The page as a real browser renders it: headless Chromium (Debian's `chromium`) loads it
/// from a live server and the test reads back the DOM it built.
@Suite("Resolver in a browser")
struct ResolverBrowserTests {
  static let artefacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("artefacts")
    .path

  /// Runs headless Chromium with `arguments` on a thread of its own (it waits on the
  /// server, whose handlers need the shared threads), and returns what it printed.
  static func chromium(_ arguments: [String]) async throws -> String {
    try await HostileRequestTests.onThread { try Self.runChromium(arguments) }
  }

  private static func runChromium(_ arguments: [String]) throws -> String {
    let result = try Subprocess.run(
      [
        "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars", "--lang=vi-VN",
      ] + arguments, timeout: 300)
    return String(decoding: result.stdout, as: UTF8.self)
  }

  /// The page a phone opens, as Chromium draws it at a phone's width (390×844) and a
  /// desktop's (1280×900), in both languages, for a genuine, a recalled, an expired, an
  /// unsigned and a forged code; the screenshots are kept in `artefacts/resolver/`. Every
  /// page passes the accessibility check of ``accessibilityProblems(_:language:)``.
  @Test func thePageAtPhoneAndDesktopWidthsInBothLanguagesIsAccessible() async throws {
    let (base, key) = try await ResolverTests.resolver()
    let resolver = TraceResolver(
      store: base.store, trustList: base.trustList, scanLog: nil,
      settings: ResolverSettings(
        base: ResolverTests.base,
        reportContact: "Sở KH&CN An Giang, đường dây nóng 0296 3852 000"))
    let signed = try SignedLink.sign(
      DigitalLink(
        base: DigitalLink.Base(ResolverTests.base), gtin: GTIN("8932301001016"),
        lot: "DTNQ-2611-02", serial: "5", attributes: [AIElement(ai: "17", value: "271102")]),
      with: key)
    let genuine = String(signed.uri.dropFirst(ResolverTests.base.count))
    let codes: [(name: String, path: String, words: String)] = [
      ("genuine", genuine, "Mã chính hãng"),
      ("recalled", "/01/08934462001010/10/BBTN-2610-01", "ĐÃ THU HỒI"),
      ("expired", "/01/08934235001018/10/LKQ-2609-01", "ĐÃ HẾT HẠN SỬ DỤNG"),
      ("unsigned", "/01/08932301001016/10/DTNQ-2609-01", "Mã này không có chữ ký số"),
      (
        "forged",
        "/01/08932301001016/10/DTNQ-2611-02/21/6?17=271102&s=" + String(repeating: "0", count: 168),
        "CẢNH BÁO: chữ ký số của mã không hợp lệ"
      ),
    ]
    let folder = Self.artefacts + "/resolver"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try await ResolverTests.app(resolver).test(.live) { client in
      let port = try #require(client.port)
      for code in codes {
        for language in ["vi", "en"] {
          let path = code.path + (code.path.contains("?") ? "&" : "?") + "lang=" + language
          let page = try await ResolverTests.get(client, path, accept: "text/html")
          let html = String(buffer: page.body)
          #expect(page.status == .ok, "\(code.name)")
          if language == "vi" { #expect(html.contains(code.words), "\(code.name)") }
          let problems = Self.accessibilityProblems(html, language: language)
          #expect(problems.isEmpty, "\(code.name) \(language): \(problems)")
          for (device, size) in [("phone", "390,844"), ("desktop", "1280,900")] {
            let file = folder + "/\(code.name)-\(language)-\(device).png"
            try? FileManager.default.removeItem(atPath: file)
            _ = try await Self.chromium([
              "--screenshot=" + file, "--window-size=" + size,
              "http://127.0.0.1:\(port)" + path,
            ])
            let image = try Data(contentsOf: URL(fileURLWithPath: file))
            // A PNG of the asked width.
            #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(file)")
            let width = image[16..<20].reduce(0) { $0 << 8 | Int($1) }
            #expect(width == Int(size.split(separator: ",")[0])!, "\(file)")
          }
        }
      }
    }
    // The check is not a rubber stamp: each kind of fault is found.
    let good = #"<html lang="vi"><body><h1>A</h1><h2>B</h2><img src="x" alt="Ảnh"></body></html>"#
    #expect(Self.accessibilityProblems(good, language: "vi").isEmpty)
    #expect(!Self.accessibilityProblems(good, language: "en").isEmpty)
    #expect(
      !Self.accessibilityProblems(
        good.replacingOccurrences(of: #" alt="Ảnh""#, with: ""), language: "vi"
      ).isEmpty)
    #expect(
      !Self.accessibilityProblems(
        good.replacingOccurrences(of: "<h2>B</h2>", with: "<h3>B</h3>"), language: "vi"
      ).isEmpty)
    #expect(
      !Self.accessibilityProblems(
        good.replacingOccurrences(of: "<h1>A</h1>", with: ""), language: "vi"
      ).isEmpty)
    #expect(Self.contrast("#ffffff", "#e65100") < 4.5)
  }

  /// What a page fails of the checks that need no person: the `lang` attribute is the
  /// page's language; one `h1`, and headings that go down one level at a time; every image
  /// has a text alternative; and every text colour of the stylesheet has a contrast of at
  /// least 4.5:1 with its background (WCAG 2.1, 1.4.3), 3:1 for large text (the stars).
  static func accessibilityProblems(_ html: String, language: String) -> [String] {
    var problems: [String] = []
    if !html.contains("<html lang=\"\(language)\">") { problems.append("lang is not \(language)") }
    let levels = html.split(separator: "<h").compactMap { piece -> Int? in
      guard let digit = piece.first?.wholeNumberValue, (1...6).contains(digit) else { return nil }
      return digit
    }
    if levels.filter({ $0 == 1 }).count != 1 { problems.append("not exactly one h1") }
    for (before, after) in zip(levels, levels.dropFirst()) where after > before + 1 {
      problems.append("heading h\(before) is followed by h\(after)")
    }
    for image in html.split(separator: "<img").dropFirst() {
      let tag = image.prefix { $0 != ">" }
      guard let alt = tag.range(of: "alt=\"") else {
        problems.append("an image has no alt text")
        continue
      }
      if tag[alt.upperBound...].hasPrefix("\"") { problems.append("an image has empty alt text") }
    }
    // The stylesheet's text colours on their backgrounds.
    let white = "#ffffff"
    let page = "#f6f7f5"
    for (what, foreground, background, large) in [
      ("body text", "#1d2a1f", page, false), ("kicker", "#50634f", page, false),
      ("recalled banner", white, "#b00020", false), ("expired banner", white, "#bf360c", false),
      ("warning banner", "#5c4400", "#fff3cd", false), ("stars", "#8a5a00", white, true),
      ("signed", "#1b5e20", white, false), ("links", "#1f5fa8", white, false),
      ("timeline time", "#50634f", white, false),
    ] {
      guard Page.stylesheet.contains(foreground.replacingOccurrences(of: "#ffffff", with: "#fff"))
      else {
        problems.append("\(what): colour \(foreground) is not the stylesheet's")
        continue
      }
      let ratio = contrast(foreground, background)
      if ratio < (large ? 3 : 4.5) {
        problems.append("\(what): contrast \(ratio) is too low")
      }
    }
    return problems
  }

  /// The WCAG contrast ratio of two `#rrggbb` colours.
  static func contrast(_ a: String, _ b: String) -> Double {
    func luminance(_ hex: String) -> Double {
      let value = Int(hex.dropFirst(), radix: 16) ?? 0
      let channels = [value >> 16 & 0xFF, value >> 8 & 0xFF, value & 0xFF].map { channel in
        let c = Double(channel) / 255
        return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
      }
      return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    }
    let (x, y) = (luminance(a), luminance(b))
    return (max(x, y) + 0.05) / (min(x, y) + 0.05)
  }

  @Test func chromiumShowsTheRecordAndTheRecallBanner() async throws {
    #expect(
      FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"),
      "chromium is installed by scripts/quickstart.sh setup")
    let (resolver, _) = try await ResolverTests.resolver()
    try await ResolverTests.app(resolver).test(.live) { client in
      let port = try #require(client.port)
      let root = "http://127.0.0.1:\(port)"
      let page = try await Self.chromium([
        "--dump-dom", root + "/01/08932301001016/10/DTNQ-2609-01?lang=vi",
      ])
      #expect(page.contains("Đường thốt nốt Tri Tôn hộp quà 1 kg"))
      #expect(page.contains("★★★★ OCOP"))
      #expect(page.contains("Công ty Cổ phần Thốt nốt Bảy Núi"))
      #expect(page.contains("Vùng thốt nốt Lê Trì"))
      #expect(!page.contains("ĐÃ THU HỒI"))
      let recalledURL = root + "/01/08934462001010/10/BBTN-2610-01?lang=vi"
      let recalled = try await Self.chromium(["--dump-dom", recalledURL])
      #expect(recalled.contains("ĐÃ THU HỒI"))
      #expect(recalled.contains("làm từ lô nguyên liệu bị thu hồi"))
      #expect(recalled.contains("Bánh bò thốt nốt Nhà Bàng hộp 10 cái"))
      // Screenshots for people to look at.
      try FileManager.default.createDirectory(
        atPath: Self.artefacts, withIntermediateDirectories: true)
      for (name, url) in [
        ("resolver-page.png", root + "/01/08932301001016/10/DTNQ-2609-01?lang=vi"),
        ("resolver-recalled.png", recalledURL),
      ] {
        let file = Self.artefacts + "/" + name
        try? FileManager.default.removeItem(atPath: file)
        _ = try await Self.chromium(["--screenshot=" + file, "--window-size=412,1400", url])
        #expect(FileManager.default.fileExists(atPath: file), "\(name)")
      }
    }
  }
}

extension Data {
  init(buffer: ByteBuffer) { self.init(buffer.readableBytesView) }
}
