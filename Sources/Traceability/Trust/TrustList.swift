import Crypto
import Foundation
import GS1

/// What an issuer is trusted to sign.
public enum IssuerRole: String, CaseIterable, Comparable, Sendable {
  /// Producers, products, batches, print runs, movements and recalls of its own products.
  case batches
  /// OCOP rating decisions (and recalls of any product): the province's or the national
  /// office's role.
  case ratings

  public static func < (lhs: IssuerRole, rhs: IssuerRole) -> Bool {
    lhs.rawValue < rhs.rawValue
  }
}

/// An issuer whose signatures a verifier accepts, within its validity and unless revoked,
/// for the roles and company prefixes its entry names.
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
  /// Whether the key has been revoked.
  public let revoked: Bool
  /// When a revocation takes effect: what the issuer signed before it stays valid, what is
  /// dated from it on is refused. Nil with ``revoked``: nothing it signed is accepted.
  public let revokedFrom: Timestamp?
  /// The GS1 company prefixes whose products and lots it may sign for, in order; empty:
  /// any.
  public let prefixes: [String]
  /// What it may sign.
  public let roles: Set<IssuerRole>
  /// The parsed key, made once: verification is the audit's hot path.
  private let verifyingKey: Curve25519.Signing.PublicKey?

  /// Creates an entry; the kid must match the public key.
  public init(
    kid: String, name: String, publicKey: [UInt8], validFrom: Timestamp, validUntil: Timestamp?,
    revoked: Bool, revokedFrom: Timestamp? = nil, prefixes: [String] = [],
    roles: Set<IssuerRole> = Set(IssuerRole.allCases)
  ) {
    self.kid = kid
    self.name = name
    self.publicKey = publicKey
    self.validFrom = validFrom
    self.validUntil = validUntil
    self.revoked = revoked
    self.revokedFrom = revoked ? revokedFrom : nil
    self.prefixes = Array(Set(prefixes)).sorted()
    self.roles = roles
    verifyingKey = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey)
  }

  /// The same entry with another scope.
  public func scoped(prefixes: [String], roles: Set<IssuerRole>) -> TrustedIssuer {
    TrustedIssuer(
      kid: kid, name: name, publicKey: publicKey, validFrom: validFrom, validUntil: validUntil,
      revoked: revoked, revokedFrom: revokedFrom, prefixes: prefixes, roles: roles)
  }

  /// The same entry, revoked from `time` (nil: everything it signed).
  public func revoking(from time: Timestamp?) -> TrustedIssuer {
    TrustedIssuer(
      kid: kid, name: name, publicKey: publicKey, validFrom: validFrom, validUntil: validUntil,
      revoked: true, revokedFrom: time, prefixes: prefixes, roles: roles)
  }

  /// Whether `signature` over `message` is this issuer's.
  public func verifies(_ signature: [UInt8], of message: [UInt8]) -> Bool {
    verifyingKey?.isValidSignature(signature, for: message) ?? false
  }

  /// Whether its prefixes cover `gtin`: the GTIN-13 within the GTIN-14 (after its
  /// indicator digit) begins with one of them. An entry without prefixes covers any.
  public func covers(_ gtin: GTIN) -> Bool { covers(digits: gtin.digits) }

  /// ``covers(_:)`` for a GTIN-14's digits.
  public func covers(digits: String) -> Bool {
    guard !prefixes.isEmpty else { return true }
    let withoutIndicator = digits.dropFirst()
    return prefixes.contains { withoutIndicator.hasPrefix($0) }
  }

  /// A company prefix as an entry keeps it: 4 to 12 digits.
  public static func checkedPrefix(_ text: String) throws(TraceError) -> String {
    guard (4...12).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
      throw .invalidField(
        record: "trust-list entry", field: "prefix", value: text,
        reason: "a GS1 company prefix is 4 to 12 digits")
    }
    return text
  }

  public static func == (lhs: TrustedIssuer, rhs: TrustedIssuer) -> Bool {
    (lhs.kid, lhs.name, lhs.publicKey, lhs.validFrom, lhs.validUntil, lhs.revoked)
      == (rhs.kid, rhs.name, rhs.publicKey, rhs.validFrom, rhs.validUntil, rhs.revoked)
      && (lhs.revokedFrom, lhs.prefixes, lhs.roles) == (rhs.revokedFrom, rhs.prefixes, rhs.roles)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(kid)
    hasher.combine(publicKey)
  }

  /// The entry as a trust list writes it; `prefixes`, `roles` and `revokedFrom` only when
  /// they say something (an entry without them may sign anything, for any prefix).
  public var json: CanonicalJSON {
    var members: CanonicalMembers = [
      "kid": .string(kid), "name": .string(name),
      "publicKey": .string(Data(publicKey).base64EncodedString()),
      "validFrom": .string(validFrom.text),
      "validUntil": validUntil.map { .string($0.text) } ?? .null, "revoked": .bool(revoked),
    ]
    if !prefixes.isEmpty { _ = members.insert("prefixes", .array(prefixes.map { .string($0) })) }
    if roles != Set(IssuerRole.allCases) {
      _ = members.insert("roles", .array(roles.sorted().map { .string($0.rawValue) }))
    }
    if let revokedFrom { _ = members.insert("revokedFrom", .string(revokedFrom.text)) }
    return .object(members)
  }
}

