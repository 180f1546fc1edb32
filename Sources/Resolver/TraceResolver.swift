import Foundation
import GS1
import Traceability

/// One answer of the resolver: status, headers and body.
public struct ResolverReply: Sendable {
  public var status: Int
  public var headers: [(String, String)]
  public var body: [UInt8]

  init(_ status: Int, _ contentType: String, _ body: String, headers: [(String, String)] = []) {
    self.status = status
    self.headers = [("Content-Type", contentType)] + headers
    self.body = Array(body.utf8)
  }

  init(status: Int, headers: [(String, String)], body: [UInt8]) {
    self.status = status
    self.headers = headers
    self.body = body
  }
}

/// What the resolver is and links to.
public struct ResolverSettings: Sendable {
  /// The base trace links are made with (`https://truyxuat.angiang.example`).
  public var base: String
  /// The service's name, in `/.well-known/gs1resolver`.
  public var name: String
  /// Further links by GTIN (or `*` for every product): link type (`gs1:pip`) → URL.
  public var links: [String: [String: String]]
  /// How long a request waits for the scan log before it answers without the count.
  public var scanLogWait: Duration
  /// Whether this is a trial's resolver, which answers trial codes (GS1's demonstration
  /// prefix 952) with a MẪU THỬ banner; any other refuses them (verdict `trial`, 404).
  public var trial: Bool
  /// Whom a shopper tells about a suspected fake (the province's hotline, say), shown on
  /// every record's page; nil shows none.
  public var reportContact: String?

  public init(
    base: String, name: String = "ocop-trace resolver", links: [String: [String: String]] = [:],
    scanLogWait: Duration = .milliseconds(250), trial: Bool = false, reportContact: String? = nil
  ) {
    self.base = base
    self.name = name
    self.links = links
    self.scanLogWait = scanLogWait
    self.trial = trial
    self.reportContact = reportContact
  }
}

/// The resolver behind a trace code, following GS1's resolver conventions: a page for
/// people (Vietnamese, or English), the record as JSON, an RFC 9264 linkset of the
/// product's links, redirects by link type, and a description of the service. Read-only;
/// every input that is not a link the store issued gets a 4xx answer, never a 5xx.
public struct TraceResolver: Sendable {
  let store: any TraceStore
  let trustList: TrustList
  let recorder: ScanRecorder?
  let evidence: EvidenceCache
  let allowance = ScanAllowance()
  let settings: ResolverSettings
  let today: @Sendable () -> GS1Date

  /// A resolver over `store`. Scans of serialised codes are counted in `scanLog` (none
  /// without it), their places hashed with `placeKey` (which resolvers sharing a scan log
  /// share) and kept as `retention` says.
  public init(
    store: any TraceStore, trustList: TrustList, scanLog: (any ScanLog)?,
    placeKey: ScanPlaceKey = .generate(), retention: ScanRetention = ScanRetention(),
    settings: ResolverSettings,
    today: @escaping @Sendable () -> GS1Date = { GS1Date.today() }
  ) {
    self.store = store
    self.trustList = trustList
    recorder = scanLog.map { ScanRecorder(log: $0, placeKey: placeKey, retention: retention) }
    evidence = EvidenceCache(store: store)
    self.settings = settings
    self.today = today
  }

  /// Where scans are counted, if anywhere.
  var scanLog: (any ScanLog)? { recorder?.log }

