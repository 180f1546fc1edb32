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
/// The parameter is `s`, its value the issuer's kid, a `.`, and the 64-byte signature in
/// unpadded base32: 112 characters, all upper-case letters, digits and `.`, which a QR
/// code packs in its alphanumeric mode (5.5 bits a character) and which need no
/// percent-encoding.
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
    do {
      return try link.setting(
        .init(name: parameter, value: key.kid + "." + ByteText.base32(signature)))
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
    let parts = value.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[0].utf8.count == 8 else {
      return .malformed("parameter \(parameter) must be KID.SIGNATURE")
    }
    guard let signature = ByteText.bytes(base32: String(parts[1])), signature.count == 64 else {
      return .malformed("the signature is not 64 bytes of base32")
    }
    let kid = String(parts[0])
    if let problem = trustList.check(
      kid: kid, signature: signature, message: message(for: link), at: time)
    {
      return .refused(problem)
    }
    return .valid(kid: kid, issuer: trustList.issuers[kid]?.name ?? "")
  }
}
