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
///
/// An update (``updateFormat``) holds only the events after a head the reader already
/// holds, named by `base` (its place and hash; the first event's signed `prev` is that
/// hash), and the log's name, without records:
///
/// ```
/// {"base": {"hash": "hex", "seq": N}, "events": [{"seq": N + 1, …}, …],
///  "exportedAt": "…", "format": "ocop-trace bundle update v1", "head": {…},
///  "issuer": {…}, "issuers": […], "log": "<the hash of the log's first event>"}
/// ```
public enum TraceBundle {
  public static let format = "ocop-trace bundle v1"
  public static let updateFormat = "ocop-trace bundle update v1"

  /// Where an update starts: after event `sequence`, whose hash starts with `hash` (hex)
  /// when it is given.
  public struct Since: Sendable, Equatable {
    public let sequence: Int64
    public let hash: String?

    public init(sequence: Int64, hash: String? = nil) {
      self.sequence = sequence
      self.hash = hash?.lowercased()
    }
  }

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
    let path = NSTemporaryDirectory() + "ocop-bundle-export-" + UUID().uuidString
    defer { unlink(path) }
    let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw .file(path: path, reason: "cannot be created (\(String(cString: strerror(errno))))")
    }
    defer { close(descriptor) }
    try await export(store, issuer: issuer, trustList: trustList, to: descriptor, path: path)
    guard let bytes = BundleStore.contents(of: path) else {
      throw .file(path: path, reason: "cannot be read back")
    }
    return bytes
  }

  /// The bundle of `store`, as ``export(_:issuer:trustList:)`` makes it, written to the
  /// open file `descriptor` (named `path` in errors) a piece at a time: the events a
  /// thousand at a time and the records one at a time, through a buffer of a megabyte, so
  /// memory does not grow with the store. The bytes are the canonical JSON of the whole
  /// bundle.
  ///
  /// With `since`, an update (``updateFormat``): the events after that one only, which
  /// must be in the store with the hash given.
  ///
  /// Returns the head written (its place) and how many events the file holds.
  @discardableResult
  public static func export(
    _ store: any TraceStore, issuer: TrustedIssuer, trustList: TrustList = TrustList(),
    since: Since? = nil, to descriptor: Int32, path: String
  ) async throws(TraceError) -> (head: Int64, events: Int64) {
    try await store.snapshot { snapshot in
      var buffer: [UInt8] = []
      buffer.reserveCapacity(1 << 20)
      func write(_ bytes: some Collection<UInt8>) throws(TraceError) {
        buffer += bytes
        if buffer.count >= 1 << 20 {
          try NewFile.write(buffer, to: descriptor, path: path)
          buffer.removeAll(keepingCapacity: true)
        }
      }
      var head: Event?
      var log: String?
      if let since {
        let base = try Self.base(since, in: snapshot)
        head = base
        log = try snapshot.events(after: 0, limit: 1).first?.logName
        try write(
          CanonicalJSON.object([
            "base": .object([
              "seq": .integer(base.sequence), "hash": .string(ByteText.hex(base.hash)),
            ])
          ]).encoded().dropLast())
        try write(#","events":["#.utf8)
      } else {
        try write(#"{"events":["#.utf8)
      }
      var signers: Set<String> = [issuer.kid]
      var after: Int64 = since?.sequence ?? 0
      var first = true
      while true {
        let page = try snapshot.events(after: after, limit: 1000)
        guard let last = page.last else { break }
        for event in page {
          signers.insert(event.kid)
          for (_, inner) in try event.carriedChain() { signers.insert(inner.kid) }
          if !first { try write(",".utf8) }
          first = false
          head = event
          try write(
            CanonicalJSON.object([
              "seq": .integer(event.sequence),
              "body": .string(String(decoding: event.body, as: UTF8.self)),
              "signature": .string(Data(event.signature).base64EncodedString()),
            ]).encoded())
        }
        after = last.sequence
      }
      let entries = signers.sorted().compactMap { trustList.issuers[$0]?.json }
      // The members after `events`, in their canonical order, then the records, the last.
      var members: CanonicalMembers = [
        "exportedAt": .string(Timestamp.now().text),
        "format": .string(since == nil ? format : updateFormat),
        "issuer": issuer.json, "issuers": .array(entries),
        "head": .object([
          "seq": .integer(head?.sequence ?? 0),
          "hash": .string(ByteText.hex(head?.hash ?? Event.genesisHash)),
        ]),
      ]
      if since != nil { members.insert("log", log.map(CanonicalJSON.string) ?? .null) }
      let middle = CanonicalJSON.object(members).encoded()
      try write("],".utf8)
      try write(middle.dropFirst().dropLast())
      if since != nil {
        // An update carries no records: its reader derives them from the events.
        try write("}".utf8)
        try NewFile.write(buffer, to: descriptor, path: path)
        return (head?.sequence ?? 0, (head?.sequence ?? 0) - since!.sequence)
      }
      try write(#","records":"#.utf8)
      try recordsEncoded(snapshot) { piece throws(TraceError) in try write(piece) }
      try write("}".utf8)
      try NewFile.write(buffer, to: descriptor, path: path)
      return (head?.sequence ?? 0, head?.sequence ?? 0)
    }
  }

  /// The head a bundle or update file names (its place and hash), read without reading its
  /// events; nil when the file cannot be read or names none.
  public static func head(ofFile path: String) -> Since? {
    // In a canonical file the member is found as it stands, read as a stream: inside a
    // string every quote is escaped, so the pattern is the root's member.
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var reader = ForwardReader(descriptor: descriptor)
    if reader.skip(past: Array(#""head":{"hash":""#.utf8)), let hash = reader.string(),
      reader.expect(#","seq":"#), let sequence = reader.number(),
      ByteText.bytes(hex: String(decoding: hash, as: UTF8.self))?.count == 32
    {
      return Since(sequence: sequence, hash: String(decoding: hash, as: UTF8.self))
    }
    guard let bytes = BundleStore.contents(of: path) else { return nil }
    guard let root = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
      let head = root["head"] as? [String: Any], let sequence = head["seq"] as? Int,
      let hash = head["hash"] as? String
    else { return nil }
    return Since(sequence: Int64(sequence), hash: hash)
  }

  /// The event an update starts after: in the store, with the hash `since` gives.
  static func base(_ since: Since, in snapshot: TraceSnapshot) throws -> Event {
    let what = "--since \(since.sequence)"
    guard since.sequence >= 1 else {
      throw TraceError.malformed(
        what: what, reason: "names no event: an update follows event 1 or later")
    }
    let head = try snapshot.headSequence()
    guard let event = try snapshot.events(after: since.sequence - 1, limit: 1).first,
      event.sequence == since.sequence
    else {
      throw TraceError.malformed(
        what: what, reason: "is beyond this store's log, which ends at event \(head)")
    }
    let hash = ByteText.hex(event.hash)
    if let expected = since.hash, !hash.hasPrefix(expected) {
      throw TraceError.malformed(
        what: what + ":" + expected,
        reason:
          "this store's event \(since.sequence) has hash \(hash.prefix(16))…: the head held is not this store's (another store's log, or one that forked)"
      )
    }
    return event
  }

  /// A bundle's JSON, its events read (each body's grammar, not yet its signature) and
  /// checked to run 1, 2, 3… with nothing missing or moved.
  struct Parsed {
    /// The members other than `events` and `records`.
    let root: [String: Any]
    var events: [Event]
    let headSequence: Int
    let headHash: String
    /// When it was exported, as it says.
    let exportedAt: Timestamp?
    /// For an update: the event it follows (its place and hash, hex), and the log's name.
    let base: (sequence: Int64, hash: String)?
    let log: String?
    /// The `records` member: its bytes, when the bundle is in the canonical form ocop
    /// writes (compared byte for byte first), else as read.
    let records: Records

    enum Records {
      case bytes(ArraySlice<UInt8>)
      case read(Any?)
    }

    /// The `records` member as a JSON object tree.
    func recordsObject() -> Any? {
      switch records {
      case .read(let value): return value
      case .bytes(let bytes): return try? JSONSerialization.jsonObject(with: Data(bytes))
      }
    }
  }

  /// Reads a bundle's bytes; `path` names it in errors. A bundle in the canonical form ocop
  /// writes is read as it stands, without building the document in memory; any other JSON
  /// is read whole and judged by the same rules.
  static func parse(_ bytes: [UInt8], path: String) throws(TraceError) -> Parsed {
    func refuse(_ reason: String) -> TraceError {
      .malformed(what: "bundle \(path)", reason: reason)
    }
    // Each event's body and signature as the file gives them; nil for an entry without.
    let root: [String: Any]
    var entries: [(body: [UInt8], signature: String)?]?
    var ranges: [(body: Range<Int>, signature: Range<Int>)]?
    let records: Parsed.Records
    if let scanned = Self.scanCanonical(bytes) {
      root = scanned.rest
      ranges = scanned.entries
      records = .bytes(bytes[scanned.records])
    } else {
      guard var whole = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
      else {
        throw refuse("is not JSON (cut short or damaged?)")
      }
      entries = (whole["events"] as? [[String: Any]])?.map { entry in
        guard let body = entry["body"] as? String, let signature = entry["signature"] as? String
        else { return nil }
        return (Array(body.utf8), signature)
      }
      records = .read(whole["records"])
      whole["events"] = nil
      whole["records"] = nil
      root = whole
    }
    let isUpdate = root["format"] as? String == TraceBundle.updateFormat
    guard root["format"] as? String == TraceBundle.format || isUpdate else {
      throw refuse("is not an \(TraceBundle.format) file")
    }
    guard entries != nil || ranges != nil, let head = root["head"] as? [String: Any],
      let headSequence = head["seq"] as? Int, let headHash = head["hash"] as? String
    else { throw refuse("has no events or head") }
    var base: (sequence: Int64, hash: String)?
    var log: String?
    if isUpdate {
      guard let from = root["base"] as? [String: Any], let sequence = from["seq"] as? Int,
        sequence >= 1, let hash = from["hash"] as? String,
        ByteText.bytes(hex: hash)?.count == 32, let name = root["log"] as? String,
        ByteText.bytes(hex: name)?.count == 32
      else { throw refuse("is an update without the event it follows (base) or its log's name") }
      if case .read(let listed) = records, listed != nil {
        throw refuse("is an update and lists records: an update carries events only")
      }
      base = (Int64(sequence), hash.lowercased())
      log = name.lowercased()
    }
    let count = ranges?.count ?? entries?.count ?? 0
    // Each event read on every core; the first that cannot be read is the one refused.
    let slots = Slots<EventRead>(count: count)
    let scanned = ranges
    let read = entries
    let chunk = 512
    DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { part in
      for index in (part * chunk)..<min(count, (part + 1) * chunk) {
        let entry: (body: [UInt8], signature: String)?
        if let scanned {
          entry = TraceBundle.unescape(bytes[scanned[index].body]).map {
            ($0, String(decoding: bytes[scanned[index].signature], as: UTF8.self))
          }
        } else {
          entry = read?[index]
        }
        guard let entry, let signature = Data(base64Encoded: entry.signature) else {
          slots[index] = .missing
          continue
        }
        do {
          slots[index] = .event(try Event(body: entry.body, signature: Array(signature)))
        } catch {
          slots[index] = .failed("\(error)")
        }
      }
    }
    var events: [Event] = []
    events.reserveCapacity(count)
    for index in 0..<count {
      switch slots[index] {
      case .event(let event)?: events.append(event)
      case .failed(let reason)?: throw refuse("event \(index + 1): \(reason)")
      case .missing?, nil: throw refuse("event \(index + 1) has no body or signature")
      }
    }
    entries = nil
    ranges = nil
    // The log must run 1, 2, 3… (an update: on from its base) with nothing missing or moved
    // before it is replayed.
    let offset = base?.sequence ?? 0
    for (index, event) in events.enumerated() where event.sequence != offset + Int64(index + 1) {
      let expected = offset + Int64(index + 1)
      if events[index...].contains(where: { $0.sequence == expected }) {
        throw refuse(
          "events have been moved: event \(event.sequence) stands where event \(expected) should")
      }
      if event.sequence > expected {
        throw refuse(
          "event \(expected) is missing: the log jumps from event \(expected - 1) to event \(event.sequence)"
        )
      }
      throw refuse(
        "event \(event.sequence) is out of place: it stands where event \(expected) should")
    }
    if let base, let first = events.first,
      ByteText.hex(first.previousHash) != base.hash
    {
      throw refuse(
        "event \(first.sequence) does not follow the event it names as its base (\(base.sequence), \(base.hash.prefix(16))…): its previous-hash link is broken"
      )
    }
    if let base, events.isEmpty, headSequence != base.sequence || headHash.lowercased() != base.hash
    {
      throw refuse("holds no events, and its head is not its base")
    }
    let exportedAt = (root["exportedAt"] as? String).flatMap { try? Timestamp($0) }
    return Parsed(
      root: root, events: events, headSequence: headSequence, headHash: headHash,
      exportedAt: exportedAt, base: base, log: log, records: records)
  }

  /// A canonical string's content unescaped (`\"`, `\\`, `\u00xx`); nil for any other escape.
  static func unescape(_ content: ArraySlice<UInt8>) -> [UInt8]? {
    var out: [UInt8] = []
    out.reserveCapacity(content.count)
    var index = content.startIndex
    while index < content.endIndex {
      let byte = content[index]
      guard byte == UInt8(ascii: "\\") else {
        out.append(byte)
        index += 1
        continue
      }
      let escaped = content[index + 1]
      if escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") {
        out.append(escaped)
        index += 2
      } else if escaped == UInt8(ascii: "u"), index + 6 <= content.endIndex,
        content[index + 2] == UInt8(ascii: "0"), content[index + 3] == UInt8(ascii: "0"),
        let code = UInt8(
          String(decoding: content[(index + 4)..<(index + 6)], as: UTF8.self), radix: 16)
      {
        out.append(code)
        index += 6
      } else {
        return nil
      }
    }
    return out
  }

  /// A bundle exactly as ``export(_:issuer:trustList:)`` writes it (canonical JSON, members
  /// in order, events first and records last), read in one pass over its bytes: where each
  /// event's body (still escaped) and signature lie, the members between, parsed (they are
  /// small), and where the records lie. Nil for anything else, which is then read whole.
  static func scanCanonical(_ bytes: [UInt8]) -> (
    entries: [(body: Range<Int>, signature: Range<Int>)], rest: [String: Any],
    records: Range<Int>
  )? {
    var index = 0
    func expect(_ text: StaticString) -> Bool {
      let count = text.utf8CodeUnitCount
      guard index + count <= bytes.count else { return false }
      let matches = text.withUTF8Buffer { literal in
        bytes.withUnsafeBufferPointer { buffer in
          memcmp(buffer.baseAddress! + index, literal.baseAddress!, count) == 0
        }
      }
      if matches { index += count }
      return matches
    }
    /// Where a canonical string's content lies, up to its closing quote (which is passed):
    /// only the escapes `\"`, `\\` and `\u00xx`.
    func string() -> Range<Int>? {
      let start = index
      while index < bytes.count {
        let byte = bytes[index]
        switch byte {
        case UInt8(ascii: "\""):
          index += 1
          return start..<(index - 1)
        case UInt8(ascii: "\\"):
          guard index + 1 < bytes.count else { return nil }
          let escaped = bytes[index + 1]
          if escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") {
            index += 2
          } else if escaped == UInt8(ascii: "u"), index + 6 <= bytes.count {
            index += 6
          } else {
            return nil
          }
        case 0..<0x20: return nil
        default: index += 1
        }
      }
      return nil
    }
    guard expect(#"{"events":["#) else { return nil }
    var entries: [(body: Range<Int>, signature: Range<Int>)] = []
    if !expect("]") {
      while true {
        guard expect(#"{"body":""#), let body = string(), expect(#","seq":"#) else { return nil }
        let digits = index
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
        guard index > digits, expect(#","signature":""#) else { return nil }
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
          guard bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 else { return nil }
          index += 1
        }
        let signature = start..<index
        index += 1
        guard expect("}") else { return nil }
        entries.append((body, signature))
        if expect("]") { break }
        guard expect(",") else { return nil }
      }
    }
    // The members after `events`: small, parsed as JSON, up to `records`, the last.
    let marker = Array(#","records":"#.utf8)
    var found: Int?
    var search = index
    while search + marker.count <= bytes.count {
      if bytes[search] == marker[0], bytes[search..<(search + marker.count)].elementsEqual(marker) {
        found = search
        break
      }
      search += 1
    }
    guard let recordsAt = found, bytes.last == UInt8(ascii: "}"), index < recordsAt,
      bytes[index] == UInt8(ascii: ",")
    else { return nil }
    let middle = [UInt8(ascii: "{")] + bytes[(index + 1)..<recordsAt] + [UInt8(ascii: "}")]
    guard let rest = try? JSONSerialization.jsonObject(with: Data(middle)) as? [String: Any],
      rest["events"] == nil, rest["records"] == nil
    else { return nil }
    let recordsStart = recordsAt + marker.count
    let recordsEnd = bytes.count - 1
    guard recordsStart < recordsEnd, bytes[recordsStart] == UInt8(ascii: "{"),
      bytes[recordsEnd - 1] == UInt8(ascii: "}")
    else { return nil }
    return (entries, rest, recordsStart..<recordsEnd)
  }

  /// A bundle's events, checked to be one whole log in order (not yet their signatures:
  /// ``TraceStore/importLog(_:trustList:after:)`` checks those), and when it was exported;
  /// for an update, the event of which log it follows.
  public static func events(path: String) throws(TraceError) -> (
    events: [Event], exportedAt: Timestamp?, base: LogPlace?
  ) {
    guard let bytes = BundleStore.contents(of: path) else {
      throw .malformed(what: "bundle \(path)", reason: "does not exist or cannot be read")
    }
    let parsed = try parse(bytes, path: path)
    let base = parsed.base.flatMap { base in
      parsed.log.map { LogPlace(log: $0, sequence: base.sequence, hash: base.hash) }
    }
    return (parsed.events, parsed.exportedAt, base)
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
      products.append(try productRecord(product, snapshot))
      for batch in try snapshot.batches(of: product.gtin) {
        batches.append(try batchRecord(batch, snapshot))
      }
    }
    return .object([
      "producers": .array(try snapshot.producers().map(\.json)),
      "products": .array(products),
      "batches": .array(batches),
      "recalls": .array(try snapshot.recalls().map(recallRecord)),
    ])
  }

  /// The records of a snapshot as `records(_:)` gives them, encoded one record at a time:
  /// the same bytes, without the whole tree of records in memory.
  static func recordsEncoded(_ store: any TraceStore) async throws(TraceError) -> [UInt8] {
    try await store.snapshot { snapshot in
      var out: [UInt8] = []
      try recordsEncoded(snapshot) { piece throws(TraceError) in out += piece }
      return out
    }
  }

  /// The records of `snapshot`, encoded one record at a time and handed to `write`.
  static func recordsEncoded(
    _ snapshot: TraceSnapshot, to write: (ArraySlice<UInt8>) throws(TraceError) -> Void
  ) throws {
    let products = try snapshot.products()
    try write(Array(#"{"batches":["#.utf8)[...])
    var first = true
    for product in products {
      for batch in try snapshot.batches(of: product.gtin) {
        if !first { try write([UInt8(ascii: ",")][...]) }
        first = false
        try write(try batchRecord(batch, snapshot).encoded()[...])
      }
    }
    try write(Array(#"],"producers":"#.utf8)[...])
    try write(CanonicalJSON.array(try snapshot.producers().map(\.json)).encoded()[...])
    try write(Array(#","products":["#.utf8)[...])
    for (index, product) in products.enumerated() {
      if index > 0 { try write([UInt8(ascii: ",")][...]) }
      try write(try productRecord(product, snapshot).encoded()[...])
    }
    try write(Array(#"],"recalls":"#.utf8)[...])
    try write(CanonicalJSON.array(try snapshot.recalls().map(recallRecord)).encoded()[...])
    try write([UInt8(ascii: "}")][...])
  }

  private static func productRecord(_ product: Product, _ snapshot: TraceSnapshot) throws
    -> CanonicalJSON
  {
    let history = try snapshot.ratingHistory(product.gtin)
    return .object(["product": product.json, "ratings": .array(history.entries.map(\.json))])
  }

  private static func batchRecord(_ batch: Batch, _ snapshot: TraceSnapshot) throws
    -> CanonicalJSON
  {
    let ranges = try snapshot.serialRanges(batch.lot)
    return .object([
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
    ])
  }

  private static func recallRecord(_ recall: Recall) -> CanonicalJSON {
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
  /// For an update: what it was applied on (`bundle PATH`, or `a bundle checked before`),
  /// and the path of that bundle when it was one of `bases`.
  public let appliedOn: String?
  public let basePath: String?
  /// The private folder, removed by ``remove()``; nil for a store kept in the cache.
  private let folder: String?

  /// Reads the bundle at `path` and checks it against `trustList`; a bundle that fails
  /// any check is refused with the record at fault. With a `cache`, a bundle already
  /// checked against the same trust-list entries is opened from it, and one checked now
  /// is kept in it.
  ///
  /// An update (``TraceBundle/updateFormat``) is applied on the bundle it follows: the last
  /// of `bases` that holds its base event, else one kept in the cache. Its events are
  /// checked as a whole bundle's are, from that bundle's checked head on.
  public convenience init(
    path: String, trustList: TrustList, cache: BundleCache? = nil, bases: [BundleStore] = []
  ) async throws(TraceError) {
    // A bundle checked before is found by its hash, read from the file a megabyte at a time,
    // without holding the bundle in memory.
    var bundleHash: String?
    let fingerprint = trustList.fingerprint
    // The kept store this bundle likely has (by its size) is hashed on another core while the
    // bundle is; the entry is used only if the bundle's hash then names it.
    let bundleBytes = Self.size(of: path)
    let likely = cache.flatMap { cache in
      bundleBytes.flatMap { cache.likely(bundleBytes: $0, trustList: fingerprint) }
    }
    async let likelyHash = likely.map { ByteText.sha256Hex(file: $0.store) } ?? nil
    if let cache, let hash = ByteText.sha256Hex(file: path) {
      bundleHash = hash
      let known = await likelyHash
      let storeHash = likely?.bundle == hash ? known : nil
      if let kept = cache.open(bundle: hash, trustList: fingerprint, storeHash: storeHash) {
        self.init(kept: kept.store, report: kept.report, exportedAt: kept.exportedAt, path: path)
        return
      }
    }
    // A bundle in ocop's canonical layout is read as a stream; anything else, and anything
    // wrong in it, is read whole, and judged and named as ever.
    if let streamed = try? await Self.checkStreamed(path: path, trustList: trustList) {
      if let cache, let bundleHash {
        Self.keep(
          streamed.store, in: streamed.folder, cache: cache, bundle: bundleHash,
          bundleBytes: bundleBytes, trustList: trustList.fingerprint,
          report: streamed.report, exportedAt: streamed.exportedAt)
      }
      self.init(streamed: streamed, path: path)
      return
    }
    guard let bytes = Self.contents(of: path) else {
      throw .malformed(what: "bundle \(path)", reason: "does not exist or cannot be read")
    }
    try await self.init(
      checking: bytes, path: path, trustList: trustList, cache: cache, bundleHash: bundleHash,
      bases: bases)
  }

  /// A bundle checked as a stream.
  private init(streamed: Streamed, path: String) {
    store = streamed.store
    report = streamed.report
    exportedAt = streamed.exportedAt
    self.path = path
    fromCache = false
    folder = streamed.folder
    appliedOn = nil
    basePath = nil
  }

  /// Keeps a copy of `store` (checked, in the private folder `folder`) in `cache`.
  private static func keep(
    _ store: SQLiteTraceStore, in folder: String, cache: BundleCache, bundle: String,
    bundleBytes: Int?, trustList: String, report: AuditReport, exportedAt: Timestamp?
  ) {
    // A copy with everything committed, whole or not at all.
    let copy = folder + "/checked.sqlite"
    if (try? store.copy(to: copy)) != nil {
      cache.keep(
        store: copy, bundle: bundle, bundleBytes: bundleBytes, trustList: trustList,
        report: report, exportedAt: exportedAt)
    }
  }

  /// The size of the file at `path`, or nil.
  static func size(of path: String) -> Int? {
    var status = stat()
    return stat(path, &status) == 0 ? Int(status.st_size) : nil
  }

  /// Reads a bundle from its bytes, named `path` in messages, and checks it against
  /// `trustList` as ``init(path:trustList:cache:)`` does.
  public convenience init(
    bytes: [UInt8], path: String, trustList: TrustList, cache: BundleCache? = nil
  ) async throws(TraceError) {
    let bundleHash = cache.map { _ in ByteText.sha256Hex(bytes) }
    if let cache, let bundleHash,
      let kept = cache.open(bundle: bundleHash, trustList: trustList.fingerprint)
    {
      self.init(kept: kept.store, report: kept.report, exportedAt: kept.exportedAt, path: path)
      return
    }
    try await self.init(
      checking: bytes, path: path, trustList: trustList, cache: cache, bundleHash: bundleHash)
  }

  /// A bundle checked before, opened from the cache.
  private init(kept: SQLiteTraceStore, report: AuditReport, exportedAt: Timestamp?, path: String) {
    self.store = kept
    self.report = report
    self.exportedAt = exportedAt
    self.path = path
    fromCache = true
    folder = nil
    appliedOn = nil
    basePath = nil
  }

  /// Checks a bundle from scratch (and keeps it in `cache` when it passes).
  private init(
    checking bytes: [UInt8], path: String, trustList: TrustList, cache: BundleCache?,
    bundleHash knownHash: String?, bases: [BundleStore] = []
  ) async throws(TraceError) {
    self.path = path
    func refuse(_ reason: String) -> TraceError {
      .malformed(what: "bundle \(path)", reason: reason)
    }
    let bundleHash = cache == nil ? "" : knownHash ?? ByteText.sha256Hex(bytes)
    let trustHash = cache == nil ? "" : trustList.fingerprint
    var parsed = try TraceBundle.parse(bytes, path: path)
    if parsed.base != nil {
      let applied = try await Self.apply(
        update: parsed, path: path, trustList: trustList, cache: cache, bundleHash: bundleHash,
        bundleBytes: bytes.count, trustHash: trustHash, bases: bases)
      store = applied.store
      report = applied.report
      folder = applied.folder
      appliedOn = applied.on
      basePath = applied.basePath
      exportedAt = parsed.exportedAt
      fromCache = false
      return
    }
    appliedOn = nil
    basePath = nil
    let headSequence = parsed.headSequence
    let headHash = parsed.headHash
    let work = NSTemporaryDirectory() + "ocop-bundle-" + UUID().uuidString
    folder = work
    do {
      try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    } catch {
      throw refuse("cannot be read into \(work): \(error.localizedDescription)")
    }
    // The signatures are checked on every core while the events are stored; the records
    // the events imply are read on a second connection once they are, while the signatures
    // and then the audit run.
    let events = parsed.events
    async let verifiedSignatures = VerifiedSignatures(events, trustList: trustList)
    let replayed: SQLiteTraceStore
    do {
      replayed = try SQLiteTraceStore.replay(events, into: work + "/bundle.sqlite")
    } catch {
      _ = await verifiedSignatures
      try? FileManager.default.removeItem(atPath: work)
      throw refuse("\(error)")
    }
    // The events are in the store now; their copy in memory is let go once checked.
    parsed.events = []
    let second = try? SQLiteTraceStore(path: work + "/bundle.sqlite", signer: nil)
    async let impliedRecords = Self.records(of: second)
    let verified = await verifiedSignatures
    let audit = try await Self.passing(in: work, refuse: refuse) {
      try await replayed.audit(
        trustList: trustList, expectedHead: (Int64(headSequence), headHash),
        verified: verified)
    }
    // The records must be exactly what the events imply: the same canonical bytes, or,
    // for a bundle written otherwise, the same JSON values.
    let implied: [UInt8]
    if let read = await impliedRecords {
      implied = read
    } else {
      implied = try await TraceBundle.recordsEncoded(replayed)
    }
    var same = false
    if case .bytes(let listedBytes) = parsed.records { same = listedBytes.elementsEqual(implied) }
    if !same {
      let listed = parsed.recordsObject()
      let impliedObject = try? JSONSerialization.jsonObject(with: Data(implied))
      guard let listed, let impliedObject,
        NSDictionary(dictionary: ["r": listed]).isEqual(to: ["r": impliedObject])
      else {
        try? FileManager.default.removeItem(atPath: work)
        let record = Self.firstDifference(listed, impliedObject)
        throw refuse("its records do not match its signed events (\(record))")
      }
    }
    if let cache {
      Self.keep(
        replayed, in: work, cache: cache, bundle: bundleHash, bundleBytes: bytes.count,
        trustList: trustHash, report: audit, exportedAt: parsed.exportedAt)
    }
    store = replayed
    report = audit
    exportedAt = parsed.exportedAt
    fromCache = false
  }

  /// An update applied on the store of the bundle it follows: the events it holds that the
  /// base holds must be the very same, and the others are stored and audited from the
  /// base's checked head. A base given with it is copied into a private folder first; a
  /// base kept in the cache is carried forward in place (see ``Update/apply(on:kept:)``).
  private static func apply(
    update parsed: TraceBundle.Parsed, path: String, trustList: TrustList, cache: BundleCache?,
    bundleHash: String, bundleBytes: Int, trustHash: String, bases: [BundleStore]
  ) async throws(TraceError) -> Applied {
    func refuse(_ reason: String) -> TraceError {
      .malformed(what: "bundle \(path)", reason: reason)
    }
    guard let base = parsed.base, let log = parsed.log else { throw refuse("is not an update") }
    let update = Update(
      parsed: parsed, path: path, trustList: trustList, bundleHash: bundleHash,
      bundleBytes: bundleBytes)
    var forked: String?
    // A bundle given with it (the last first).
    for holder in bases.reversed() {
      let name = "bundle \(holder.path)"
      switch await update.follows(holder.store, holder.report.checkpoint, named: name) {
      case .yes:
        return try await update.apply(
          on: (holder.store, holder.report.checkpoint!, name, holder.path),
          kept: cache.map { ($0, trustHash) })
      case .forked: forked = forked ?? name
      case .no: break
      }
    }
    // Else one kept in the cache, under the cache's lock: two runs never carry one entry
    // forward at once, and the second finds the first's result.
    if let cache {
      let applied = try await cache.locked { () async throws(TraceError) -> Applied? in
        let name = "a bundle checked before"
        if let kept = cache.open(bundle: bundleHash, trustList: trustHash) {
          return Applied(kept.store, kept.report, nil, name, nil)
        }
        for kept in cache.bases(log: log, from: base.sequence, trustList: trustHash) {
          guard let store = try? SQLiteTraceStore(path: kept.path, signer: nil) else { continue }
          switch await update.follows(store, kept.report.checkpoint, named: name) {
          case .yes:
            return try await update.apply(
              on: (store, kept.report.checkpoint!, name, nil), kept: (cache, trustHash))
          case .forked: forked = forked ?? name
          case .no: break
          }
        }
        return nil
      }
      if let applied { return applied }
    }
    if let forked {
      throw refuse(
        "follows event \(base.sequence) with hash \(base.hash.prefix(16))…, and \(forked) holds another event there: the log has forked"
      )
    }
    throw refuse(
      "is an update after event \(base.sequence) of log \(log.prefix(16))…, and the bundle it follows is not at hand: give that bundle first with another --bundle, or check it once (without --no-cache) so that it is kept"
    )
  }

  /// An update applied: the store that answers, its audit, the private folder to remove (if
  /// any), what it was applied on and the path of that bundle when it was given.
  private struct Applied {
    let store: SQLiteTraceStore
    let report: AuditReport
    let folder: String?
    let on: String
    let basePath: String?

    init(
      _ store: SQLiteTraceStore, _ report: AuditReport, _ folder: String?, _ on: String,
      _ basePath: String?
    ) {
      (self.store, self.report, self.folder, self.on, self.basePath) = (
        store, report, folder, on, basePath
      )
    }
  }

  /// An update being applied.
  private struct Update {
    let parsed: TraceBundle.Parsed
    let path: String
    let trustList: TrustList
    let bundleHash: String
    let bundleBytes: Int

    enum Follows { case yes, no, forked }

    func refuse(_ reason: String) -> TraceError {
      .malformed(what: "bundle \(path)", reason: reason)
    }

    /// Whether its head is its last event.
    var headIsLast: Bool {
      guard let last = parsed.events.last else { return true }
      return last.sequence == Int64(parsed.headSequence)
        && ByteText.hex(last.hash) == parsed.headHash.lowercased()
    }

    /// Refuses an update whose head is not its last event; asked after the audit, whose
    /// findings come first.
    func checkHead() throws(TraceError) {
      if !headIsLast, let last = parsed.events.last {
        throw refuse("its head is not its last event (\(last.sequence))")
      }
    }

    /// Whether the update follows on `store`, checked up to `checkpoint`: the store holds
    /// the update's base event with the base hash.
    func follows(_ store: SQLiteTraceStore, _ checkpoint: AuditCheckpoint?, named name: String)
      async -> Follows
    {
      guard let base = parsed.base, let checkpoint, checkpoint.log == parsed.log,
        checkpoint.sequence >= base.sequence,
        let held = try? await store.events(after: base.sequence - 1, limit: 1).first,
        held.sequence == base.sequence
      else { return .no }
      return ByteText.hex(held.hash) == base.hash ? .yes : .forked
    }

    /// Applies the update on `source`: on a copy in a private folder, kept in the cache as
    /// the update's own entry when `kept` names the cache; or, when `kept` names the cache
    /// `source` is kept in, on `source` itself, in one transaction with the audit of its new
    /// events, after which the entry is carried forward to the update's name.
    func apply(
      on source: (store: SQLiteTraceStore, checkpoint: AuditCheckpoint, on: String, path: String?),
      kept: (cache: BundleCache, trustHash: String)?
    ) async throws(TraceError) -> Applied {
      guard let base = parsed.base else { throw refuse("is not an update") }
      let held = source.checkpoint.sequence
      // The update's events the base holds already must be the very same.
      let overlap = parsed.events.prefix { $0.sequence <= held }
      if !overlap.isEmpty {
        let stored = try await source.store.events(after: base.sequence, limit: overlap.count)
        for (mine, theirs) in zip(stored, overlap) where mine.hash != theirs.hash {
          throw refuse(
            "event \(theirs.sequence) differs from the one in \(source.on): the log has forked")
        }
      }
      let fresh = Array(parsed.events.dropFirst(overlap.count))
      // Nothing new: the base answers as it is.
      if fresh.isEmpty {
        let audit = try await source.store.audit(trustList: trustList, since: source.checkpoint)
        if let failure = audit.failure { throw refuse("fails its check at \(failure)") }
        try checkHead()
        return Applied(source.store, audit, nil, source.on, source.path)
      }
      let expected = (Int64(parsed.headSequence), parsed.headHash)
      let trust = trustList
      async let verified = VerifiedSignatures(fresh, trustList: trust)
      if let kept, source.path == nil, headIsLast {
        // In place: appended and audited in one transaction, refused as a whole. A kept
        // store that cannot take the events (a cache on a read-only disk, a full disk, or
        // events that do not fit) is left as it was, and the update is applied on a copy,
        // which judges it with the same words as ever.
        let checked = await verified
        if let audit = try? source.store.append(
          checked: fresh, trustList: trustList, since: source.checkpoint,
          expectedHead: expected, verified: checked)
        {
          if let failure = audit.failure { throw refuse("fails its check at \(failure)") }
          let location = source.store.path
          try? source.store.close()
          let moved = kept.cache.carryForward(
            store: location, bundle: bundleHash, bundleBytes: bundleBytes,
            trustList: kept.trustHash, report: audit, exportedAt: parsed.exportedAt)
          let store = try SQLiteTraceStore(path: moved, signer: nil)
          return Applied(store, audit, nil, source.on, source.path)
        }
      }
      let work = NSTemporaryDirectory() + "ocop-bundle-" + UUID().uuidString
      do {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try source.store.copy(to: work + "/bundle.sqlite")
      } catch {
        _ = await verified
        try? FileManager.default.removeItem(atPath: work)
        throw refuse("cannot be applied in \(work): \(error)")
      }
      var stored: SQLiteTraceStore?
      let checked = await verified
      let audit = try await BundleStore.passing(in: work, refuse: refuse) {
        let replayed = try SQLiteTraceStore.replay(
          fresh, into: work + "/bundle.sqlite", onto: true)
        stored = replayed
        return try await replayed.audit(
          trustList: trustList, since: source.checkpoint, expectedHead: expected,
          verified: checked)
      }
      guard let replayed = stored else { throw refuse("was not stored") }
      do {
        try checkHead()
      } catch {
        try? FileManager.default.removeItem(atPath: work)
        throw error
      }
      if let kept {
        BundleStore.keep(
          replayed, in: work, cache: kept.cache, bundle: bundleHash, bundleBytes: bundleBytes,
          trustList: kept.trustHash, report: audit, exportedAt: parsed.exportedAt)
      }
      return Applied(replayed, audit, work, source.on, source.path)
    }
  }

  /// The audit `run` makes of a store replayed in the private folder `work`: one that cannot
  /// be made or that fails removes the folder and refuses the bundle with its reason.
  static func passing(
    in work: String, refuse: (String) -> TraceError, _ run: () async throws -> AuditReport
  ) async throws(TraceError) -> AuditReport {
    let audit: AuditReport
    do {
      audit = try await run()
    } catch {
      try? FileManager.default.removeItem(atPath: work)
      throw refuse("\(error)")
    }
    if let failure = audit.failure {
      try? FileManager.default.removeItem(atPath: work)
      throw refuse("fails its check at \(failure)")
    }
    return audit
  }

  /// The bytes of the file at `path`, read straight into one array (no second copy).
  static func contents(of path: String) -> [UInt8]? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return nil }
    let size = Int(status.st_size)
    var failed = false
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
      var done = 0
      while done < size {
        let got = read(descriptor, buffer.baseAddress! + done, size - done)
        if got < 0, errno == EINTR { continue }
        guard got > 0 else { break }
        done += got
      }
      failed = done != size
      count = done
    }
    return failed ? nil : bytes
  }

  /// The canonical records `store` holds; nil when they cannot be read there.
  private static func records(of store: SQLiteTraceStore?) async -> [UInt8]? {
    guard let store else { return nil }
    return try? await TraceBundle.recordsEncoded(store)
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

/// A bundle's event as read: the event, an entry without a body or signature, or the
/// reason its body cannot be read.
private enum EventRead {
  case event(Event)
  case missing
  case failed(String)
}

/// One result a slot, each slot written by one thread.
final class Slots<Value>: @unchecked Sendable {
  private let storage: UnsafeMutableBufferPointer<Value?>

  init(count: Int) {
    storage = .allocate(capacity: count)
    storage.initialize(repeating: nil)
  }

  deinit {
    storage.deinitialize()
    storage.deallocate()
  }

  subscript(index: Int) -> Value? {
    get { storage[index] }
    set { storage[index] = newValue }
  }
}