  /// The answer to a GET of `path` (as requested, percent-encoded) and `query`.
  public func resolve(
    path: String, query: String?, accept: String?, acceptLanguage: String?, client: String?,
    userAgent: String? = nil
  ) async -> ResolverReply {
    let format = Format(accept: accept)
    // A trailing slash is tolerated (GS1's resolver standard: SHOULD), one only.
    var path = path
    if path.utf8.count > 1, path.hasSuffix("/"), !path.hasSuffix("//") { path.removeLast() }
    switch path {
    case "/healthz":
      return ResolverReply(200, "application/json", #"{"status":"ok"}"#)
    case "/.well-known/gs1resolver":
      return ResolverReply(200, "application/json", wellKnown())
    case "/static/trace.css":
      return ResolverReply(
        200, "text/css; charset=utf-8", Page.stylesheet,
        headers: [("Cache-Control", "public, max-age=86400")])
    default: break
    }
    if path.hasPrefix(Page.photoPrefix) {
      return await photo(String(path.dropFirst(Page.photoPrefix.count)))
    }
    let english = Self.prefersEnglish(query: query, acceptLanguage: acceptLanguage)
    return await answer(
      path: path, query: query, format: format, english: english, client: client,
      userAgent: userAgent)
  }

  /// A product photo by its SHA-256: the bytes the store keeps under it, which are checked
  /// against it as they are read, so the photo is the one the signed record names. It never
  /// changes, so it may be kept for a year.
  private func photo(_ hash: String) async -> ResolverReply {
    guard hash.utf8.count == 64,
      hash.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
      let photo = try? await store.photo(sha256: hash)
    else {
      return ResolverReply(404, "application/json", #"{"error":"no such photo","status":404}"#)
    }
    return ResolverReply(
      status: 200,
      headers: [
        ("Content-Type", photo.mediaType),
        ("Cache-Control", "public, max-age=31536000, immutable"),
      ], body: photo.bytes)
  }

  /// Whether the link names a serial (21), whose scans are counted.
  static func hasSerial(path: String, query: String?) -> Bool {
    path.containsBytes("/21/") || (query?.containsBytes("21=") ?? false)
  }

  private func answer(
    path: String, query: String?, format: Format, english: Bool, client: String?,
    userAgent: String?
  ) async -> ResolverReply {
    let text = Page.Text(english: english)
    func refuse(_ status: Int, _ reason: String, _ verdict: Verdict?) -> ResolverReply {
      switch format {
      case .json, .linkset:
        var members: CanonicalMembers = [
          "status": .integer(Int64(status)), "error": .string(reason),
        ]
        if let verdict {
          _ = members.insert("verdict", .string(verdict.rawValue))
          _ = members.insert("detail", .string(reason))
        }
        return ResolverReply(
          status, "application/json",
          String(decoding: CanonicalJSON.object(members).encoded(), as: UTF8.self))
      case .html:
        return ResolverReply(
          status, "text/html; charset=utf-8", Page.error(status: status, reason: reason, text: text)
        )
      }
    }
    // The resolver's own parameters (GS1 resolver convention: `linkType=gs1:pip`, written
    // bare) are read apart from the link's data.
    var resolverParameters: [String: String] = [:]
    var linkQuery: [Substring] = []
    for pair in (query ?? "").split(separator: "&", omittingEmptySubsequences: false) {
      let name = pair.prefix { $0 != "=" }
      if ["linkType", "lang", "context"].contains(String(name)) {
        let value = pair.dropFirst(name.count + 1)
        resolverParameters[String(name)] = String(value).removingPercentEncoding ?? String(value)
      } else {
        linkQuery.append(pair)
      }
    }
    // A person opening the code's page, who may count as a scan (ScanAllowance).
    let visit =
      format == .html && resolverParameters.isEmpty
      && !ScanAllowance.isMachine(userAgent: userAgent)
    let uri =
      Self.origin(of: settings.base) + path
      + (linkQuery.isEmpty || query == nil ? "" : "?" + linkQuery.joined(separator: "&"))
    // The verdict, decided where `ocop verify` decides it (or kept from an earlier scan of
    // the same link, while the records and the day are the same).
    let day = today()
    // What is kept was made under this head of the store's log, or it is not used.
    let head = await evidence.currentHead()
    if let head, resolverParameters["linkType"] == nil, format != .linkset,
      let template = evidence.template(
        for: templateKey(format: format, english: english, uri: uri), on: day, at: head)
    {
      return await count(template, client: client, userAgent: userAgent, visit: visit, text: text)
    }
    let result: ScanResult
    if let head, let kept = evidence.verdict(for: uri, on: day, at: head) {
      result = kept
    } else {
      let parsed: DigitalLink
      do {
        parsed = try DigitalLink(parsing: uri)
      } catch {
        return refuse(400, error.description, .malformed)
      }
      var verifier = Verifier(
        sources: [evidence], trustList: trustList, today: day, refuseTrial: !settings.trial)
      result = await verifier.check(parsed, scan: uri)
      if let head { evidence.keep(result, for: uri, on: day, at: head) }
    }
    // No record, or a serial never printed: not found. A record whose link is forged is
    // shown, with the warning.
    guard let link = result.link, let lot = result.lot, let evidence = result.evidence,
      result.verdict != .outsideRange
    else {
      // Walking up (GS1's resolver standard): a product the store knows, named with no
      // lot or a lot it has no record of, is answered at the product's level.
      if result.verdict == .unknown, let link = result.link, let gtin = link.gtin,
        let product = try? await store.product(gtin)
      {
        if let reply = linkAnswer(
          anchor: Self.productLink(link, gtin: gtin), description: product.nameVietnamese,
          linkType: resolverParameters["linkType"], query: query, format: format, text: text,
          notFound: { refuse(404, $0, nil) })
        {
          return reply
        }
        return await productAnswer(
          result, link: link, product: product, format: format, english: english, text: text)
      }
      return refuse(404, result.detail, result.verdict)
    }
    if let reply = linkAnswer(
      anchor: link, description: evidence.product.nameVietnamese + " — " + lot.description,
      linkType: resolverParameters["linkType"], query: query, format: format, text: text,
      notFound: { refuse(404, $0, nil) })
    {
      return reply
    }
    // Only a genuine scan is counted or shown a count; a client counts once per code in a
    // while (ScanAllowance). Its answer is kept with its count left as a slot, so the same
    // code scanned again only counts and fills the slot.
    if let serial = result.serial, scanLog != nil, ScanAllowance.countable(result) {
      var record = Record(
        result: result, link: link, lot: lot, evidence: evidence, trustList: trustList,
        today: day, scans: nil)
      record.scanSlot = true
      record.reportContact = settings.reportContact
      let template = AnswerTemplate(
        reply: render(record, format: format, english: english, text: text), lot: lot,
        serial: serial)
      if let head {
        self.evidence.keep(
          template, for: templateKey(format: format, english: english, uri: uri), on: day,
          at: head)
      }
      return await count(template, client: client, userAgent: userAgent, visit: visit, text: text)
    }
    var record = Record(
      result: result, link: link, lot: lot, evidence: evidence, trustList: trustList, today: day,
      scans: nil)
    record.reportContact = settings.reportContact
    return render(record, format: format, english: english, text: text)
  }

  /// The answer for a product the store knows, when the code names no lot or a lot with no
  /// record: the product's page, JSON or linkset, with its lots on record linked; the
  /// verdict (`unknown`) and its detail are the scan's, as `ocop verify` gives them.
  private func productAnswer(
    _ result: ScanResult, link: DigitalLink, product: Product, format: Format, english: Bool,
    text: Page.Text
  ) async -> ResolverReply {
    let gtin = product.gtin
    let anchor = Self.productLink(link, gtin: gtin)
    let producer = try? await store.producer(taxCode: product.producerTaxCode)
    // The latest lots first, as many as a page holds.
    let lots = ((try? await store.batches(of: gtin)) ?? [])
      .sorted { ($0.request.productionDate, $0.lot.lot) > ($1.request.productionDate, $1.lot.lot) }
      .prefix(50)
      .map { batch in
        (
          batch: batch,
          uri: (try? DigitalLink(base: anchor.base, gtin: gtin, lot: batch.lot.lot))?.uri ?? ""
        )
      }
    let headers = [("Link", linkHeader(anchor))]
    switch format {
    case .json, .linkset:
      let json = CanonicalJSON.object([
        "level": .string("product"), "verdict": .string(result.verdict.rawValue),
        "detail": .string(result.detail), "link": .string(link.uri),
        "product": product.json, "producer": producer?.json ?? .null,
        "lots": .array(
          lots.map {
            .object([
              "lot": .string($0.batch.lot.lot), "link": .string($0.uri),
              "productionDate": .string($0.batch.request.productionDate.iso),
            ])
          }),
      ])
      return ResolverReply(
        200, "application/json", String(decoding: json.encoded(), as: UTF8.self),
        headers: headers)
    case .html:
      return ResolverReply(
        200, "text/html; charset=utf-8",
        Page.product(
          product, producer: producer, lots: lots.map { ($0.batch, $0.uri) },
          namedLot: result.lot?.lot ?? link.value(of: "10"), text: text),
        headers: headers + [("Content-Language", english ? "en" : "vi")])
    }
  }

  /// The product-level link of `link`: its base (written in lower case) and `gtin` alone.
  static func productLink(_ link: DigitalLink, gtin: GTIN) -> DigitalLink {
    (try? DigitalLink(base: link.base.withSchemeAndHost(uppercased: false), gtin: gtin)) ?? link
  }

  /// What the links configured for `anchor`'s GTIN answer, before its page or record: a
  /// redirect for a `linkType` (`notFound` when none is configured) or, for a page request
  /// without one, to a configured default link; the linkset, asked for by `linkType` or by
  /// `Accept`. Nil when the page or record answers.
  private func linkAnswer(
    anchor: DigitalLink, description: String, linkType: String?, query: String?,
    format: Format, text: Page.Text, notFound: (String) -> ResolverReply
  ) -> ResolverReply? {
    guard let gtin = anchor.gtin else { return nil }
    let links = configuredLinks(for: gtin)
    if let linkType, linkType != "linkset", linkType != "all" {
      // A configured link first; else the resolver's own: its page is the default link and
      // the traceability information, by content negotiation (page or JSON).
      let own = [Self.defaultLinkType, "gs1:traceability"].contains(linkType)
      guard
        let target = links.first(where: { $0.type == linkType })?.url
          ?? (own ? Self.plain(anchor) : nil)
      else {
        return notFound("no \(linkType) link for \(gtin.digits)")
      }
      return Self.redirect(to: target, query: query, linkset: linkHeader(anchor))
    }
    // A default link configured for the product: people are sent there, with the query.
    if linkType == nil, format == .html,
      let target = links.first(where: { $0.type == Self.defaultLinkType })
    {
      return Self.redirect(to: target.url, query: query, linkset: linkHeader(anchor))
    }
    if linkType != nil || format == .linkset {
      return ResolverReply(
        200, "application/linkset+json",
        linkset(link: anchor, links: links, text: text, description: description),
        headers: [("Link", Self.linksetContextLink)])
    }
    return nil
  }

  /// GS1's JSON-LD context for linksets, which turns one into JSON-LD (GS1's resolver
  /// standard: SHOULD be linked from a linkset's answer).
  static let linksetContext = "https://ref.gs1.org/standards/resolver/linkset-context"
  static let linksetContextLink =
    "<\(linksetContext)>; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\""

  /// `link` as the resolver answers it: scheme and host in lower case, no query.
  static func plain(_ link: DigitalLink) -> String {
    let anchor = link.withSchemeAndHost(uppercased: false)
    return
      (try? DigitalLink(
        base: anchor.base, primaryKey: anchor.primaryKey, qualifiers: anchor.qualifiers))?.uri
      ?? anchor.uri
  }

  /// The link type whose configured link, when there is one, people are sent to instead
  /// of the resolver's own page.
  static let defaultLinkType = "gs1:defaultLink"

  /// A 307 to `target` that passes on every key=value pair of the request's `query` but the
  /// resolver's `linkType` (GS1's resolver standard: SHALL by default), with the `Link` to
  /// the linkset.
  static func redirect(to target: String, query: String?, linkset: String) -> ResolverReply {
    let passed = (query ?? "").split(separator: "&").filter {
      $0.contains("=") && !$0.hasPrefix("linkType=")
    }
    var location = target
    if !passed.isEmpty {
      location += (target.contains("?") ? "&" : "?") + passed.joined(separator: "&")
    }
    return ResolverReply(
      307, "text/plain; charset=utf-8", location + "\n",
      headers: [("Location", location), ("Link", linkset)])
  }

  /// The record's answer in `format`.
  private func render(_ record: Record, format: Format, english: Bool, text: Page.Text)
    -> ResolverReply
  {
    switch format {
    case .json:
      return ResolverReply(
        200, "application/json", String(decoding: record.json.encoded(), as: UTF8.self),
        headers: [("Link", linkHeader(record.link))])
    default:
      return ResolverReply(
        200, "text/html; charset=utf-8", Page.record(record, text: text),
        headers: [
          ("Content-Language", english ? "en" : "vi"), ("Link", linkHeader(record.link)),
        ])
    }
  }

  /// The key an answer template is kept under.
  private func templateKey(format: Format, english: Bool, uri: String) -> CacheKey {
    CacheKey(format: format, english: english, target: uri)
  }

  /// Counts a scan of the template's code from `client` when it is a `visit` the
  /// allowance lets count, and fills the template with the code's summary.
  private func count(
    _ template: AnswerTemplate, client: String?, userAgent: String?, visit: Bool,
    text: Page.Text
  ) async -> ResolverReply {
    let counts =
      visit
      && allowance.allow(
        client: client, userAgent: userAgent,
        item: ScanRecorder.key(template.lot, template.serial), now: Date().timeIntervalSince1970)
    let scans = await scanSummary(
      template.lot, serial: template.serial, client: client, counts: counts)
    return template.fill(scans, text: text)
  }

  /// The scheme and host of a base URL.
  static func origin(of base: String) -> String {
    guard let schemeEnd = base.range(of: "://") else { return base }
    let rest = base[schemeEnd.upperBound...]
    let host = rest.prefix { $0 != "/" }
    return String(base[..<schemeEnd.upperBound]) + host
  }

  static func prefersEnglish(query: String?, acceptLanguage: String?) -> Bool {
    if let query, query.containsBytes("lang=") {
      for pair in query.split(separator: "&") where pair.hasPrefix("lang=") {
        return pair.dropFirst(5).lowercased().hasPrefix("en")
      }
    }
    guard let language = acceptLanguage?.utf8.prefix(while: { $0 != UInt8(ascii: ",") }) else {
      return false
    }
    let first = language.drop { $0 == UInt8(ascii: " ") }.prefix(2)
    return first.elementsEqual("en".utf8) || first.elementsEqual("EN".utf8)
      || first.elementsEqual("En".utf8)
  }

  enum Format: Equatable {
    case html, json, linkset

    init(accept: String?) {
      guard var accept, !accept.isEmpty else {
        self = .html
        return
      }
      if accept.utf8.contains(where: { (0x41...0x5A).contains($0) }) {
        accept = accept.lowercased()
      }
      // Without parameters every range has q=1: the plain containment tests decide.
      guard accept.utf8.contains(UInt8(ascii: ";")) else {
        if accept.containsBytes("application/linkset+json") {
          self = .linkset
        } else if accept.containsBytes("application/json") && !accept.containsBytes("text/html") {
          self = .json
        } else {
          self = .html
        }
        return
      }
      self = Self.negotiated(accept)
    }

    /// The format a header with quality values asks for (RFC 9110, 12.5.1): each format
    /// takes the q of the most specific range that matches it; the highest q wins, a format
    /// named outright before one reached by a wildcard (the linkset, the page, the JSON in
    /// that order; by wildcards only, the page, then the JSON); q=0 refuses a format.
    /// Nothing acceptable gets the page.
    static func negotiated(_ accept: String) -> Format {
      var ranges: [(type: String, q: Double)] = []
      for item in accept.split(separator: ",") {
        let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let type = parts.first, !type.isEmpty else { continue }
        var q = 1.0
        for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
          q = min(1, max(0, Double(parameter.dropFirst(2)) ?? 1))
        }
        ranges.append((type, q))
      }
      let formats: [(Format, String)] = [
        (.linkset, "application/linkset+json"), (.html, "text/html"),
        (.json, "application/json"),
      ]
      var found: [(format: Format, q: Double, named: Bool)] = []
      for (format, type) in formats {
        let family = type.prefix { $0 != "/" } + "/*"
        let match =
          ranges.first { $0.type == type }.map { ($0.q, true) }
          ?? ranges.first { $0.type == family }.map { ($0.q, false) }
          ?? ranges.first { $0.type == "*/*" }.map { ($0.q, false) }
        if let (q, named) = match, q > 0 { found.append((format, q, named)) }
      }
      guard let top = found.map(\.q).max() else { return .html }
      let best = found.filter { $0.q == top }
      // Named outright: in the order above. Reached by wildcards only: the page, else JSON.
      if let named = best.first(where: \.named) { return named.format }
      for format in [Format.html, .json, .linkset]
      where best.contains(where: { $0.format == format }) {
        return format
      }
      return .html
    }
  }

  struct Link {
    let type: String
    let url: String
    let title: String
  }

  func configuredLinks(for gtin: GTIN) -> [Link] {
    var links: [Link] = []
    for key in [gtin.digits, String(gtin.digits.dropFirst()), "*"] {
      for (type, url) in (settings.links[key] ?? [:]).sorted(by: { $0.key < $1.key })
      where !links.contains(where: { $0.type == type }) {
        links.append(Link(type: type, url: url, title: type))
      }
    }
    return links
  }

  /// The linkset of `link`: its page and record, and the configured links; its
  /// `itemDescription` (which GS1's linkset schema requires) is `description`. The default
  /// link is a configured `gs1:defaultLink`, else the resolver's own page; it carries a
  /// title and nothing more (GS1's resolver standard).
  func linkset(link: DigitalLink, links: [Link], text: Page.Text, description: String) -> String {
    let clean = Self.plain(link)
    let defaultLink = links.first { $0.type == Self.defaultLinkType }
    var members: [(String, CanonicalJSON)] = [
      ("anchor", .string(clean)), ("itemDescription", .string(description)),
      (
        "https://gs1.org/voc/defaultLink",
        .array([
          .object([
            "href": .string(defaultLink?.url ?? clean),
            "title": .string(defaultLink?.title ?? text.traceTitle),
          ])
        ])
      ),
      (
        "https://gs1.org/voc/traceability",
        .array([
          .object([
            "href": .string(clean), "title": .string(text.traceTitle),
            "type": .string("text/html"), "hreflang": .array([.string("vi"), .string("en")]),
          ]),
          .object([
            "href": .string(clean), "title": .string(text.traceTitle),
            "type": .string("application/json"),
          ]),
        ])
      ),
    ]
    for extra in links where extra.type != Self.defaultLinkType {
      let name =
        extra.type.hasPrefix("gs1:")
        ? "https://gs1.org/voc/" + extra.type.dropFirst(4) : extra.type
      members.append(
        (name, .array([.object(["href": .string(extra.url), "title": .string(extra.title)])])))
    }
    var object = CanonicalMembers()
    for (name, value) in members { object.insert(name, value) }
    return String(
      decoding: CanonicalJSON.object(["linkset": .array([.object(object)])]).encoded(),
      as: UTF8.self)
  }

  /// The `Link` to the linkset of the Digital Link at `path` (trailing slash tolerated), nil
  /// when the path is none: for answers the router does not make (OPTIONS).
  func linkHeader(path: String) -> String? {
    var path = path
    if path.utf8.count > 1, path.hasSuffix("/"), !path.hasSuffix("//") { path.removeLast() }
    guard let link = try? DigitalLink(parsing: Self.origin(of: settings.base) + path) else {
      return nil
    }
    return linkHeader(link)
  }

  /// The `Link` to the linkset of `link`'s item, without the link's own query.
  func linkHeader(_ link: DigitalLink) -> String {
    "<\(Self.plain(link))?linkType=linkset>; rel=\"linkset\"; type=\"application/linkset+json\""
  }

  func wellKnown() -> String {
    String(
      decoding: CanonicalJSON.object([
        "name": .string(settings.name), "resolverRoot": .string(Self.origin(of: settings.base)),
        "supportedPrimaryKeys": .array([.string("01")]),
        "supportedLinkType": .array([
          .object(["namespace": .string("https://gs1.org/voc/"), "prefix": .string("gs1:")])
        ]),
        "jsonLdContextLocation": .string(Self.linksetContext),
        "linkTypeDefaultCanBeLinkset": .bool(true),
        "contentTypes": .array(
          ["text/html", "application/json", "application/linkset+json"].map(CanonicalJSON.string)),
        "languages": .array([.string("vi"), .string("en")]),
      ]).encoded(), as: UTF8.self)
  }
}

/// Everything the page and the JSON show about one scanned code.
struct Record {
  let link: DigitalLink
  let lot: LotReference
  let serial: String?
  let verdict: Verdict
  let detail: String
  let batch: Batch
  let product: Product
  let producer: Producer
  let signature: SignedLink.Verdict
  /// The issuer that signed the batch record: its kid and, when trusted, its name.
  let recordedBy: (kid: String, name: String?)?
  let recall: Recall?
  let recalledInput: LotReference?
  /// A recall of the lot, or of a lot it was made from, that was lifted: shown beside it.
  let withdrawnRecall: Recall?
  let expired: Bool
  let ratingInForce: Bool
  let inputs: [(lot: LotReference, name: String, producer: String)]
  let scans: ScanSummary?
  /// Whether the scans are left as a slot to fill (``AnswerTemplate``).
  var scanSlot = false
  /// The lot's production stages, by time.
  let stages: [ProductionStage]
  /// Whom to tell about a suspected fake.
  var reportContact: String?

