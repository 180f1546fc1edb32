import Foundation
import GS1

/// What a scan of a trace code comes to. The raw values are the stable vocabulary of every
/// JSON answer (`ocop verify --json`, the resolver): lower case, words joined by `_`.
public enum Verdict: String, CaseIterable, Sendable {
  /// A record that the trust list vouches for, in date, not recalled.
  case valid
  /// The lot's expiry date (HSD) has passed.
  case expired
  /// The lot, or a lot it was made from, has been recalled.
  case recalled
  /// No record of the lot.
  case unknown
  /// The signature is bad, or its issuer not trusted, or the link contradicts the record.
  case forged
  /// Not a valid GS1 Digital Link.
  case malformed
  /// The label shows OCOP stars the product did not hold on the production date.
  case ratingLapsed = "rating_lapsed"
  /// The serial was never allocated to a print run of the lot.
  case outsideRange = "serial_outside_printed_range"
  /// The same serial was scanned earlier in this stream.
  case duplicate
  /// A genuine link that carries no signature, where one is required.
  case unsigned
  /// A trial's code (a GTIN under GS1's demonstration prefix 952), where only codes of
  /// products on sale are accepted.
  case trial

  /// The verdict in words, for people: `rating lapsed`.
  public var words: String { rawValue.replacingOccurrences(of: "_", with: " ") }
}

/// Everything a store holds that bears on one scanned lot, read in one snapshot.
public struct ScanEvidence: Sendable {
  /// The lot's batch.
  public let batch: Batch
  /// Its product.
  public let product: Product
  /// Who made it.
  public let producer: Producer
  /// The lot and, transitively, the lots it was made from, with their recalls.
  public let backward: TraceNode
  /// The product's rating decisions.
  public let ratings: RatingHistory
  /// Whether the scanned serial was printed; nil when the link names none.
  public let serialStatus: SerialStatus?
  /// The key id of the issuer that recorded the batch (for a lot taken in from another
  /// store, the producer's, not the importer's).
  public let issuer: String?
  /// The key id of the issuer that signed each of ``ratings``' entries, in order.
  public let ratingSigners: [String?]
  /// The lot's production stages, in the order they were recorded.
  public var stages: [ProductionStage] = []

  /// This evidence for another serial of the lot (or none), whose status is `status`.
  package func with(serialStatus status: SerialStatus?) -> ScanEvidence {
    ScanEvidence(
      batch: batch, product: product, producer: producer, backward: backward, ratings: ratings,
      serialStatus: status, issuer: issuer, ratingSigners: ratingSigners, stages: stages)
  }

  /// Reads the evidence for `lot` (and `serial`); nil when there is no record of the lot.
  package static func read(_ lot: LotReference, serial: String?, in reader: any TraceReader)
    throws -> ScanEvidence?
  {
    guard let batch = try reader.batch(lot) else { return nil }
    guard let product = try reader.product(lot.gtin),
      let producer = try reader.producer(taxCode: product.producerTaxCode)
    else { throw TraceError.notFound(kind: "product", key: lot.gtin.digits) }
    return ScanEvidence(
      batch: batch, product: product, producer: producer,
      backward: try Lineage.trace(lot, .backward, in: reader),
      ratings: try reader.ratingHistory(lot.gtin),
      serialStatus: try serial.map { try Lineage.serialStatus(lot, serial: $0, in: reader) },
      issuer: try RatingSigners.signer(of: batch.eventSequence, in: reader),
      ratingSigners: try RatingSigners.of(lot.gtin, in: reader), stages: try reader.stages(lot))
  }

  /// The product's rating decisions that an issuer trusted for ratings signed.
  public func ratings(trustedBy trustList: TrustList) -> RatingHistory {
    RatingSigners.trusted(ratings, signers: ratingSigners, by: trustList)
  }
}

/// Who signed the records a verdict rests on: for a record taken in from another store,
/// the producer whose event it is, not the importer.
enum RatingSigners {
  /// The key id of the issuer of the records event `sequence` brings.
  static func signer(of sequence: Int64, in reader: any TraceReader) throws -> String? {
    try reader.events(after: sequence - 1, limit: 1).first?.recordBearing()?.kid
  }