/// Why a trust list does not accept a signature.
public enum TrustProblem: Error, Hashable, Sendable, CustomStringConvertible {
  case unknownIssuer(kid: String)
  /// Revoked; from a moment on, or (nil) for everything it signed.
  case revoked(kid: String, from: Timestamp?)
  case notYetValid(kid: String, from: Timestamp)
  case expired(kid: String, until: Timestamp)
  case badSignature(kid: String)
  /// A record or link for a GTIN outside the issuer's company prefixes.
  case outOfScope(kid: String, gtin: String, prefixes: [String])
  /// A record of a kind the issuer is not trusted to sign.
  case notTrustedFor(kid: String, role: IssuerRole)

  public var description: String {
    switch self {
    case .unknownIssuer(let kid): "issuer \(kid) is not in the trust list"
    case .revoked(let kid, nil): "issuer \(kid) has been revoked"
    case .revoked(let kid, let from?):
      "issuer \(kid) was revoked from \(from.text), and this was signed after that"
    case .notYetValid(let kid, let from): "issuer \(kid) is trusted only from \(from)"
    case .expired(let kid, let until): "issuer \(kid) was trusted only until \(until)"
    case .badSignature(let kid): "the signature does not verify with issuer \(kid)'s key"
    case .outOfScope(let kid, let gtin, let prefixes):
      "issuer \(kid) may sign only for company prefix\(prefixes.count == 1 ? "" : "es") "
        + "\(prefixes.joined(separator: ", ")), and GTIN \(gtin) is outside "
        + (prefixes.count == 1 ? "it" : "them")
    case .notTrustedFor(let kid, let role):
      "issuer \(kid) is not trusted for \(role.rawValue) (its trust-list entry's roles)"
    }
  }
}

/// The issuers a verifier trusts: a JSON document that can be exported, sent and imported,
/// so that records and signed links can be checked offline. A list can be signed by a root
/// key (``TrustListSignature``), so that it can be passed on by anyone.
public struct TrustList: Hashable, Sendable {
  /// Entries by kid.
  public private(set) var issuers: [String: TrustedIssuer]
  /// The root's signature, when the list was read signed; any change drops it.
  public private(set) var signature: TrustListSignature?

  /// Creates a list.
  public init(_ issuers: [TrustedIssuer] = []) {
    self.issuers = Dictionary(issuers.map { ($0.kid, $0) }, uniquingKeysWith: { $1 })
  }

  /// Checks that `signature` over `message` is by a trusted issuer `kid` valid at `time`.
  public func check(
    kid: String, signature: [UInt8], message: [UInt8], at time: Timestamp,
    verified: Bool? = nil
  ) -> TrustProblem? {
    guard let issuer = issuers[kid] else { return .unknownIssuer(kid: kid) }
    if issuer.revoked {
      guard let from = issuer.revokedFrom else { return .revoked(kid: kid, from: nil) }
      if from <= time { return .revoked(kid: kid, from: from) }
    }
    if time < issuer.validFrom { return .notYetValid(kid: kid, from: issuer.validFrom) }
    if let until = issuer.validUntil, until < time { return .expired(kid: kid, until: until) }
    let good = verified ?? issuer.verifies(signature, of: message)
    return good ? nil : .badSignature(kid: kid)
  }

