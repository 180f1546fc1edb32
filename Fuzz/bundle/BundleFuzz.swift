import Exchange
import Foundation
import FuzzSupport
import Traceability

/// One input: a bundle's bytes, read as `ocop verify --bundle` reads a file: parsed,
/// replayed into a private store, audited against the trust list and its records compared
/// with what its events imply. The trust list holds the seed issuer and the issuer the
/// bundle names, so bundles from any store reach the checks past the signatures. Any input
/// may be refused, with a ``TraceError``.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Fuzz.bytes(data, size)
  var trustList = Fuzz.seedTrustList
  if let named = namedIssuer(bytes) { try? trustList.merge(TrustList([named])) }
  let trusted = trustList
  do {
    let bundle = try Fuzz.wait {
      try await BundleStore(bytes: bytes, path: "fuzz.json", trustList: trusted)
    }
    defer { bundle.remove() }
    Fuzz.require(bundle.report.failure == nil, "a bundle was accepted with a failed audit")
    _ = try Fuzz.wait { try await bundle.store.producers() }
  } catch {
    _ = "\(error)"
  }
  return 0
}

/// The issuer entry the bundle carries, when it is well formed, trusted from 2000 on.
private func namedIssuer(_ bytes: [UInt8]) -> TrustedIssuer? {
  guard let root = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
    let issuer = root["issuer"] as? [String: Any], let kid = issuer["kid"] as? String,
    let text = issuer["publicKey"] as? String, let key = Data(base64Encoded: text)
  else { return nil }
  return TrustedIssuer(
    kid: kid, name: issuer["name"] as? String ?? "", publicKey: Array(key),
    validFrom: trustedFrom, validUntil: nil, revoked: false)
}

private let trustedFrom = try! Timestamp("2000-01-01")