  init(
    result: ScanResult, link: DigitalLink, lot: LotReference, evidence: ScanEvidence,
    trustList: TrustList, today: GS1Date, scans: ScanSummary?
  ) {
    self.link = link
    self.lot = lot
    serial = result.serial
    verdict = result.verdict
    detail = result.detail
    batch = evidence.batch
    product = evidence.product
    producer = evidence.producer
    signature = result.signature ?? .unsigned
    recordedBy = evidence.issuer.map { ($0, trustList.issuers[$0]?.name) }
    let found = evidence.backward.firstRecall
    recall = found
    recalledInput = found.flatMap { $0.lot == lot ? nil : $0.lot }
    withdrawnRecall = evidence.backward.firstWithdrawnRecall
    expired = batch.request.expiryDate < today
    if let rating = batch.rating {
      // As the verdict counts them: decisions by issuers trusted for ratings.
      let held = evidence.ratings(trustedBy: trustList).inForce(on: batch.request.productionDate)
      ratingInForce = held?.stars == rating.stars
    } else {
      ratingInForce = false
    }
    inputs = evidence.backward.children.map {
      ($0.batch.lot, $0.product.nameVietnamese, $0.producer.name)
    }
    stages = evidence.stages.sorted { $0.time < $1.time }
    self.scans = scans
  }