  /// Whether issuer `kid` is in the list and trusted for `role` (its validity is checked
  /// with its signature, by ``check(kid:signature:message:at:)``).
  public func trusts(_ kid: String, for role: IssuerRole) -> Bool {
    issuers[kid]?.roles.contains(role) ?? false
  }

  /// Adds an entry, or replaces the one with its kid.
  public mutating func set(_ issuer: TrustedIssuer) {
    issuers[issuer.kid] = issuer
    signature = nil
  }

  /// Adds or replaces entries from `other`. A kid whose public key differs is refused; a
  /// revocation is kept even if `other` does not carry it (the earlier of two effective
  /// dates wins). An entry's scope (prefixes and roles) is the incoming one.
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
        let revoked = existing.revoked || incoming.revoked
        let from: Timestamp? =
          switch (existing.revoked ? existing.revokedFrom : nil, incoming.revoked, existing.revoked)
          {
          case (_, false, true): existing.revokedFrom
          case (_, true, false): incoming.revokedFrom
          case (let here?, true, true): incoming.revokedFrom.map { min($0, here) }
          default: nil
          }
        let scope = kid == ownIssuer ? existing : incoming
        issuers[kid] = TrustedIssuer(
          kid: kid, name: incoming.name, publicKey: incoming.publicKey,
          validFrom: incoming.validFrom, validUntil: incoming.validUntil,
          revoked: revoked, revokedFrom: from, prefixes: scope.prefixes, roles: scope.roles)
      } else {
        issuers[kid] = incoming
      }
    }
    if other.issuers.isEmpty == false { signature = nil }
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

  struct Document: Codable {
    var format = "ocop-trace trust list"
    var version: Int
    var issuers: [Entry]
    var signed: Signed?
  }

  struct Entry: Codable {
    var kid: String
    var name: String
    var publicKey: String
    var validFrom: String
    var validUntil: String?
    var revoked: Bool
    var revokedFrom: String?
    var prefixes: [String]?
    var roles: [String]?
  }

  struct Signed: Codable {
    var root: String
    var rootName: String
    var sequence: Int64
    var issuedAt: String
    var expires: String
    var signature: String
  }

  /// The entries as the signature covers them: canonical, ordered by kid.
  var signedEntries: CanonicalJSON {
    .array(issuers.values.sorted { $0.kid < $1.kid }.map(\.json))
  }

  /// The SHA-256 (hex) of the canonical entries: what a check made against this list
  /// depends on, whatever file or signature the list came in.
  public var fingerprint: String { ByteText.sha256Hex(signedEntries.encoded()) }

  /// The JSON document, issuers ordered by kid. A list whose entries use no scope, dated
  /// revocation or signature is written as version 1, which older readers know; otherwise
  /// version 2, which they refuse rather than read without its limits.
  public func json() -> Data {
    let entries = issuers.values.sorted { $0.kid < $1.kid }.map {
      Entry(
        kid: $0.kid, name: $0.name, publicKey: Data($0.publicKey).base64EncodedString(),
        validFrom: $0.validFrom.text, validUntil: $0.validUntil?.text, revoked: $0.revoked,
        revokedFrom: $0.revokedFrom?.text, prefixes: $0.prefixes.isEmpty ? nil : $0.prefixes,
        roles: $0.roles == Set(IssuerRole.allCases) ? nil : $0.roles.sorted().map(\.rawValue))
    }
    let plain = entries.allSatisfy {
      $0.revokedFrom == nil && $0.prefixes == nil && $0.roles == nil
    }
    let signed = signature.map {
      Signed(
        root: $0.root, rootName: $0.rootName, sequence: $0.sequence, issuedAt: $0.issuedAt.text,
        expires: $0.expires.text, signature: Data($0.bytes).base64EncodedString())
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let document = Document(
      version: plain && signed == nil ? 1 : 2, issuers: entries, signed: signed)
    return (try? encoder.encode(document)) ?? Data()
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

  /// Reads a JSON document, checking every entry's key and kid (and, if the list is
  /// signed, that the signature's fields are well formed: whether it verifies is
  /// ``TrustListSignature/check(_:anchors:now:lastSequence:)``'s question).
  public init(json data: Data) throws(TraceError) {
    let document: Document
    do { document = try JSONDecoder().decode(Document.self, from: data) } catch {
      throw .malformed(
        what: "trust list",
        reason: "is not an ocop-trace trust list (\(JSONProblem.describe(error)))")
    }
    guard document.format == "ocop-trace trust list", (1...2).contains(document.version) else {
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
      var roles = Set(IssuerRole.allCases)
      if let names = entry.roles {
        roles = []
        for name in names {
          guard let role = IssuerRole(rawValue: name) else {
            throw .malformed(
              what: "trust list",
              reason: "issuer \(entry.kid): role \"\(name)\" is not one of batches, ratings")
          }
          roles.insert(role)
        }
        guard !roles.isEmpty else {
          throw .malformed(what: "trust list", reason: "issuer \(entry.kid) has no roles")
        }
      }
      var prefixes: [String] = []
      for prefix in entry.prefixes ?? [] {
        do { prefixes.append(try TrustedIssuer.checkedPrefix(prefix)) } catch {
          throw .malformed(what: "trust list", reason: "issuer \(entry.kid): \(error)")
        }
      }
      issuers.append(
        TrustedIssuer(
          kid: entry.kid, name: entry.name, publicKey: Array(key),
          validFrom: try Timestamp(entry.validFrom),
          validUntil: try entry.validUntil.map { text throws(TraceError) in try Timestamp(text) },
          revoked: entry.revoked,
          revokedFrom: try entry.revokedFrom.map { text throws(TraceError) in try Timestamp(text) },
          prefixes: prefixes, roles: roles))
    }
    self.init(issuers)
    if let signed = document.signed {
      guard let bytes = Data(base64Encoded: signed.signature), bytes.count == 64 else {
        throw .malformed(what: "trust list", reason: "its signature is not 64 bytes of base64")
      }
      signature = TrustListSignature(
        root: signed.root, rootName: signed.rootName, sequence: signed.sequence,
        issuedAt: try Timestamp(signed.issuedAt), expires: try Timestamp(signed.expires),
        bytes: Array(bytes))
    }
  }

  /// This list, signed by `root` as list number `sequence`, issued at `issuedAt` and
  /// valid until `expires`.
  public func signed(
    by root: IssuerKey, sequence: Int64, issuedAt: Timestamp, expires: Timestamp
  ) throws(TraceError) -> TrustList {
    guard issuedAt < expires else {
      throw .invalidField(
        record: "signed trust list", field: "expires", value: expires.text,
        reason: "must be after the moment it is signed (\(issuedAt.text))")
    }
    guard sequence >= 1 else {
      throw .invalidField(
        record: "signed trust list", field: "sequence", value: String(sequence),
        reason: "must be 1 or more")
    }
    var unsigned = self
    unsigned.signature = nil
    let message = TrustListSignature.message(
      entries: unsigned.signedEntries, root: root.kid, rootName: root.name, sequence: sequence,
      issuedAt: issuedAt, expires: expires)
    var list = unsigned
    list.signature = TrustListSignature(
      root: root.kid, rootName: root.name, sequence: sequence, issuedAt: issuedAt,
      expires: expires, bytes: try root.sign(message))
    return list
  }
}

/// A root's signature over a whole trust list: who signed it, its number in the root's
/// series (a later list has a higher one) and how long it may be used.
public struct TrustListSignature: Hashable, Sendable {
  /// The root key's kid.
  public let root: String
  /// The root's name, as it signed it.
  public let rootName: String
  /// The list's number in the root's series.
  public let sequence: Int64
  /// When it was signed.
  public let issuedAt: Timestamp
  /// The last moment it may be used.
  public let expires: Timestamp
  /// The Ed25519 signature.
  public let bytes: [UInt8]

  /// The prefix that separates trust-list signatures from every other use of a key.
  static let prefix = Array("ocop-trace trust list v1\n".utf8)

  /// The bytes a root signs: the canonical JSON of the entries and the signature's fields.
  static func message(
    entries: CanonicalJSON, root: String, rootName: String, sequence: Int64, issuedAt: Timestamp,
    expires: Timestamp
  ) -> [UInt8] {
    prefix
      + CanonicalJSON.object([
        "issuers": entries, "root": .string(root), "rootName": .string(rootName),
        "sequence": .integer(sequence), "issuedAt": .string(issuedAt.text),
        "expires": .string(expires.text),
      ]).encoded()
  }

  /// Checks `list`'s signature: made by one of `anchors`, not expired at `now`, and not
  /// older than the list numbered `lastSequence` that was accepted before from the same
  /// root. Returns the signature; errors say which check failed.
  public static func check(
    _ list: TrustList, anchors: [TrustAnchor], now: Timestamp, lastSequence: Int64?
  ) throws(TraceError) -> TrustListSignature {
    guard let signature = list.signature else {
      throw .malformed(
        what: "trust list",
        reason:
          "is not signed, and a trust anchor is set: only a list signed by an anchor is accepted"
      )
    }
    guard let anchor = anchors.first(where: { $0.kid == signature.root }) else {
      let held = anchors.map(\.kid).joined(separator: ", ")
      throw .malformed(
        what: "trust list",
        reason:
          "is signed by root \(signature.root) (\(signature.rootName)), which is not a trust anchor here (anchors: \(held.isEmpty ? "none" : held))"
      )
    }
    let message = Self.message(
      entries: list.signedEntries, root: signature.root, rootName: signature.rootName,
      sequence: signature.sequence, issuedAt: signature.issuedAt, expires: signature.expires)
    guard anchor.verifies(signature.bytes, of: message) else {
      throw .malformed(
        what: "trust list",
        reason:
          "its signature does not verify with root \(anchor.kid)'s key: it was changed after signing"
      )
    }
    guard now <= signature.expires else {
      throw .malformed(
        what: "trust list",
        reason:
          "list \(signature.sequence) of root \(anchor.kid) expired at \(signature.expires.text); ask for a newer one"
      )
    }
    if let lastSequence, signature.sequence < lastSequence {
      throw .malformed(
        what: "trust list",
        reason:
          "is list \(signature.sequence) of root \(anchor.kid), older than list \(lastSequence) accepted before: an old list replayed"
      )
    }
    return signature
  }
}

/// A root key a verifier holds, to check signed trust lists with: its public part only.
public struct TrustAnchor: Hashable, Sendable {
  /// The root's kid.
  public let kid: String
  /// Its name.
  public let name: String
  /// The Ed25519 public key.
  public let publicKey: [UInt8]

  /// The anchor of a root key.
  public init(_ root: IssuerKey) {
    kid = root.kid
    name = root.name
    publicKey = root.publicKey
  }

  /// An anchor from its parts; the kid must match the key.
  public init(kid: String, name: String, publicKey: [UInt8]) throws(TraceError) {
    guard publicKey.count == 32, IssuerKey.kid(of: publicKey) == kid else {
      throw .malformed(what: "trust anchor \(kid)", reason: "its public key does not match its kid")
    }
    self.kid = kid
    self.name = name
    self.publicKey = publicKey
  }

  /// Whether `signature` over `message` is the root's.
  func verifies(_ signature: [UInt8], of message: [UInt8]) -> Bool {
    guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else {
      return false
    }
    return key.isValidSignature(signature, for: message)
  }

  private struct Document: Codable {
    var format = "ocop-trace trust anchor"
    var version = 1
    var kid: String
    var name: String
    var publicKey: String
  }

  /// The anchor file's JSON.
  public func json() -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let document = Document(
      kid: kid, name: name, publicKey: Data(publicKey).base64EncodedString())
    return (try? encoder.encode(document)) ?? Data()
  }

  /// Reads an anchor file; errors name the file.
  public init(path: String) throws(TraceError) {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .malformed(what: "trust anchor \(path)", reason: "does not exist or cannot be read")
    }
    guard let document = try? JSONDecoder().decode(Document.self, from: data),
      document.format == "ocop-trace trust anchor", document.version == 1,
      let key = Data(base64Encoded: document.publicKey)
    else {
      throw .malformed(
        what: "trust anchor \(path)",
        reason: "is not an ocop-trace trust anchor (write one with `ocop keys root`)")
    }
    do {
      try self.init(kid: document.kid, name: document.name, publicKey: Array(key))
    } catch {
      throw .malformed(
        what: "trust anchor \(path)", reason: "its public key does not match its kid")
    }
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
