import GS1

/// Signed trace links: an issuer's Ed25519 signature over the GS1 data a Digital Link
/// carries, in one non-numeric query parameter, so the link stays a valid Digital Link
/// and can be checked offline with a trust list alone.
///
/// The signed message is the prefix `ocop-trace link v1` and a newline, then the element
/// string of the primary key, its qualifiers in GS1's order, and the numeric data
/// attributes sorted by AI: `(01)08931234567897(10)A(21)7(11)261102(17)271101`. The host,
/// path stem and other parameters are not signed, so one label works with any resolver.
///
/// The parameter is `s`, its value 168 decimal digits: the issuer's kid (its 40 bits as a
/// 13-digit number) and then the 64-byte signature (as a 155-digit big-endian number),
/// both zero-padded. Digits need no percent-encoding and a QR code packs them in numeric
/// mode, 3.33 bits a digit, whatever the case of the rest of the link; measured with
/// libqrencode (`Benchmarks/scripts/signature-encoding.py`), this gives a symbol as small
/// as any other encoding at every error-correction level, and smaller than base32 or
/// base64url when the host is written in lower case.
public enum SignedLink {
  /// The query parameter that carries the signature.
  public static let parameter = "s"
  /// The prefix that separates link signatures from every other use of the key.
  public static let prefix = Array("ocop-trace link v1\n".utf8)

  /// The bytes that are signed for `link`.
  public static func message(for link: DigitalLink) -> [UInt8] {
    let attributes = link.attributes.sorted { $0.ai < $1.ai }
    return prefix
      + Array(ElementString([link.primaryKey] + link.qualifiers + attributes).description.utf8)
  }

  /// `link` with its signature parameter set (replacing any earlier one).
  public static func sign(_ link: DigitalLink, with key: IssuerKey) throws(TraceError)
    -> DigitalLink
  {
    let signature = try key.sign(message(for: link))
    guard let kid = ByteText.bytes(base32: key.kid) else {
      throw .key(path: key.kid, reason: "the key id is not base32")
    }
    let value = ByteText.decimal(kid, width: 13) + ByteText.decimal(signature, width: 155)
    do {
      return try link.setting(.init(name: parameter, value: value))
    } catch {
      throw error.trace
    }
  }

  /// What checking a link's signature found.
  public enum Verdict: Hashable, Sendable {
    /// Signed by a trusted issuer.
    case valid(kid: String, issuer: String)
    /// The link carries no signature.
    case unsigned
    /// The signature parameter cannot be read.
    case malformed(String)
    /// The trust list refuses it: unknown, revoked or out-of-date issuer, or a signature
    /// that does not match the data.
    case refused(TrustProblem)
  }

  /// Checks the signature of `link` against `trustList`, the issuer being valid at `time`.
  public static func verify(_ link: DigitalLink, trustList: TrustList, at time: Timestamp)
    -> Verdict
  {
    guard let value = link.parameter(parameter) else { return .unsigned }
    guard value.utf8.count == 168,
      let kidBytes = ByteText.bytes(decimal: String(value.prefix(13)), count: 5),
      let signature = ByteText.bytes(decimal: String(value.dropFirst(13)), count: 64)
    else {
      return .malformed(
        "parameter \(parameter) must be 168 digits: a 13-digit key id and a 155-digit signature")
    }
    let kid = ByteText.base32(kidBytes)
    if let problem = trustList.check(
      kid: kid, signature: signature, message: message(for: link), at: time)
    {
      return .refused(problem)
    }
    // A label is a batch's: its signer must be trusted for batches, under the GTIN's prefix.
    if let issuer = trustList.issuers[kid] {
      if !issuer.roles.contains(.batches) {
        return .refused(.notTrustedFor(kid: kid, role: .batches))
      }
      if let gtin = link.gtin, !issuer.covers(gtin) {
        return .refused(.outOfScope(kid: kid, gtin: gtin.digits, prefixes: issuer.prefixes))
      }
    }
    return .valid(kid: kid, issuer: trustList.issuers[kid]?.name ?? "")
  }
}
