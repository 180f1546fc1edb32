import Foundation

/// Another log's event as this store keeps it: an `imported` event whose data is
/// `{"body": "<the event's canonical body, as text>", "log": "<hex>", "signature": "<base64>"}`.
///
/// A log is named by the hex SHA-256 of its first event's body, so a producer's log has one
/// name wherever it is taken in. The event keeps its issuer's signature: every store and
/// every verifier that holds it checks it against its own trust list.
extension Event {
  /// The name of the log whose first event this is: its hash, hex.
  public var logName: String { ByteText.hex(hash) }

  /// The data of an `imported` event that carries `event`, of log `log`.
  static func importData(log: String, event: Event) -> CanonicalJSON {
    .object([
      "log": .string(log), "body": .string(String(decoding: event.body, as: UTF8.self)),
      "signature": .string(Data(event.signature).base64EncodedString()),
    ])
  }

  /// The event an `imported` event's data carries, and the log it belongs to.
  static func carried(by data: CanonicalJSON) throws(TraceError) -> (log: String, event: Event) {
    let log = try Field.string(data, "log")
    guard log.utf8.count == 64, ByteText.bytes(hex: log) != nil else {
      throw .malformed(what: "imported event", reason: "its log name is not a SHA-256 hash")
    }
    guard let signature = Data(base64Encoded: try Field.string(data, "signature")),
      signature.count == 64
    else { throw .malformed(what: "imported event", reason: "its signature is not 64 bytes") }
    let event = try Event(
      body: Array(try Field.string(data, "body").utf8), signature: Array(signature))
    return (log, event)
  }

  /// For an `imported` event, the event it carries and that event's log; nil for any other.
  public func carried() throws(TraceError) -> (log: String, event: Event)? {
    guard kind == .imported else { return nil }
    return try Self.carried(by: data)
  }

  /// The events this one carries, outermost first: for an import of an import, both.
  public func carriedChain() throws(TraceError) -> [(log: String, event: Event)] {
    var chain: [(log: String, event: Event)] = []
    var current = self
    while let next = try current.carried() {
      guard chain.count < 8 else {
        throw .malformed(what: "imported event", reason: "imports are nested more than 8 deep")
      }
      chain.append(next)
      current = next.event
    }
    return chain
  }

  /// The event whose records this one brings (itself, or the event an import carries) and
  /// so the issuer who vouches for them; nil for an import of an import, which brings no
  /// records (they came with the import of the innermost event).
  public func recordBearing() throws(TraceError) -> Event? {
    guard let (_, inner) = try carried() else { return self }
    return inner.kind == .imported ? nil : inner
  }
}
