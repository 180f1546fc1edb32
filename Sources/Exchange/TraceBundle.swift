import Foundation
import GS1
import TraceStoreSQLite
import Traceability

/// A signed bundle: a store's whole event log with every signature, the records derived
/// from it, and the issuer's trust-list entry, in one JSON file that a retailer or an
/// inspector checks offline against their own trust list.
///
/// ```
/// {"format": "ocop-trace bundle v1", "exportedAt": "…", "issuer": {trust-list entry},
///  "head": {"seq": N, "hash": "hex"},
///  "events": [{"seq": 1, "body": "<the canonical body, as text>",
///              "signature": "<base64>"}, …],
///  "records": {"producers": […], "products": […], "batches": […], "recalls": […]}}
/// ```
///
/// Reading one replays the events into a private store and audits it: every body
/// canonical, every `prev` the hash of the event before, every signature made by an issuer
/// the reader's trust list accepts at that time; and the records must be exactly those the
/// events imply. The issuer entry inside the bundle is information, never trust.
public enum TraceBundle {
  public static let format = "ocop-trace bundle v1"

  /// The bundle of `store`, whose events `issuer` signed. Its events and records are read
  /// in one snapshot (``TraceStore/snapshot(_:)``), so a write committed while it is made
  /// is in both or in neither.
  ///
  /// `issuers` lists the trust-list entries of every issuer whose signature the bundle
  /// carries (its own, and those of the producers whose logs it took in), with their
  /// scope: information for the reader, never trust.
  public static func export(
    _ store: any TraceStore, issuer: TrustedIssuer, trustList: TrustList = TrustList()
  ) async throws(TraceError) -> [UInt8] {
    try await store.snapshot { snapshot in
      let events = try snapshot.events()
      let head = events.last
      var signers: Set<String> = [issuer.kid]
      for event in events {
        signers.insert(event.kid)
        for (_, inner) in try event.carriedChain() { signers.insert(inner.kid) }
      }
      let entries = signers.sorted().compactMap { trustList.issuers[$0]?.json }
      let bundle = CanonicalJSON.object([
        "format": .string(format), "exportedAt": .string(Timestamp.now().text),
        "issuer": issuer.json, "issuers": .array(entries),
        "head": .object([
          "seq": .integer(head?.sequence ?? 0),
          "hash": .string(ByteText.hex(head?.hash ?? Event.genesisHash)),
        ]),
        "events": .array(
          events.map {
            .object([
              "seq": .integer($0.sequence),
              "body": .string(String(decoding: $0.body, as: UTF8.self)),
              "signature": .string(Data($0.signature).base64EncodedString()),
            ])
          }),
        "records": try records(snapshot),
      ])
      return bundle.encoded()
    }
  }

  /// A bundle's JSON, its events read (each body's grammar, not yet its signature) and
  /// checked to run 1, 2, 3… with nothing missing or moved.
  struct Parsed {
    let root: [String: Any]
    let events: [Event]
    let headSequence: Int
    let headHash: String
    /// When it was exported, as it says.
    let exportedAt: Timestamp?
  }

