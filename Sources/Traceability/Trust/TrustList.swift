import Crypto
import Foundation

/// An issuer whose signatures a verifier accepts, within its validity and unless revoked.
public struct TrustedIssuer: Hashable, Sendable {
  /// The key id, derived from the public key.
  public let kid: String
  /// Who the issuer is.
  public let name: String
  /// The Ed25519 public key, 32 bytes.
  public let publicKey: [UInt8]
  /// The first moment its signatures are accepted.
  public let validFrom: Timestamp
  /// The last moment its signatures are accepted; nil for no end.
  public let validUntil: Timestamp?
  /// Whether the key has been revoked: nothing it signed is accepted.
  public let revoked: Bool
  /// The parsed key, made once: verification is the audit's hot path.
  private let verifyingKey: Curve25519.Signing.PublicKey?

  /// Creates an entry; the kid must match the public key.
  public init(
    kid: String, name: String, publicKey: [UInt8], validFrom: Timestamp, validUntil: Timestamp?,
    revoked: Bool
  ) {
    self.kid = kid
    self.name = name
    self.publicKey = publicKey
    self.validFrom = validFrom
    self.validUntil = validUntil
    self.revoked = revoked
    verifyingKey = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey)
  }

  /// Whether `signature` over `message` is this issuer's.
  public func verifies(_ signature: [UInt8], of message: [UInt8]) -> Bool {
    verifyingKey?.isValidSignature(signature, for: message) ?? false
  }

  public static func == (lhs: TrustedIssuer, rhs: TrustedIssuer) -> Bool {
    (lhs.kid, lhs.name, lhs.publicKey, lhs.validFrom, lhs.validUntil, lhs.revoked)
      == (rhs.kid, rhs.name, rhs.publicKey, rhs.validFrom, rhs.validUntil, rhs.revoked)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(kid)
    hasher.combine(publicKey)
  }
}

/// Why a trust list does not accept a signature.
public enum TrustProblem: Error, Hashable, Sendable, CustomStringConvertible {
  case unknownIssuer(kid: String)
  case revoked(kid: String)
  case notYetValid(kid: String, from: Timestamp)
  case expired(kid: String, until: Timestamp)
  case badSignature(kid: String)

  public var description: String {
    switch self {
    case .unknownIssuer(let kid): "issuer \(kid) is not in the trust list"
    case .revoked(let kid): "issuer \(kid) has been revoked"
    case .notYetValid(let kid, let from): "issuer \(kid) is trusted only from \(from)"
    case .expired(let kid, let until): "issuer \(kid) was trusted only until \(until)"
    case .badSignature(let kid): "the signature does not verify with issuer \(kid)'s key"
    }
  }
}

/// The issuers a verifier trusts: a JSON document that can be exported, sent and imported,
/// so that records and signed links can be checked offline.
public struct TrustList: Hashable, Sendable {
  /// Entries by kid.
  public private(set) var issuers: [String: TrustedIssuer]

  /// Creates a list.
  public init(_ issuers: [TrustedIssuer] = []) {
    self.issuers = Dictionary(issuers.map { ($0.kid, $0) }, uniquingKeysWith: { $1 })
  }

  /// Checks that `signature` over `message` is by a trusted issuer `kid` valid at `time`.
  public func check(kid: String, signature: [UInt8], message: [UInt8], at time: Timestamp)
    -> TrustProblem?
  {
    guard let issuer = issuers[kid] else { return .unknownIssuer(kid: kid) }
    if issuer.revoked { return .revoked(kid: kid) }
    if time < issuer.validFrom { return .notYetValid(kid: kid, from: issuer.validFrom) }
    if let until = issuer.validUntil, until < time { return .expired(kid: kid, until: until) }
    return issuer.verifies(signature, of: message) ? nil : .badSignature(kid: kid)
  }

  /// Adds or replaces entries from `other`. A kid whose public key differs is refused; a
  /// revocation is kept even if `other` does not carry it.
  ///
  /// `ownIssuer`, the kid of the store's own key, can only be revoked: the store's events
  /// were signed under its entry as it stands, so a list that gives it another name or other
  /// validity dates is refused, naming the field.
  public mutating func merge(_ other: TrustList, ownIssuer: String? = nil) throws(TraceError) {
    for (kid, incoming) in other.issuers {
      if let existing = issuers[kid] {
        guard existing.publicKey == incoming.publicKey else {
          throw .malformed(what: "trust list", reason: "issuer \(kid) has a different public key")
        }
        if kid == ownIssuer { try Self.checkOwnIssuer(existing, incoming) }
        issuers[kid] = TrustedIssuer(
          kid: kid, name: incoming.name, publicKey: incoming.publicKey,
          validFrom: incoming.validFrom, validUntil: incoming.validUntil,
          revoked: existing.revoked || incoming.revoked)
      } else {
        issuers[kid] = incoming
      }
    }
  }

