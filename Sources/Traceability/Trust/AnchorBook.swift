import Foundation

/// The trust anchors a verifier holds, and the newest list it has accepted from each: a
/// small JSON file, so that a signed trust list older than one seen before is refused as a
/// replay however it arrives.
///
/// ```
/// {"format": "ocop-trace trust anchors", "version": 1,
///  "anchors": [{"kid": …, "name": …, "publicKey": …}], "seen": {"<root kid>": 7}}
/// ```
public struct AnchorBook: Hashable, Sendable {
  /// The anchors, by kid.
  public private(set) var anchors: [String: TrustAnchor]
  /// The highest list number accepted from each root.
  public private(set) var seen: [String: Int64]

  /// An empty book.
  public init() {
    anchors = [:]
    seen = [:]
  }

  /// Adds an anchor (replacing one with its kid).
  public mutating func add(_ anchor: TrustAnchor) { anchors[anchor.kid] = anchor }

  /// Notes that list `sequence` of root `kid` was accepted.
  public mutating func accepted(_ signature: TrustListSignature) {
    seen[signature.root] = max(seen[signature.root] ?? 0, signature.sequence)
  }

  /// Checks `list` against these anchors (and `extra` ones given for this run): see
  /// ``TrustListSignature/check(_:anchors:now:lastSequence:)``.
  public func check(_ list: TrustList, extra: [TrustAnchor] = [], now: Timestamp)
    throws(TraceError) -> TrustListSignature
  {
    let all = Array(anchors.values) + extra.filter { anchors[$0.kid] == nil }
    let root = list.signature?.root ?? ""
    return try TrustListSignature.check(list, anchors: all, now: now, lastSequence: seen[root])
  }

  private struct Document: Codable {
    var format = "ocop-trace trust anchors"
    var version = 1
    var anchors: [Entry]
    var seen: [String: Int64]
  }

  private struct Entry: Codable {
    var kid: String
    var name: String
    var publicKey: String
  }

  /// Reads the book at `path`; a missing file is an empty book.
  public init(path: String) throws(TraceError) {
    self.init()
    guard FileManager.default.fileExists(atPath: path) else { return }
    guard let data = FileManager.default.contents(atPath: path),
      let document = try? JSONDecoder().decode(Document.self, from: data),
      document.format == "ocop-trace trust anchors", document.version == 1
    else {
      throw .malformed(what: "trust anchors \(path)", reason: "is not an ocop-trace anchor file")
    }
    for entry in document.anchors {
      guard let key = Data(base64Encoded: entry.publicKey) else {
        throw .malformed(what: "trust anchors \(path)", reason: "anchor \(entry.kid) has no key")
      }
      add(try TrustAnchor(kid: entry.kid, name: entry.name, publicKey: Array(key)))
    }
    seen = document.seen
  }

  /// Writes the book to `path`, whole or not at all.
  public func write(to path: String) throws(TraceError) {
    let document = Document(
      anchors: anchors.values.sorted { $0.kid < $1.kid }.map {
        Entry(kid: $0.kid, name: $0.name, publicKey: Data($0.publicKey).base64EncodedString())
      }, seen: seen)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(document) else {
      throw .file(path: path, reason: "could not encode the anchors")
    }
    let folder = (path as NSString).deletingLastPathComponent
    if !folder.isEmpty {
      try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    try NewFile.replace(data, at: path, mode: 0o644)
  }
}
