import Foundation
import GS1
import Traceability

/// What a scan of a trace code comes to.
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
  case ratingLapsed = "rating lapsed"
  /// The serial was never allocated to a print run of the lot.
  case outsideRange = "serial outside any printed range"
  /// The same serial was scanned earlier in this stream.
  case duplicate
}

/// One scan's verdict and what it rests on.
public struct ScanResult: Sendable {
  /// The scan, as read.
  public let scan: String
  /// The verdict.
  public let verdict: Verdict
  /// Why, in a few words.
  public let detail: String
  /// The lot the link names, when it could be read.
  public let lot: LotReference?
  /// The serial the link names, if any.
  public let serial: String?
  /// The product's Vietnamese name, when the lot is known.
  public let productName: String?
  /// Who signed the link, when it was signed by a trusted issuer.
  public let signer: String?
}

/// Checks scans one after another against trace records (a store, or bundles read into
/// stores) and a trust list, remembering the serials seen so that a second scan of one
/// shows up.
public struct Verifier {
  private let sources: [any TraceStore]
  private let trustList: TrustList
  private let today: GS1Date
  private let now: Timestamp
  private let requireSignature: Bool
  private var seen: Set<String> = []

  /// A verifier over `sources`, trusting `trustList`, on `today`; with `requireSignature`
  /// an unsigned link is refused as forged.
  public init(
    sources: [any TraceStore], trustList: TrustList, today: GS1Date = .today(),
    now: Timestamp = .now(), requireSignature: Bool = false
  ) {
    self.sources = sources
    self.trustList = trustList
    self.today = today
    self.now = now
    self.requireSignature = requireSignature
  }

  /// The verdict on one scan.
  public mutating func check(_ scan: String) -> ScanResult {
    let text = scan.trimmingCharacters(in: .whitespacesAndNewlines)
    func result(
      _ verdict: Verdict, _ detail: String, lot: LotReference? = nil, serial: String? = nil,
      product: String? = nil, signer: String? = nil
    ) -> ScanResult {
      ScanResult(
        scan: text, verdict: verdict, detail: detail, lot: lot, serial: serial,
        productName: product, signer: signer)
    }
    let link: DigitalLink
    do {
      link = try DigitalLink(parsing: text)
    } catch {
      return result(.malformed, error.description)
    }
    guard let gtin = link.gtin else {
      return result(.unknown, "the link names no GTIN (\(link.primaryKey.ai))")
    }
    guard let lotCode = link.value(of: "10"), let lot = try? LotReference(gtin: gtin, lot: lotCode)
    else {
      return result(.unknown, "the link names no lot, so no batch record can be found")
    }
    let serial = link.value(of: "21")
    // The signature, before anything is looked up.
    var signer: String?
    switch SignedLink.verify(link, trustList: trustList, at: now) {
    case .valid(let kid, let issuer):
      signer = issuer.isEmpty ? kid : "\(issuer) (\(kid))"
    case .unsigned:
      if requireSignature {
        return result(.forged, "the link is not signed", lot: lot, serial: serial)
      }
    case .malformed(let reason):
      return result(.forged, reason, lot: lot, serial: serial)
    case .refused(let problem):
      return result(.forged, problem.description, lot: lot, serial: serial)
    }
    // The record, in whichever source holds it.
    var found: (store: any TraceStore, batch: Batch)?
    do {
      for source in sources {
        if let batch = try source.batch(lot) {
          found = (source, batch)
          break
        }
      }
    } catch {
      return result(.unknown, "the records cannot be read: \(error)", lot: lot, serial: serial)
    }
    guard let (store, batch) = found else {
      return result(.unknown, "no record of lot \(lot)", lot: lot, serial: serial, signer: signer)
    }
    do {
      let product = try store.product(gtin)
      let name = product?.nameVietnamese
      func verdict(_ verdict: Verdict, _ detail: String) -> ScanResult {
        result(verdict, detail, lot: lot, serial: serial, product: name, signer: signer)
      }
      // What the link says must be what the record says.
      if let expiry = link.value(of: "17"), expiry != batch.request.expiryDate.yymmdd {
        return verdict(
          .forged,
          "the link's expiry \(expiry) is not the record's \(batch.request.expiryDate.yymmdd)")
      }
      if let serial {
        if case .outsideAnyRange = try store.serialStatus(lot, serial: serial) {
          return verdict(.outsideRange, "serial \(serial) was never printed for lot \(lot)")
        }
      }
      // A recall of the lot, or of any lot it was made from.
      if let recall = try store.traceBackward(lot).firstRecall {
        let whose = recall.lot == lot ? "" : " (input lot \(recall.lot))"
        return verdict(.recalled, "recalled\(whose): \(recall.reason)")
      }
      if let serial {
        let key = lot.description + "/21/" + serial
        if !seen.insert(key).inserted {
          return verdict(.duplicate, "serial \(serial) was already scanned in this stream")
        }
      }
      if batch.request.expiryDate < today {
        return verdict(.expired, "expired on \(batch.request.expiryDate.dayMonthYear)")
      }
      if let claimed = batch.rating {
        let held = try store.ratingHistory(gtin).inForce(on: batch.request.productionDate)
        if held?.stars != claimed.stars {
          let truth = held?.stars.map { "\($0) stars" } ?? "no OCOP certificate"
          return verdict(
            .ratingLapsed,
            "labelled \(claimed.stars) stars; the product held \(truth) on \(batch.request.productionDate.dayMonthYear)"
          )
        }
      }
      let signed = signer.map { "signed by \($0)" } ?? "unsigned link"
      return verdict(.valid, signed)
    } catch {
      return result(.unknown, "the records cannot be read: \(error)", lot: lot, serial: serial)
    }
  }
}