  /// The key ids of the issuers of a product's rating decisions, in recording order.
  static func of(_ gtin: GTIN, in reader: any TraceReader) throws -> [String?] {
    try reader.ratingEvents(gtin).map { try signer(of: $0, in: reader) }
  }

  /// The decisions of `history` whose signer (`signers`, in the same order) `trustList`
  /// trusts for ratings.
  static func trusted(_ history: RatingHistory, signers: [String?], by trustList: TrustList)
    -> RatingHistory
  {
    RatingHistory(
      zip(history.entries, signers).compactMap { entry, kid in
        kid.map { trustList.trusts($0, for: .ratings) } == true ? entry : nil
      })
  }
}

/// One scan's verdict and what it rests on.
public struct ScanResult: Sendable {
  /// The scan, as read.
  public let scan: String
  /// The verdict.
  public let verdict: Verdict
  /// Why, in a few words.
  public let detail: String
  /// The link, when the scan is one.
  public let link: DigitalLink?
  /// The lot the link names, when it could be read.
  public let lot: LotReference?
  /// The serial the link names, if any.
  public let serial: String?
  /// What checking the link's signature found, when it was checked.
  public let signature: SignedLink.Verdict?
  /// The records the verdict rests on, when the lot is known.
  public let evidence: ScanEvidence?

  /// The product's Vietnamese name, when the lot is known.
  public var productName: String? { evidence?.product.nameVietnamese }

  /// Who signed the link, when a trusted issuer did.
  public var signer: String? { signature.flatMap(Self.signer(of:)) }

  /// Who signed a link whose signature check found `verdict`, when a trusted issuer did.
  static func signer(of verdict: SignedLink.Verdict) -> String? {
    guard case .valid(let kid, let issuer) = verdict else { return nil }
    return issuer.isEmpty ? kid : "\(issuer) (\(kid))"
  }
}

/// The one place a scan's verdict is decided, for the store, an offline bundle and the
/// resolver alike. In order of precedence: malformed (not a Digital Link), unknown (no
/// GTIN), trial (a demonstration GTIN, where refused), unknown (no lot, or no record), forged (a signature unreadable or refused, a signature stripped
/// from a label printed signed, or data that contradicts the record), serial outside
/// printed range, recalled (the lot or a lot it was made from), unsigned (no signature,
/// where one is required), duplicate (an earlier scan of the same serial in this stream),
/// expired, rating lapsed, valid.
public struct Verifier: Sendable {
  private let sources: [any EvidenceSource]
  private let trustList: TrustList
  private let today: GS1Date
  private let now: Timestamp
  private let requireSignature: Bool
  /// Whether trial codes (GS1's demonstration prefix 952) are refused.
  private let refuseTrial: Bool
  /// The hosts of the resolvers a link may name; empty: any.
  private let resolvers: Set<String>
  /// The base that GS1 element data, which names no host, is read under.
  private let elementBase: DigitalLink.Base
  /// The character a scanner sends for FNC1 in element data.
  private let separator: Character
  private var seen: Set<String> = []

  /// A verifier over `sources` (searched in order for the lot), trusting `trustList`, on
  /// `today`; with `requireSignature` an unsigned link is refused as `unsigned`; with
  /// `resolvers` (base URLs), a link under any other host is refused as forged.
  public init(
    sources: [any EvidenceSource], trustList: TrustList, today: GS1Date = .today(),
    now: Timestamp = .now(), requireSignature: Bool = false, refuseTrial: Bool = false,
    resolvers: [String] = [], separator: Character = "\u{1D}"
  ) {
    self.sources = sources
    self.trustList = trustList
    self.today = today
    self.now = now
    self.requireSignature = requireSignature
    self.refuseTrial = refuseTrial
    self.resolvers = Set(resolvers.compactMap(Self.host))
    elementBase =
      resolvers.lazy.compactMap { try? DigitalLink.Base($0) }.first
      ?? (try? DigitalLink.Base("https://id.gs1.org"))!
    self.separator = separator
  }