  /// Reads a bundle's bytes; `path` names it in errors.
  static func parse(_ bytes: [UInt8], path: String) throws(TraceError) -> Parsed {
    func refuse(_ reason: String) -> TraceError {
      .malformed(what: "bundle \(path)", reason: reason)
    }
    guard let root = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
      throw refuse("is not JSON (cut short or damaged?)")
    }
    guard root["format"] as? String == TraceBundle.format else {
      throw refuse("is not an \(TraceBundle.format) file")
    }
    guard let entries = root["events"] as? [[String: Any]],
      let head = root["head"] as? [String: Any],
      let headSequence = head["seq"] as? Int, let headHash = head["hash"] as? String
    else { throw refuse("has no events or head") }
    var events: [Event] = []
    events.reserveCapacity(entries.count)
    for (index, entry) in entries.enumerated() {
      guard let body = entry["body"] as? String, let signatureText = entry["signature"] as? String,
        let signature = Data(base64Encoded: signatureText)
      else { throw refuse("event \(index + 1) has no body or signature") }
      do {
        events.append(try Event(body: Array(body.utf8), signature: Array(signature)))
      } catch {
        throw refuse("event \(index + 1): \(error)")
      }
    }
    // The log must run 1, 2, 3… with nothing missing or moved before it is replayed.
    for (index, event) in events.enumerated() where event.sequence != Int64(index + 1) {
      let expected = Int64(index + 1)
      if events[index...].contains(where: { $0.sequence == expected }) {
        throw refuse(
          "events have been moved: event \(event.sequence) stands where event \(expected) should")
      }
      if event.sequence > expected {
        throw refuse(
          "event \(index + 1) is missing: the log jumps from event \(index) to event \(event.sequence)"
        )
      }
      throw refuse(
        "event \(event.sequence) is out of place: it stands where event \(index + 1) should")
    }
    let exportedAt = (root["exportedAt"] as? String).flatMap { try? Timestamp($0) }
    return Parsed(
      root: root, events: events, headSequence: headSequence, headHash: headHash,
      exportedAt: exportedAt)
  }

  /// A bundle's events, checked to be one whole log in order (not yet their signatures:
  /// ``TraceStore/importLog(_:trustList:)`` checks those), and when it was exported.
  public static func events(path: String) throws(TraceError) -> (
    events: [Event], exportedAt: Timestamp?
  ) {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .malformed(what: "bundle \(path)", reason: "does not exist or cannot be read")
    }
    let parsed = try parse(Array(data), path: path)
    return (parsed.events, parsed.exportedAt)
  }

  /// The records a store holds, as the bundle lists them, read in one snapshot.
  public static func records(_ store: any TraceStore) async throws(TraceError) -> CanonicalJSON {
    try await store.snapshot { try records($0) }
  }

  /// The records of one snapshot, as the bundle lists them.
  public static func records(_ snapshot: TraceSnapshot) throws -> CanonicalJSON {
    var products: [CanonicalJSON] = []
    var batches: [CanonicalJSON] = []
    for product in try snapshot.products() {
      let history = try snapshot.ratingHistory(product.gtin)
      products.append(
        .object(["product": product.json, "ratings": .array(history.entries.map(\.json))]))
      for batch in try snapshot.batches(of: product.gtin) {
        let ranges = try snapshot.serialRanges(batch.lot)
        batches.append(
          .object([
            "batch": batch.json,
            "serialRanges": .array(
              ranges.map {
                .object([
                  "first": .integer($0.first), "last": .integer($0.last),
                  "run": $0.printRun.map(CanonicalJSON.string) ?? .null,
                ])
              }),
            "movements": .array(
              try snapshot.movements(batch.lot).map {
                .object([
                  "party": .string($0.party), "date": .string($0.date.iso),
                  "gln": $0.gln.map { .string($0.digits) } ?? .null,
                ])
              }),
          ]))
      }
    }
    return .object([
      "producers": .array(try snapshot.producers().map(\.json)),
      "products": .array(products),
      "batches": .array(batches),
      "recalls": .array(
        try snapshot.recalls().map { recall in
          var members: CanonicalMembers = [
            "lot": recall.lot.json, "reason": .string(recall.reason),
            "recordedAt": .string(recall.recordedAt.text),
          ]
          // Written only for a lifted recall, so bundles without one read as before.
          if let withdrawal = recall.withdrawal {
            members.insert(
              "withdrawal",
              .object([
                "reason": .string(withdrawal.reason),
                "recordedAt": .string(withdrawal.recordedAt.text),
              ]))
          }
          return .object(members)
        }),
    ])
  }
}

/// A bundle read, checked and replayed into a private store (the embedded SQLite one) in a
/// temporary folder.
public final class BundleStore: Sendable {
  /// The replayed store, read-only.
  public let store: SQLiteTraceStore
  /// The bundle's file.
  public let path: String
  /// The audit of the replayed log.
  public let report: AuditReport
  /// When the bundle says it was exported.
  public let exportedAt: Timestamp?
  /// Whether these bytes had been checked against this trust list before, and the store
  /// kept then was opened instead of checking them again.
  public let fromCache: Bool
  /// The private folder, removed by ``remove()``; nil for a store kept in the cache.
  private let folder: String?

