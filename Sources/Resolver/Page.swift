import GS1
import Traceability

/// The pages the resolver shows people: made for a phone, Vietnamese by default, every value
/// a producer typed escaped, no script, styles from one stylesheet (so the
/// Content-Security-Policy can forbid everything inline).
enum Page {
  /// The words of the page in one language.
  struct Text {
    let english: Bool
    var lang: String { english ? "en" : "vi" }
    var traceTitle: String { english ? "Product origin" : "Truy xuất nguồn gốc" }
    var product: String { english ? "Product" : "Sản phẩm" }
    var producer: String { english ? "Producer" : "Chủ thể sản xuất" }
    var address: String { english ? "Address" : "Địa chỉ" }
    var origin: String { english ? "Origin of raw material" : "Vùng nguyên liệu" }
    var map: String { english ? "Show on a map" : "Xem trên bản đồ" }
    var harvest: String { english ? "Harvest" : "Thu hoạch" }
    var lot: String { english ? "Lot" : "Số lô" }
    var serial: String { english ? "Serial" : "Số sê-ri" }
    var produced: String { english ? "Production date (NSX)" : "Ngày sản xuất (NSX)" }
    var expires: String { english ? "Expiry date (HSD)" : "Hạn sử dụng (HSD)" }
    var quantity: String { english ? "Net content" : "Khối lượng tịnh" }
    var ocop: String { english ? "OCOP rating" : "Xếp hạng OCOP" }
    var noOCOP: String {
      english
        ? "No OCOP certificate was in force when this lot was made"
        : "Lô hàng sản xuất khi không có chứng nhận OCOP còn hiệu lực"
    }
    var lapsed: String {
      english
        ? "Warning: the OCOP stars of this lot are not backed by a certificate in force at production"
        : "Cảnh báo: số sao OCOP của lô hàng không còn được chứng nhận vào ngày sản xuất"
    }
    var decision: String { english ? "Decision" : "Quyết định" }
    var validUntil: String { english ? "valid until" : "hiệu lực đến" }
    var inputs: String {
      english ? "Made from (one step back)" : "Nguyên liệu đầu vào (một bước trước)"
    }
    var recordedBy: String { english ? "Batch record signed by" : "Hồ sơ lô hàng ký bởi" }
    var unsigned: String {
      english ? "This code carries no signature" : "Mã này không có chữ ký số"
    }
    var signatureBad: String {
      english
        ? "WARNING: this code's signature is not valid. It may be counterfeit."
        : "CẢNH BÁO: chữ ký số của mã không hợp lệ. Có thể là hàng giả."
    }
    var contradicts: String {
      english
        ? "WARNING: the data in this code contradicts the producer's record. It may be counterfeit."
        : "CẢNH BÁO: dữ liệu trong mã không khớp với hồ sơ của nhà sản xuất. Có thể là hàng giả."
    }
    var recalled: String { english ? "RECALLED" : "ĐÃ THU HỒI" }
    func recallWithdrawn(recalled: String, withdrawn: String) -> String {
      english
        ? "Recalled on \(recalled); the recall was withdrawn on \(withdrawn)"
        : "Đã thu hồi ngày \(recalled); lệnh thu hồi đã được hủy ngày \(withdrawn)"
    }
    var recalledInput: String {
      english ? "made from a recalled lot" : "làm từ lô nguyên liệu bị thu hồi"
    }
    var expired: String { english ? "EXPIRED" : "ĐÃ HẾT HẠN SỬ DỤNG" }
    var trial: String {
      english
        ? "SAMPLE — NOT FOR SALE: a trial code (GS1 prefix 952), not a product on sale"
        : "MẪU THỬ — KHÔNG BÁN: mã thử nghiệm (tiền tố GS1 952), không phải sản phẩm đang bán"
    }
    var genuine: String { english ? "Genuine code" : "Mã chính hãng" }
    var signedBy: String { english ? "signed by" : "ký bởi" }
    /// What "unsigned" means for a shopper, plainly.
    var unsignedMeaning: String {
      english
        ? "The details below match the producer's record, but anyone can print a code without a signature: it does not prove that the package in your hand is genuine. Buy from a seller you trust."
        : "Thông tin dưới đây khớp với hồ sơ của nhà sản xuất, nhưng mã không có chữ ký thì ai cũng có thể in ra: mã không chứng minh được sản phẩm trong tay bạn là hàng thật. Hãy mua ở nơi bán tin cậy."
    }
    var details: String { english ? "About the product" : "Thông tin sản phẩm" }
    var ingredients: String { english ? "Ingredients" : "Thành phần" }
    var allergens: String { english ? "Allergens" : "Chất gây dị ứng" }
    var warnings: String { english ? "Warnings" : "Cảnh báo" }
    var storage: String { english ? "Storage" : "Hướng dẫn bảo quản" }
    var usage: String { english ? "Use" : "Hướng dẫn sử dụng" }
    var standards: String { english ? "Standards applied" : "Tiêu chuẩn áp dụng" }
    var gtin: String { english ? "GTIN (product code)" : "Mã sản phẩm (GTIN)" }
    var phone: String { english ? "Phone" : "Điện thoại" }
    var website: String { english ? "Website" : "Trang web" }
    var stages: String { english ? "How it was made" : "Quá trình sản xuất" }
    var stagesNone: String {
      english ? "No production stages were recorded." : "Chưa ghi nhận công đoạn sản xuất nào."
    }
    var location: String { english ? "Location code" : "Mã địa điểm" }
    var item: String { english ? "Item code" : "Mã mặt hàng" }
    var report: String { english ? "Suspect a fake?" : "Nghi ngờ hàng giả?" }
    var reportTo: String { english ? "Tell" : "Hãy báo cho" }
    func photoAlt(_ name: String) -> String {
      english ? "Photo of the product: \(name)" : "Ảnh sản phẩm: \(name)"
    }
    func role(_ role: ProducerRole) -> String { english ? role.english : role.vietnamese }
    func stage(_ kind: StageKind) -> String { english ? kind.english : kind.vietnamese }
    var doNotUse: String {
      english ? "Do not consume or sell this product." : "Không sử dụng hoặc bán sản phẩm này."
    }
    func scanned(_ count: Int, _ places: Int) -> String {
      english
        ? "This code has been scanned \(count) time\(count == 1 ? "" : "s") from \(places) place\(places == 1 ? "" : "s")."
        : "Mã này đã được quét \(count) lần từ \(places) nơi."
    }
    /// The warning for a code seen in more places than one package goes: worded by that
    /// evidence, not by how often it was opened.
    func copied(_ places: Int) -> String {
      english
        ? "One package is scanned in a few places at most; this code has been scanned in \(places) different places (networks), so it may have been copied onto other packages. Check the package and the seller."
        : "Một sản phẩm thường chỉ được quét ở vài nơi; mã này đã được quét ở \(places) nơi (mạng) khác nhau, nên có thể đã bị sao chép sang bao bì khác. Hãy kiểm tra bao bì và nơi bán."
    }
    var otherLanguage: (label: String, lang: String) {
      english ? ("Tiếng Việt", "vi") : ("English", "en")
    }
  }