  /// The host of a base URL or a host name, lower-cased, without a port or a final dot.
  static func host(_ text: String) -> String? {
    var rest = Substring(text.lowercased())
    if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
    var host = rest.prefix { $0 != "/" && $0 != ":" && $0 != "?" && $0 != "#" }
    while host.hasSuffix(".") { host = host.dropLast() }
    return host.isEmpty ? nil : String(host)
  }

  /// The verdict on one scan: a Digital Link URI, or GS1 element data as a scanner sends
  /// it (``ScannedCode``); a serial scanned earlier by this verifier is a duplicate.
  public mutating func check(_ scan: String) async -> ScanResult {
    let text = scan.trimmingCharacters(in: .whitespacesAndNewlines.subtracting(["\u{1D}"]))
    func malformed(_ error: GS1Error) -> ScanResult {
      ScanResult(
        scan: text, verdict: .malformed, detail: error.description, link: nil, lot: nil,
        serial: nil, signature: nil, evidence: nil)
    }
    let code: ScannedCode
    do { code = try ScannedCode(reading: text, separator: separator) } catch {
      return malformed(error)
    }
    switch code {
    case .link(let link):
      return await check(link, scan: text)
    case .elements(let elements, _):
      do {
        let link = try DigitalLink(base: elementBase, elements: elements.elements)
        return await check(link, scan: text, elementData: true)
      } catch {
        return malformed(error)
      }
    }
  }

