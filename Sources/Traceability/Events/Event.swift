import Crypto

/// What an event records. The current state of every record is derived from these.
public enum EventKind: String, CaseIterable, Sendable {
  case producerRegistered = "producer-registered"
  case productRegistered = "product-registered"
  /// A certificate change: an OCOP rating decision.
  case ratingRecorded = "rating-recorded"
  /// A batch issued (lot commissioned).
  case commissioning
  /// Input lots made into an output lot.
  case transformation
  /// A print run's serial range under a lot.
  case serialsAllocated = "serials-allocated"
  case shipping
  case receiving
  case recall
  /// A recall lifted (the lot was found sound): the recall stays on record beside it.
  case recallWithdrawn = "recall-withdrawn"
  /// A step of a lot's production (harvest, processing, packing…) at its own time and place.
  case stageRecorded = "stage-recorded"
  /// Another log's event, taken in with its own signature (``Event/carried()``).
  case imported
}

/// One entry of the append-only, hash-chained, signed event log.
///
/// Its ``body`` is canonical JSON (see ``CanonicalJSON``):
/// `{"at":…,"data":{…},"kid":…,"kind":…,"prev":…,"seq":…,"v":1}`, where `prev` is the
/// hex ``hash`` of the event before it (64 zeros for the first). ``hash`` is the SHA-256 of
/// the body, so the chain of bodies can be built before any of them is signed, and signed
/// in parallel. The issuer signs ``signedMessage``, the body behind a domain-separation
/// prefix; a changed body breaks both its signature and the next event's link, and a
/// changed signature does not verify.
public struct Event: Sendable, Equatable {
  /// The canonical body bytes, exactly as signed.
  public let body: [UInt8]
  /// The Ed25519 signature of ``signedMessage``.
  public let signature: [UInt8]
  /// Position in the log, from 1.
  public let sequence: Int64
  /// What it records.
  public let kind: EventKind
  /// When it was recorded.
  public let recordedAt: Timestamp
  /// The signing issuer's key id.
  public let kid: String
  /// The hash of the event before it.
  public let previousHash: [UInt8]
  /// The record data.
  public let data: CanonicalJSON

  /// The prefix that separates event signatures from every other use of the key.
  public static let signaturePrefix = Array("ocop-trace event v1\n".utf8)

  /// The hash of the empty log: what the first event's `prev` holds.
  public static let genesisHash = [UInt8](repeating: 0, count: 32)

  /// The bytes the issuer signs.
  public var signedMessage: [UInt8] { Self.signaturePrefix + body }

  /// SHA-256 of the body: what the next event's `prev` holds.
  public var hash: [UInt8] { Self.hash(body: body) }

  static func hash(body: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: body)) }

  /// The canonical body of the event that follows `previousHash` at `sequence`: the same
  /// bytes as encoding the whole object, with the fixed outer members written directly
  /// in their sorted order (at, data, kid, kind, prev, seq, v).
  static func body(
    sequence: Int64, kind: EventKind, data: CanonicalJSON, at time: Timestamp, kid: String,
    previousHash: [UInt8]
  ) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(1024)
    out.append(contentsOf: #"{"at":""#.utf8)
    out.append(contentsOf: time.text.utf8)
    out.append(contentsOf: #"","data":"#.utf8)
    data.encode(into: &out)
    out.append(contentsOf: #","kid":"#.utf8)
    CanonicalJSON.string(kid).encode(into: &out)
    out.append(contentsOf: #","kind":""#.utf8)
    out.append(contentsOf: kind.rawValue.utf8)
    out.append(contentsOf: #"","prev":""#.utf8)
    out.append(contentsOf: ByteText.hex(previousHash).utf8)
    out.append(contentsOf: #"","seq":"#.utf8)
    out.append(contentsOf: String(sequence).utf8)
    out.append(contentsOf: #","v":1}"#.utf8)
    return out
  }

  /// Makes and signs the event that follows `previousHash` at `sequence`.
  public static func make(
    sequence: Int64, kind: EventKind, data: CanonicalJSON, at time: Timestamp,
    previousHash: [UInt8], signer: IssuerKey
  ) throws(TraceError) -> Event {
    let kid = signer.kid
    let body = body(
      sequence: sequence, kind: kind, data: data, at: time, kid: kid, previousHash: previousHash)
    let signature = try signer.sign(signaturePrefix + body)
    return Event(
      body: body, signature: signature, sequence: sequence, kind: kind, recordedAt: time, kid: kid,
      previousHash: previousHash, data: data)
  }

  /// Reads an event from its stored body and signature. Throws if the body breaks the
  /// canonical grammar or lacks a field; the signature (which fixes every byte) and the
  /// chain are checked by the audit.
  public init(body: [UInt8], signature: [UInt8]) throws(TraceError) {
    let json: CanonicalJSON
    do { json = try CanonicalJSON(strict: body) } catch {
      throw .malformed(what: "event body", reason: error.description)
    }
    guard json["v"]?.integerValue == 1 else {
      throw .malformed(what: "event body", reason: "unsupported version")
    }
    guard let kind = EventKind(rawValue: try Field.string(json, "kind")) else {
      throw .malformed(what: "event body", reason: "unknown kind")
    }
    guard let previous = ByteText.bytes(hex: try Field.string(json, "prev")), previous.count == 32
    else { throw .malformed(what: "event body", reason: "prev is not a SHA-256 hash") }
    self.init(
      body: body, signature: signature, sequence: try Field.integer(json, "seq"), kind: kind,
      recordedAt: try Timestamp(Field.string(json, "at")), kid: try Field.string(json, "kid"),
      previousHash: previous, data: try Field.object(json, "data"))
  }

  private init(
    body: [UInt8], signature: [UInt8], sequence: Int64, kind: EventKind, recordedAt: Timestamp,
    kid: String, previousHash: [UInt8], data: CanonicalJSON
  ) {
    self.body = body
    self.signature = signature
    self.sequence = sequence
    self.kind = kind
    self.recordedAt = recordedAt
    self.kid = kid
    self.previousHash = previousHash
    self.data = data
  }
}