  /// Refuses any change to the store's own entry but a revocation.
  private static func checkOwnIssuer(_ existing: TrustedIssuer, _ incoming: TrustedIssuer)
    throws(TraceError)
  {
    let changed: (field: String, here: String, there: String)? =
      if existing.name != incoming.name {
        ("name", existing.name, incoming.name)
      } else if existing.validFrom != incoming.validFrom {
        ("validFrom", existing.validFrom.text, incoming.validFrom.text)
      } else if existing.validUntil != incoming.validUntil {
        ("validUntil", existing.validUntil?.text ?? "null", incoming.validUntil?.text ?? "null")
      } else {
        nil
      }
    guard let changed else { return }
    throw .malformed(
      what: "trust list",
      reason: "issuer \(existing.kid) is this store's own issuer, and an import may only revoke "
        + "it: its \(changed.field) is \"\(changed.here)\" here and \"\(changed.there)\" in the list"
    )
  }

  private struct Document: Codable {
    var format = "ocop-trace trust list"
    var version = 1
    var issuers: [Entry]
  }

  private struct Entry: Codable {
    var kid: String
    var name: String
    var publicKey: String
    var validFrom: String
    var validUntil: String?
    var revoked: Bool
  }

  /// The JSON document, issuers ordered by kid.
  public func json() -> Data {
    let entries = issuers.values.sorted { $0.kid < $1.kid }.map {
      Entry(
        kid: $0.kid, name: $0.name, publicKey: Data($0.publicKey).base64EncodedString(),
        validFrom: $0.validFrom.text, validUntil: $0.validUntil?.text, revoked: $0.revoked)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(Document(issuers: entries))) ?? Data()
  }

  /// Reads the trust list file at `path`; errors name the file.
  public init(path: String) throws(TraceError) {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .malformed(what: "trust list \(path)", reason: "does not exist or cannot be read")
    }
    do {
      try self.init(json: data)
    } catch {
      if case .malformed(_, let reason) = error {
        throw .malformed(what: "trust list \(path)", reason: reason)
      }
      throw error
    }
  }

  /// Reads a JSON document, checking every entry's key and kid.
  public init(json data: Data) throws(TraceError) {
    let document: Document
    do { document = try JSONDecoder().decode(Document.self, from: data) } catch {
      throw .malformed(
        what: "trust list",
        reason: "is not an ocop-trace trust list (\(JSONProblem.describe(error)))")
    }
    guard document.format == "ocop-trace trust list", document.version == 1 else {
      throw .malformed(what: "trust list", reason: "unsupported format or version")
    }
    var issuers: [TrustedIssuer] = []
    for entry in document.issuers {
      guard let key = Data(base64Encoded: entry.publicKey), key.count == 32,
        IssuerKey.kid(of: Array(key)) == entry.kid
      else {
        throw .malformed(
          what: "trust list",
          reason: "issuer \(entry.kid): public key missing or not matching its kid")
      }
      guard !issuers.contains(where: { $0.kid == entry.kid }) else {
        throw .malformed(what: "trust list", reason: "issuer \(entry.kid) is listed twice")
      }
      issuers.append(
        TrustedIssuer(
          kid: entry.kid, name: entry.name, publicKey: Array(key),
          validFrom: try Timestamp(entry.validFrom),
          validUntil: try entry.validUntil.map { text throws(TraceError) in try Timestamp(text) },
          revoked: entry.revoked))
    }
    self.init(issuers)
  }
}

/// What is wrong with a JSON document, said briefly: the field and the problem, without the
/// decoder's debugging detail.
public enum JSONProblem {
  public static func describe(_ error: any Error) -> String {
    guard let error = error as? DecodingError else { return "\(error)" }
    func path(_ context: DecodingError.Context, _ last: (any CodingKey)? = nil) -> String {
      let keys = context.codingPath + (last.map { [$0] } ?? [])
      return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .keyNotFound(let key, let context): return "no \"\(path(context, key))\" field"
    case .valueNotFound(_, let context): return "\"\(path(context))\" is null"
    case .typeMismatch(_, let context): return "\"\(path(context))\" has the wrong type"
    case .dataCorrupted(let context):
      return context.codingPath.isEmpty ? "not valid JSON" : "\"\(path(context))\" is not valid"
    @unknown default: return "\(error)"
    }
  }
}