  /// The link to the same code's page in `lang`: its query kept whole (its expiry and
  /// signature among it), `lang` set.
  static func languageLink(_ link: DigitalLink, _ lang: String) -> String {
    let uri = link.uri
    let query = uri.firstIndex(of: "?").map { uri[uri.index(after: $0)...] } ?? ""
    let kept = query.split(separator: "&").filter { !$0.hasPrefix("lang=") }
    return "?" + (kept + ["lang=" + lang]).joined(separator: "&")
  }

  /// Text made safe for HTML: `& < > " '` escaped.
  static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(character)
      }
    }
    return out
  }

  static func date(_ date: GS1Date) -> String { date.dayMonthYear }

  /// Where the resolver serves product photos, by SHA-256.
  static let photoPrefix = "/photos/"

  /// The path of a product's photo.
  static func photoPath(_ photo: ProductPhoto) -> String { photoPrefix + photo.sha256 }

  /// The product's photo with its text alternative, `name` being the product's name in the
  /// page's language; nothing for a product without one.
  static func photoFigure(_ product: Product, name: String, text: Text) -> String {
    product.photo.map {
      #"<figure class="photo"><img src="\#(photoPath($0))" alt="\#(escape(text.photoAlt(name)))"></figure>"#
    } ?? ""
  }

  /// A stage's time as the producer's clock read it: `25/10/2026 05:00`.
  static func localTime(_ time: StageTime) -> String {
    let text = time.text
    let day = (try? GS1Date(iso: String(text.prefix(10))))?.dayMonthYear ?? String(text.prefix(10))
    return day + " " + String(text.dropFirst(11).prefix(5))
  }

  /// A `tel:` link's target: the digits and a leading `+` of a number as written.
  static func telephone(_ phone: String) -> String {
    "tel:" + phone.filter { $0.isNumber || $0 == "+" }
  }

  /// The day of `time`, as the page writes dates (dd/mm/yyyy).
  static func day(_ time: Timestamp) -> String {
    (try? GS1Date(iso: time.day))?.dayMonthYear ?? time.day
  }

  static func document(title: String, lang: String, body: String) -> String {
    """
    <!DOCTYPE html>
    <html lang="\(lang)">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>\(escape(title))</title>
    <link rel="stylesheet" href="/static/trace.css">
    </head>
    <body>
    \(body)
    </body>
    </html>

    """
  }

  static func error(status: Int, reason: String, text: Text) -> String {
    let heading =
      status == 400
      ? (text.english ? "This is not a valid trace code" : "Đây không phải mã truy xuất hợp lệ")
      : (text.english ? "No record of this code" : "Không tìm thấy thông tin của mã này")
    // What a shopper can do, in the page's language; the reason as the toolkit words it
    // (in English), folded away for whoever needs it.
    let advice =
      text.english
      ? "Check that the code was scanned whole. If it was, the product may not be what its label says: ask the shop, or report it to the province's OCOP office."
      : "Hãy kiểm tra mã đã được quét đầy đủ chưa. Nếu rồi, sản phẩm có thể không đúng như nhãn ghi: hãy hỏi nơi bán, hoặc báo cho văn phòng OCOP của tỉnh."
    let detail = text.english ? "Technical detail" : "Chi tiết kỹ thuật (tiếng Anh)"
    return document(
      title: heading, lang: text.lang,
      body: """
        <main>
        <div class="banner warning" role="alert"><strong>\(escape(heading))</strong></div>
        <p>\(escape(advice))</p>
        <details><summary>\(detail)</summary><p class="reason" lang="en">\(escape(reason))</p></details>
        </main>
        """)
  }

  /// The warning at the top of a page for a code scanned unusually often or widely.
  static func scanBanner(_ scans: ScanSummary?, text: Text) -> String? {
    guard let scans, scans.unusual else { return nil }
    return
      #"<div class="banner warning" role="alert">\#(text.copied(scans.places)) \#(text.scanned(scans.scans, scans.places))</div>"#
  }

  /// The line under the signature for a code scanned as one package is.
  static func scanNote(_ scans: ScanSummary?, text: Text) -> String {
    guard let scans, !scans.unusual else { return "" }
    return "<p>\(text.scanned(scans.scans, scans.places))</p>"
  }

  static func record(_ record: Record, text: Text) -> String {
    var banners: [String] = []
    if record.lot.gtin.isDemonstration {
      banners.append(
        #"<div class="banner warning" role="alert"><strong>\#(text.trial)</strong></div>"#)
    }
    if let recall = record.recall {
      let whose =
        record.recalledInput.map { " (\(text.recalledInput): \(escape($0.description)))" } ?? ""
      banners.append(
        """
        <div class="banner recalled" role="alert"><strong>\(text.recalled)</strong>\(whose)<br>\(escape(recall.reason))<br>\(text.doNotUse)</div>
        """)
    }
    if let lifted = record.withdrawnRecall, let withdrawal = lifted.withdrawal {
      // Both events, plainly: the recall and its withdrawal, with their reasons.
      let whose =
        lifted.lot == record.lot
        ? "" : " (\(text.recalledInput): \(escape(lifted.lot.description)))"
      let heading = text.recallWithdrawn(
        recalled: day(lifted.recordedAt), withdrawn: day(withdrawal.recordedAt))
      banners.append(
        """
        <div class="banner warning" role="note"><strong>\(escape(heading))</strong>\(whose)<br>\(escape(lifted.reason))<br>\(escape(withdrawal.reason))</div>
        """)
    }
    if record.expired {
      banners.append(
        """
        <div class="banner expired" role="alert"><strong>\(text.expired)</strong> (\(date(record.batch.request.expiryDate)))</div>
        """)
    }
    switch record.signature {
    case .malformed, .refused:
      banners.append(
        #"<div class="banner forged" role="alert"><strong>\#(text.signatureBad)</strong></div>"#)
    default:
      // A link that is signed (or needs no signature) and still contradicts the record.
      if record.verdict == .forged {
        banners.append(
          """
          <div class="banner forged" role="alert"><strong>\(text.contradicts)</strong><br>\(escape(record.detail))</div>
          """)
      }
    }
    if record.scanSlot {
      banners.append(AnswerTemplate.bannerMarker)
    } else if let banner = scanBanner(record.scans, text: text) {
      banners.append(banner)
    }
    let product = record.product
    let producer = record.producer
    let request = record.batch.request
    let origin = request.origin
    var rows: [(String, String)] = [
      (text.lot, escape(record.lot.lot))
    ]
    if let serial = record.serial { rows.append((text.serial, escape(serial))) }
    rows += [
      (text.produced, date(request.productionDate)),
      (text.expires, date(request.expiryDate)),
      (text.quantity, escape("\(product.netContent.amount) \(product.netContent.unit.symbol)")),
      (text.gtin, escape(product.gtin.digits)),
    ]
    if !product.standards.isEmpty {
      rows.append((text.standards, product.standards.map(escape).joined(separator: "<br>")))
    }
    var ocop: String
    if let rating = record.batch.rating, record.ratingInForce {
      ocop = """
        <p class="stars" aria-label="\(rating.stars) OCOP">\(String(repeating: "★", count: rating.stars)) OCOP</p>
        <p>\(text.decision) \(escape(rating.decision)) (\(date(rating.decisionDate))), \(text.validUntil) \(date(rating.validUntil))</p>
        """
    } else if record.batch.rating != nil {
      ocop = #"<p class="banner warning">\#(text.lapsed)</p>"#
    } else {
      ocop = "<p>\(text.noOCOP)</p>"
    }
    ocop = "<section><h2>\(text.ocop)</h2>\(ocop)</section>"
    var originHTML = "<p>\(escape(origin.areaName))<br>\(escape(origin.address.locality))</p>"
    if let point = origin.coordinates {
      let url =
        "https://www.openstreetmap.org/?mlat=\(point.latitude)&mlon=\(point.longitude)#map=14/\(point.latitude)/\(point.longitude)"
      originHTML +=
        #"<p><a href="\#(escape(url))" rel="noopener">\#(text.map)</a> (\#(escape(point.latitude)), \#(escape(point.longitude)))</p>"#
    }
    if let start = origin.harvestStart {
      let end = origin.harvestEnd.map { " – " + date($0) } ?? ""
      originHTML += "<p>\(text.harvest): \(date(start))\(end)</p>"
    }
    var signature: String
    let verdictClass: String
    switch record.signature {
    case .valid: verdictClass = "verdict"
    case .unsigned: verdictClass = "verdict unsigned"
    case .malformed, .refused: verdictClass = "verdict bad"
    }
    switch record.signature {
    case .valid(let kid, let issuer):
      signature =
        #"<p class="signed"><strong>✔ \#(text.genuine)</strong> — \#(text.signedBy) \#(escape(issuer.isEmpty ? kid : issuer)) (\#(escape(kid)))</p>"#
    case .unsigned:
      signature = "<p><strong>\(text.unsigned)</strong></p><p>\(text.unsignedMeaning)</p>"
    case .malformed, .refused:
      // The banner above says it; the box keeps what the record is.
      signature = ""
    }
    if let signer = record.recordedBy {
      signature +=
        "<p>\(text.recordedBy) \(escape(signer.name ?? signer.kid)) (\(escape(signer.kid)))</p>"
    }
    signature += record.scanSlot ? AnswerTemplate.noteMarker : scanNote(record.scans, text: text)
    var inputs = ""
    if !record.inputs.isEmpty {
      inputs =
        "<section><h2>\(text.inputs)</h2><ul>"
        + record.inputs.map {
          "<li>\(escape($0.name)) — \(escape($0.lot.description)) — \(escape($0.producer))</li>"
        }.joined() + "</ul></section>"
    }
    let other = text.otherLanguage
    let table = rows.map { "<tr><th>\($0.0)</th><td>\($0.1)</td></tr>" }.joined()
    let name =
      text.english ? (product.nameEnglish ?? product.nameVietnamese) : product.nameVietnamese
    let photo = photoFigure(product, name: name, text: text)
    // What the label law asks the product to tell, where the record has it.
    let facts = [
      (text.ingredients, product.ingredients), (text.allergens, product.allergens),
      (text.warnings, product.warnings), (text.storage, product.storage),
      (text.usage, product.usage),
    ].compactMap { label, value in value.map { "<dt>\(label)</dt><dd>\(escape($0))</dd>" } }
    let details =
      facts.isEmpty ? "" : "<section><h2>\(text.details)</h2><dl>\(facts.joined())</dl></section>"
    var producerHTML =
      "<p><strong>\(text.role(product.producerRole)):</strong> \(escape(producer.name))</p><p>\(text.address): \(escape(producer.address.line))</p>"
    if let phone = producer.phone {
      producerHTML +=
        #"<p>\#(text.phone): <a href="\#(escape(telephone(phone)))">\#(escape(phone))</a></p>"#
    }
    if let website = producer.website {
      producerHTML +=
        #"<p>\#(text.website): <a href="\#(escape(website))" rel="noopener nofollow">\#(escape(website))</a></p>"#
    }
    let stages: String
    if record.stages.isEmpty {
      stages = "<p>\(text.stagesNone)</p>"
    } else {
      stages =
        #"<ol class="timeline">"#
        + record.stages.map { stage in
          let place = stage.locationName.map { escape($0) + "<br>" } ?? ""
          let item = stage.item.map { "<br>\(text.item): \(escape($0))" } ?? ""
          return
            "<li><time datetime=\"\(escape(stage.time.text))\">\(localTime(stage.time))</time> <strong>\(text.stage(stage.kind))</strong><br>\(place)<small>\(text.location): \(escape(stage.location.description))\(item)</small></li>"
        }.joined() + "</ol>"
    }
    let report =
      record.reportContact.map {
        #"<section class="report"><h2>\#(text.report)</h2><p>\#(text.reportTo): \#(escape($0))</p></section>"#
      } ?? ""
    return document(
      title: product.nameVietnamese + " — " + text.traceTitle, lang: text.lang,
      body: """
        <main>
        \(banners.joined(separator: "\n"))
        <section class="\(verdictClass)">\(signature)</section>
        <header><p class="kicker">\(text.traceTitle)</p><h1>\(escape(name))</h1>
        \(text.english && product.nameEnglish != nil ? "<p>" + escape(product.nameVietnamese) + "</p>" : "")</header>
        \(photo)
        \(ocop)
        <section><h2>\(text.product)</h2><table>\(table)</table></section>
        \(details)
        <section><h2>\(text.producer)</h2>\(producerHTML)</section>
        <section><h2>\(text.origin)</h2>\(originHTML)</section>
        <section><h2>\(text.stages)</h2>\(stages)</section>
        \(inputs)
        \(report)
        <footer><a href="\(escape(languageLink(record.link, other.lang)))">\(other.label)</a></footer>
        </main>
        """)
  }

  /// A product's page, when a code names no lot of it or one with no record: what the
  /// product is, who makes it, and its lots on record.
  static func product(
    _ product: Product, producer: Producer?, lots: [(batch: Batch, uri: String)],
    namedLot: String?, text: Text
  ) -> String {
    var banner = ""
    if let namedLot {
      let words =
        text.english
        ? "No record of lot \(escape(namedLot)) of this product. This is the product's page."
        : "Không có hồ sơ của lô \(escape(namedLot)) thuộc sản phẩm này. Đây là trang của sản phẩm."
      banner = #"<div class="banner warning" role="alert"><strong>\#(words)</strong></div>"#
    }
    let name =
      text.english ? (product.nameEnglish ?? product.nameVietnamese) : product.nameVietnamese
    let producerHTML =
      producer.map {
        "<section><h2>\(text.producer)</h2><p>\(escape($0.name))</p><p>\(text.address): \(escape($0.address.line))</p></section>"
      } ?? ""
    let heading = text.english ? "Lots on record" : "Các lô hàng có hồ sơ"
    let list =
      lots.isEmpty
      ? "<p>" + (text.english ? "None yet." : "Chưa có.") + "</p>"
      : "<ul>"
        + lots.map {
          "<li><a href=\"\(escape($0.uri))\">\(escape($0.batch.lot.lot))</a> — \(text.produced) \(date($0.batch.request.productionDate))</li>"
        }.joined() + "</ul>"
    let other = text.otherLanguage
    return document(
      title: product.nameVietnamese + " — " + text.traceTitle, lang: text.lang,
      body: """
        <main>
        \(banner)
        <header><p class="kicker">\(text.traceTitle)</p><h1>\(escape(name))</h1></header>
        \(photoFigure(product, name: name, text: text))
        <section><h2>\(text.product)</h2><table><tr><th>GTIN</th><td>\(escape(product.gtin.digits))</td></tr><tr><th>\(text.quantity)</th><td>\(escape("\(product.netContent.amount) \(product.netContent.unit.symbol)"))</td></tr></table></section>
        \(producerHTML)
        <section><h2>\(heading)</h2>\(list)</section>
        <footer><a href="?lang=\(other.lang)">\(other.label)</a></footer>
        </main>
        """)
  }

  static let stylesheet = """
    body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
    background:#f6f7f5;color:#1d2a1f;line-height:1.45}
    main{max-width:36rem;margin:0 auto;padding:1rem}
    h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.05rem;margin:1.2rem 0 .3rem}
    .kicker{margin:0;color:#50634f;font-size:.9rem;text-transform:uppercase;letter-spacing:.04em}
    .banner{padding:1rem;border-radius:.5rem;margin:.5rem 0;font-size:1.1rem}
    .recalled,.forged{background:#b00020;color:#fff}.expired{background:#bf360c;color:#fff}
    .warning{background:#fff3cd;color:#5c4400}
    .stars{font-size:1.6rem;color:#8a5a00;margin:.2rem 0}
    .signed{color:#1b5e20}.forged{font-weight:bold}
    table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .4rem;
    border-bottom:1px solid #dde2da;vertical-align:top}th{font-weight:600;width:45%}
    section{background:#fff;border-radius:.5rem;padding:.2rem .9rem .7rem;margin:.6rem 0}
    footer{margin:1rem 0;text-align:center}a{color:#1f5fa8}
    .verdict{border:2px solid #1b5e20}.verdict.unsigned{border-color:#8a5a00}
    .verdict.bad{border-color:#b00020}.photo{margin:.6rem 0;text-align:center}
    .photo img{max-width:100%;height:auto;border-radius:.5rem}
    dt{font-weight:600;margin-top:.5rem}dd{margin:0}
    .timeline{list-style:none;padding:0;margin:0;border-left:3px solid #50634f}
    .timeline li{padding:.1rem 0 .6rem .8rem}.timeline time{color:#50634f}
    .report{border:2px solid #b00020}
    """
}