  /// The verdict on a link already read; `scan` is what was scanned, as reported. With
  /// `elementData`, the link was read from GS1 element data: it names no host, and
  /// carries no ocop signature (a scanner keeps only GS1's AIs), so it is judged as an
  /// unsigned link whatever its print run, and refused when a signature is required.
  public mutating func check(_ link: DigitalLink, scan: String, elementData: Bool = false) async
    -> ScanResult
  {
    var lot: LotReference?
    var signature: SignedLink.Verdict?
    var evidence: ScanEvidence?
    let serial = link.value(of: "21")
    func result(_ verdict: Verdict, _ detail: String) -> ScanResult {
      ScanResult(
        scan: scan, verdict: verdict, detail: detail, link: link, lot: lot, serial: serial,
        signature: signature, evidence: evidence)
    }
    guard let gtin = link.gtin else {
      return result(.unknown, "the link names no GTIN (\(link.primaryKey.ai))")
    }
    if refuseTrial, gtin.isDemonstration {
      lot = link.value(of: "10").flatMap { try? LotReference(gtin: gtin, lot: $0) }
      return result(
        .trial,
        "a trial code: GTIN \(gtin.digits) is under GS1's prefix 952, kept for demonstrations; it is no product on sale"
      )
    }
    guard let lotCode = link.value(of: "10"),
      let reference = try? LotReference(gtin: gtin, lot: lotCode)
    else {
      return result(.unknown, "the link names no lot, so no batch record can be found")
    }
    lot = reference
    // The records, from whichever source holds the lot: read even when the signature
    // decides the verdict, so that a page can show what the forged code claims to be.
    var failure: TraceError?
    do {
      for source in sources {
        if let found = try await source.scanEvidence(reference, serial: serial) {
          evidence = found
          break
        }
      }
    } catch {
      failure = error
    }
    // The signature comes first. A label carries no date: a serialised one is judged as
    // its signer's entry stood when its print run was recorded (so a key revoked, or
    // retired, from a later day does not turn the labels already printed into forgeries),
    // any other link as the entry stands now.
    var signedAt = now
    if case .allocated(let range)? = evidence?.serialStatus, let printed = range.printedAt {
      signedAt = printed
    }
    let verdict = SignedLink.verify(link, trustList: trustList, at: signedAt)
    signature = verdict
    switch verdict {
    case .valid: break
    case .unsigned: break
    case .malformed(let reason):
      return result(.forged, reason)
    case .refused(let problem):
      return result(.forged, problem.description)
    }
    // A genuine code under another address can lead a shopper anywhere.
    if !elementData, !resolvers.isEmpty, let host = Self.host(link.base.host),
      !resolvers.contains(host)
    {
      return result(
        .forged,
        "the link's host \(host) is not a resolver of this workspace (\(resolvers.sorted().joined(separator: ", ")))"
      )
    }
    if let failure {
      // The reason, not the store's location: a resolver shows this detail to anyone.
      let reason: String
      if case .store(_, let why) = failure.underlying {
        reason = why
      } else {
        reason = "\(failure)"
      }
      return result(.unknown, "the records cannot be read now (\(reason))")
    }
    guard let evidence else { return result(.unknown, "no record of lot \(reference)") }
    let batch = evidence.batch
    // What the link says must be what the record says.
    if let expiry = link.value(of: "17"), expiry != batch.request.expiryDate.yymmdd {
      return result(
        .forged,
        "the link's expiry \(expiry) is not the record's \(batch.request.expiryDate.yymmdd)")
    }
    if let produced = link.value(of: "11"), produced != batch.request.productionDate.yymmdd {
      return result(
        .forged,
        "the link's production date \(produced) is not the record's \(batch.request.productionDate.yymmdd)"
      )
    }
    // A label printed signed, scanned without its signature.
    if !elementData, case .unsigned = verdict, let serial,
      case .allocated(let range)? = evidence.serialStatus, range.signed == true
    {
      return result(
        .forged, "serial \(serial) was printed with the issuer's signature; this link has none")
    }
    // A signature by another trusted issuer than the one that recorded the lot.
    if case .valid(let kid, _) = verdict, let recorder = evidence.issuer, kid != recorder {
      return result(
        .forged, "signed by key \(kid), but lot \(reference) was recorded by key \(recorder)")
    }
    if let serial, case .outsideAnyRange? = evidence.serialStatus {
      return result(.outsideRange, "serial \(serial) was never printed for lot \(reference)")
    }
    if let recall = evidence.backward.firstRecall {
      let whose = recall.lot == reference ? "" : " (input lot \(recall.lot))"
      return result(.recalled, "recalled\(whose): \(recall.reason)")
    }
    // An unsigned link where a signature is required: refused, but after what the record
    // itself says (a recall is never hidden behind it).
    if requireSignature, case .unsigned = verdict {
      return result(
        .unsigned,
        elementData
          ? "read as GS1 element data, which carries no ocop signature, and a signature is required"
          : "the link is not signed, and a signature is required")
    }
    if let serial, !seen.insert(reference.description + "/21/" + serial).inserted {
      return result(.duplicate, "serial \(serial) was already scanned in this stream")
    }
    if batch.request.expiryDate < today {
      return result(.expired, "expired on \(batch.request.expiryDate.dayMonthYear)")
    }
    if let claimed = batch.rating {
      // Only decisions signed by an issuer trusted for ratings count.
      let produced = batch.request.productionDate
      let held = evidence.ratings(trustedBy: trustList).inForce(on: produced)
      if held?.stars != claimed.stars {
        let truth = held?.stars.map { "\($0) stars" } ?? "no OCOP certificate"
        var detail =
          "labelled \(claimed.stars) stars; the product held \(truth) on \(produced.dayMonthYear)"
        if let untrusted = evidence.ratings.inForce(on: produced), untrusted.stars == claimed.stars,
          let index = evidence.ratings.entries.lastIndex(of: untrusted),
          let kid = evidence.ratingSigners[index]
        {
          detail +=
            " (decision \(untrusted.decision.number) was signed by key \(kid), which is not trusted for ratings)"
        }
        return result(.ratingLapsed, detail)
      }
    }
    let signed = ScanResult.signer(of: verdict)
    if elementData {
      return result(
        .valid,
        "read as GS1 element data, which carries no ocop signature: the record is sound, the code's origin was not checked (scan its URL for that)"
      )
    }
    let trialNote = gtin.isDemonstration ? "trial code (GS1 prefix 952), " : ""
    var withdrawnNote = ""
    if let lifted = evidence.backward.firstWithdrawnRecall, let withdrawal = lifted.withdrawal {
      let whose = lifted.lot == reference ? "" : " of input lot \(lifted.lot)"
      withdrawnNote =
        "; the recall\(whose) of \(lifted.recordedAt.day) (\(lifted.reason)) was withdrawn on \(withdrawal.recordedAt.day): \(withdrawal.reason)"
    }
    return result(
      .valid, trialNote + (signed.map { "signed by \($0)" } ?? "unsigned link") + withdrawnNote)
  }
}