  /// A scan summary as the JSON answer gives it.
  static func json(_ scans: ScanSummary?) -> CanonicalJSON {
    scans.map {
      .object([
        "count": .integer(Int64($0.scans)), "places": .integer(Int64($0.places)),
        "unusual": .bool($0.unusual),
      ])
    } ?? .null
  }

  var json: CanonicalJSON {
    let signatureJSON: CanonicalJSON
    switch signature {
    case .valid(let kid, let issuer):
      signatureJSON = .object([
        "status": .string("valid"), "kid": .string(kid), "issuer": .string(issuer),
      ])
    case .unsigned: signatureJSON = .object(["status": .string("unsigned")])
    case .malformed(let reason):
      signatureJSON = .object(["status": .string("invalid"), "reason": .string(reason)])
    case .refused(let problem):
      signatureJSON = .object([
        "status": .string("invalid"), "reason": .string(problem.description),
      ])
    }
    return .object([
      "verdict": .string(verdict.rawValue), "detail": .string(detail),
      "link": .string(link.uri), "lot": lot.json,
      "serial": serial.map(CanonicalJSON.string) ?? .null, "product": product.json,
      "producer": producer.json, "batch": batch.json, "signature": signatureJSON,
      "recordedBy": recordedBy.map { signer in
        .object([
          "kid": .string(signer.kid), "issuer": signer.name.map(CanonicalJSON.string) ?? .null,
        ])
      } ?? .null,
      "recalled": recall.map {
        .object([
          "lot": $0.lot.json, "reason": .string($0.reason),
          "recordedAt": .string($0.recordedAt.text),
        ])
      } ?? .null,
      "recallWithdrawn": withdrawnRecall.map {
        .object([
          "lot": $0.lot.json, "reason": .string($0.reason),
          "recordedAt": .string($0.recordedAt.text),
          "withdrawal": .string($0.withdrawal?.reason ?? ""),
          "withdrawnAt": .string($0.withdrawal?.recordedAt.text ?? ""),
        ])
      } ?? .null,
      "expired": .bool(expired), "ocopStarsValid": .bool(ratingInForce),
      "inputs": .array(
        inputs.map {
          .object([
            "lot": $0.lot.json, "product": .string($0.name), "producer": .string($0.producer),
          ])
        }),
      "scans": scanSlot ? .string(AnswerTemplate.marker) : Self.json(scans),
      "stages": .array(stages.map(\.json)),
      "photo": product.photo.map { .string(Page.photoPath($0)) } ?? .null,
    ])
  }
}

extension String {
  /// Whether the UTF-8 bytes of `needle` occur in this string's: a plain byte search, for
  /// the headers and targets read on every request.
  func containsBytes(_ needle: StaticString) -> Bool {
    var text = self
    let count = needle.utf8CodeUnitCount
    return text.withUTF8 { haystack in
      guard let base = haystack.baseAddress, count > 0, count <= haystack.count else {
        return false
      }
      let first = needle.utf8Start.pointee
      for start in 0...(haystack.count - count) where haystack[start] == first {
        if memcmp(base + start, needle.utf8Start, count) == 0 { return true }
      }
      return false
    }
  }
}