  /// Reads the bundle at `path` and checks it against `trustList`; a bundle that fails
  /// any check is refused with the record at fault. With a `cache`, a bundle already
  /// checked against the same trust-list entries is opened from it, and one checked now
  /// is kept in it.
  public convenience init(path: String, trustList: TrustList, cache: BundleCache? = nil)
    async throws(TraceError)
  {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .malformed(what: "bundle \(path)", reason: "does not exist or cannot be read")
    }
    try await self.init(bytes: Array(data), path: path, trustList: trustList, cache: cache)
  }

  /// Reads a bundle from its bytes, named `path` in messages, and checks it against
  /// `trustList` as ``init(path:trustList:cache:)`` does.
  public init(bytes: [UInt8], path: String, trustList: TrustList, cache: BundleCache? = nil)
    async throws(TraceError)
  {
    self.path = path
    func refuse(_ reason: String) -> TraceError {
      .malformed(what: "bundle \(path)", reason: reason)
    }
    let bundleHash = cache == nil ? "" : ByteText.sha256Hex(bytes)
    let trustHash = cache == nil ? "" : trustList.fingerprint
    if let cache, let kept = cache.lookup(bundle: bundleHash, trustList: trustHash),
      let opened = try? SQLiteTraceStore(path: kept.path, signer: nil)
    {
      store = opened
      report = kept.report
      exportedAt = kept.exportedAt
      fromCache = true
      folder = nil
      return
    }
    let parsed = try TraceBundle.parse(bytes, path: path)
    let root = parsed.root
    let events = parsed.events
    let headSequence = parsed.headSequence
    let headHash = parsed.headHash
    let work = NSTemporaryDirectory() + "ocop-bundle-" + UUID().uuidString
    folder = work
    do {
      try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    } catch {
      throw refuse("cannot be read into \(work): \(error.localizedDescription)")
    }
    let replayed: SQLiteTraceStore
    let audit: AuditReport
    do {
      replayed = try SQLiteTraceStore.replay(events, into: work + "/bundle.sqlite")
      audit = try await replayed.audit(
        trustList: trustList, expectedHead: (Int64(headSequence), headHash))
    } catch {
      try? FileManager.default.removeItem(atPath: work)
      throw refuse("\(error)")
    }
    if let failure = audit.failure {
      try? FileManager.default.removeItem(atPath: work)
      throw refuse("fails its check at \(failure)")
    }
    // The records must be exactly what the events imply.
    let implied = try await TraceBundle.records(replayed)
    let impliedObject = try? JSONSerialization.jsonObject(with: Data(implied.encoded()))
    guard let listed = root["records"], let impliedObject,
      NSDictionary(dictionary: ["r": listed]).isEqual(to: ["r": impliedObject])
    else {
      try? FileManager.default.removeItem(atPath: work)
      let record = Self.firstDifference(root["records"], impliedObject)
      throw refuse("its records do not match its signed events (\(record))")
    }
    if let cache {
      // Kept for next time: a copy with everything committed, whole or not at all.
      let copy = work + "/checked.sqlite"
      if (try? replayed.copy(to: copy)) != nil {
        cache.keep(
          store: copy, bundle: bundleHash, trustList: trustHash, report: audit,
          exportedAt: parsed.exportedAt)
      }
    }
    store = replayed
    report = audit
    exportedAt = parsed.exportedAt
    fromCache = false
  }

  /// The first record listed in a bundle that differs from what its events imply, named by
  /// its key (batch GTIN/LOT, product GTIN, producer tax code).
  static func firstDifference(_ listed: Any?, _ implied: Any?) -> String {
    guard let listed = listed as? [String: Any], let implied = implied as? [String: Any] else {
      return "records section missing or not an object"
    }
    for section in Set(listed.keys).union(implied.keys).sorted() {
      let mine = listed[section] as? [Any] ?? []
      let theirs = implied[section] as? [Any] ?? []
      for index in 0..<max(mine.count, theirs.count) {
        let entry = index < mine.count ? mine[index] : nil
        let expected = index < theirs.count ? theirs[index] : nil
        if let entry, let expected,
          NSDictionary(dictionary: ["r": entry]).isEqual(to: ["r": expected])
        {
          continue
        }
        let name = recordName(expected ?? entry) ?? "entry \(index + 1)"
        if entry == nil { return "\(section): \(name) is missing" }
        if expected == nil { return "\(section): \(name) is not in the signed events" }
        return "\(section): \(name) differs from its signed event"
      }
    }
    return "records differ"
  }

  /// A record's key, as people name it.
  static func recordName(_ record: Any?) -> String? {
    guard let record = record as? [String: Any] else { return nil }
    func lot(_ object: Any?) -> String? {
      guard let lot = object as? [String: Any], let gtin = lot["gtin"] as? String,
        let code = lot["lot"] as? String
      else { return nil }
      return gtin + "/" + code
    }
    if let batch = record["batch"] as? [String: Any], let name = lot(batch["lot"]) {
      return "batch " + name
    }
    if let product = record["product"] as? [String: Any], let gtin = product["gtin"] as? String {
      return "product " + gtin
    }
    if let taxCode = record["taxCode"] as? String { return "producer " + taxCode }
    if let name = lot(record["lot"]) { return "recall of " + name }
    return nil
  }

  /// Removes the private store (a store kept in the cache stays there).
  public func remove() {
    if let folder { try? FileManager.default.removeItem(atPath: folder) }
  }
}
