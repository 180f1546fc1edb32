import Foundation

/// Where an audit that passed stopped: the head it reached, and what it needs to carry on
/// from there without reading the events before it (this store's own log's name, and how
/// far each other log taken in had come).
///
/// An audit ``TraceStore/audit(trustList:since:)`` from a checkpoint checks that the
/// checkpoint's event is still there with its hash, then every event after it and every
/// derived row those events made, as the whole audit would. What came before the
/// checkpoint is not read again: that is the whole audit's work, which stays the default.
public struct AuditCheckpoint: Hashable, Sendable {
  /// How far another log taken in had come: its last event's place there and hash (hex).
  public struct LogHead: Hashable, Sendable {
    public let sequence: Int64
    public let hash: String

    public init(sequence: Int64, hash: String) {
      self.sequence = sequence
      self.hash = hash
    }
  }

  /// The last event checked (0: none).
  public let sequence: Int64
  /// Its hash (hex; the genesis hash for none).
  public let hash: String
  /// This store's own log's name: its first event's hash (nil for an empty log).
  public let log: String?
  /// Every other log taken in, by name.
  public let logs: [String: LogHead]

  public init(sequence: Int64, hash: String, log: String?, logs: [String: LogHead]) {
    self.sequence = sequence
    self.hash = hash.lowercased()
    self.log = log
    self.logs = logs
  }

  /// Its members as JSON (without who audited it, when, or a signature).
  public var json: CanonicalJSON {
    .object([
      "head": .object(["seq": .integer(sequence), "hash": .string(hash)]),
      "log": log.map(CanonicalJSON.string) ?? .null,
      "logs": .array(
        logs.keys.sorted().map { name in
          .object([
            "log": .string(name), "seq": .integer(logs[name]!.sequence),
            "hash": .string(logs[name]!.hash),
          ])
        }),
    ])
  }

  /// Reads ``json``; nil when a member is missing or of the wrong kind.
  public init?(json: CanonicalJSON) {
    guard let head = json["head"], let sequence = head["seq"]?.integerValue, sequence >= 0,
      let hash = head["hash"]?.stringValue, ByteText.bytes(hex: hash)?.count == 32,
      let entries = json["logs"]?.arrayValue
    else { return nil }
    var logs: [String: LogHead] = [:]
    for entry in entries {
      guard let name = entry["log"]?.stringValue, let place = entry["seq"]?.integerValue,
        let last = entry["hash"]?.stringValue, ByteText.bytes(hex: last)?.count == 32
      else { return nil }
      logs[name] = LogHead(sequence: place, hash: last)
    }
    self.init(sequence: sequence, hash: hash, log: json["log"]?.stringValue, logs: logs)
  }
}

/// A checkpoint signed by the issuer whose audit reached it: the file `ocop audit
/// --checkpoint` writes and `ocop audit --since` reads.
///
/// ```
/// {"auditedAt": "…", "checkpoint": {"head": {"hash": "…", "seq": N}, "log": "…",
///  "logs": [{"hash": "…", "log": "…", "seq": N}, …]}, "format": "ocop-trace audit
///  checkpoint v1", "from": 0, "kid": "…", "signature": "<base64>"}
/// ```
///
/// `from` is where the audit that reached it began: 0 for a whole audit, else the
/// checkpoint it carried on from. The signature covers every other member, after the
/// line `ocop-trace audit checkpoint v1`.
public struct SignedCheckpoint: Hashable, Sendable {
  public static let format = "ocop-trace audit checkpoint v1"

  public let checkpoint: AuditCheckpoint
  /// When the audit that reached it ended.
  public let auditedAt: Timestamp
  /// Where that audit began (0: the whole log).
  public let from: Int64
  /// The issuer who signed it.
  public let kid: String
  /// The Ed25519 signature.
  public let signature: [UInt8]

  /// `checkpoint`, reached by an audit that began after event `from`, signed by `key` now.
  public init(_ checkpoint: AuditCheckpoint, from: Int64, signedBy key: IssuerKey)
    throws(TraceError)
  {
    self.checkpoint = checkpoint
    self.from = from
    auditedAt = Timestamp.now()
    kid = key.kid
    signature = try key.sign(
      Self.message(checkpoint, from: from, auditedAt: auditedAt, kid: key.kid))
  }

  /// The bytes signed.
  static func message(_ checkpoint: AuditCheckpoint, from: Int64, auditedAt: Timestamp, kid: String)
    -> [UInt8]
  {
    Array("\(format)\n".utf8)
      + unsigned(checkpoint, from: from, auditedAt: auditedAt, kid: kid)
      .encoded()
  }

  private static func unsigned(
    _ checkpoint: AuditCheckpoint, from: Int64, auditedAt: Timestamp, kid: String
  ) -> CanonicalJSON {
    .object([
      "auditedAt": .string(auditedAt.text), "checkpoint": checkpoint.json,
      "format": .string(format), "from": .integer(from), "kid": .string(kid),
    ])
  }

  /// The file's bytes: canonical JSON.
  public var encoded: [UInt8] {
    guard
      case .object(var members) = Self.unsigned(
        checkpoint, from: from, auditedAt: auditedAt, kid: kid)
    else { return [] }
    members.insert("signature", .string(Data(signature).base64EncodedString()))
    return CanonicalJSON.object(members).encoded()
  }

  /// Reads a checkpoint file at `path` and checks its signature against `trustList`: made
  /// by an issuer it holds, valid when the audit ended.
  public init(path: String, trustList: TrustList) throws(TraceError) {
    func refuse(_ reason: String) -> TraceError {
      .malformed(what: "checkpoint \(path)", reason: reason)
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw refuse("does not exist or cannot be read")
    }
    let document: CanonicalJSON
    do { document = try CanonicalJSON(canonical: Array(data)) } catch {
      throw refuse("is not canonical JSON (\(error))")
    }
    guard document["format"]?.stringValue == Self.format else {
      throw refuse("is not an \(Self.format) file")
    }
    guard let body = document["checkpoint"], let checkpoint = AuditCheckpoint(json: body),
      let text = document["auditedAt"]?.stringValue, let auditedAt = try? Timestamp(text),
      let from = document["from"]?.integerValue, let kid = document["kid"]?.stringValue,
      let encoded = document["signature"]?.stringValue,
      let signature = Data(base64Encoded: encoded), signature.count == 64
    else { throw refuse("lacks a member or has one of the wrong kind") }
    if let problem = trustList.check(
      kid: kid, signature: Array(signature),
      message: Self.message(checkpoint, from: from, auditedAt: auditedAt, kid: kid),
      at: auditedAt)
    {
      throw refuse("its signature is refused: \(problem)")
    }
    self.checkpoint = checkpoint
    self.auditedAt = auditedAt
    self.from = from
    self.kid = kid
    self.signature = Array(signature)
  }
}
