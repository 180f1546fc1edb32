import Foundation
import GS1
import Synchronization
import Traceability

/// Which scans the resolver counts, so that nobody can make a genuine code look copied
/// and a shopper's own reloads do not either.
///
/// A scan is a person opening the code's page: an HTML answer for the code's own link, with
/// none of the resolver's parameters (`lang`, `linkType`, `context`: a language switch or
/// a link type is a page's own navigation, never on a printed code), from a browser. JSON,
/// linkset and HEAD answers, and requests from link previewers, crawlers and scripts (by
/// their `User-Agent`, or none), are never counted: see ``isMachine(userAgent:)``.
///
/// A scan counts only when the link is genuine for the record: its signature verifies,
/// or it is unsigned and its data matches the record (any verdict but forged; an unknown
/// lot or a serial never printed is not answered at all). A client (its network, as the
/// scan log's place, and its `User-Agent`) counts once per code in ``itemWindow``: reloads,
/// going back to the page and switching languages are one scan. And a client address
/// counts at most ``clientLimit`` codes in ``clientWindow``: a script walking serials 1…N
/// stops counting after a few. Nothing here is written anywhere: it lives in the
/// resolver's memory, and a restart forgets it.
final class ScanAllowance: Sendable {
  static let itemWindow: TimeInterval = 86_400
  static let clientWindow: TimeInterval = 60
  static let clientLimit = 30
  /// Entries kept before expired ones are swept; if the sweep leaves more than this, all
  /// are forgotten (a client may then count once more).
  static let sweepAt = 200_000

  private struct State {
    var lastCounted: [String: TimeInterval] = [:]
    var clients: [String: (start: TimeInterval, count: Int)] = [:]
  }
  private let state = Mutex(State())

  /// Whether `result`, a scan of a serial, is one the log may count at all.
  static func countable(_ result: ScanResult) -> Bool {
    guard result.verdict != .forged else { return false }
    switch result.signature {
    case .valid?, .unsigned?: return true
    default: return false
    }
  }

  /// Words in the `User-Agent` of link previewers (chat apps fetch a link pasted in a
  /// chat), crawlers and HTTP libraries, compared without case. Zalo's, Facebook's and
  /// other apps' own browsers, which shoppers scan with, name their app but none of these.
  static let machineWords = [
    "bot", "crawl", "spider", "slurp", "preview", "facebookexternalhit", "whatsapp",
    "curl", "wget", "python", "go-http-client", "java/", "okhttp", "axios", "node-fetch",
    "headlesschrome", "lighthouse", "wrk", "apachebench", "httpclient", "libwww", "scrapy",
    "monitor", "uptime", "check_http",
  ]

  /// Whether a request with `userAgent` comes from a machine: none given, or one that
  /// names a previewer, crawler or HTTP library (``machineWords``).
  static func isMachine(userAgent: String?) -> Bool {
    guard let userAgent, userAgent.contains(where: { !$0.isWhitespace }) else { return true }
    // Compared as bytes: every word is ASCII, and a scanned page's answer waits on this.
    // (Foundation's `String.contains` and the standard library's `Collection.contains(_:)`
    // each made a serialised code's page several times slower.)
    let lowered = Array(userAgent.lowercased().utf8)
    return machineWordBytes.contains { word in
      guard lowered.count >= word.count else { return false }
      return (0...(lowered.count - word.count)).contains { start in
        lowered[start] == word[0] && lowered[start..<start + word.count].elementsEqual(word)
      }
    }
  }

  private static let machineWordBytes = machineWords.map { Array($0.utf8) }

  /// Whether a scan of `item` by `client` (its address) with `userAgent` at `now` (seconds)
  /// is counted; records it if so.
  func allow(client: String?, userAgent: String?, item: String, now: TimeInterval) -> Bool {
    let address = client ?? "unknown"
    let network = client.flatMap(ScanPlace.network).map { ByteText.hex($0) } ?? address
    let key = network + "\n" + (userAgent ?? "") + "\n" + item
    return state.withLock { state in
      if state.lastCounted.count > Self.sweepAt || state.clients.count > Self.sweepAt {
        state.lastCounted = state.lastCounted.filter { now - $0.value < Self.itemWindow }
        state.clients = state.clients.filter { now - $0.value.start < Self.clientWindow }
        if state.lastCounted.count > Self.sweepAt { state.lastCounted.removeAll() }
        if state.clients.count > Self.sweepAt { state.clients.removeAll() }
      }
      if let last = state.lastCounted[key], now - last < Self.itemWindow { return false }
      var window = state.clients[address] ?? (now, 0)
      if now - window.start >= Self.clientWindow { window = (now, 0) }
      guard window.count < Self.clientLimit else { return false }
      window.count += 1
      state.clients[address] = window
      state.lastCounted[key] = now
      return true
    }
  }
}

/// How long the scan log keeps scans: those older than `days`, and the oldest beyond
/// `rows`, are removed (nil: no bound).
public struct ScanRetention: Sendable {
  public var days: Int?
  public var rows: Int?

  public init(days: Int? = 730, rows: Int? = 10_000_000) {
    self.days = days
    self.rows = rows
  }
}

/// Scans on their way to the scan log: a request hands its scan over and goes on; the
/// scans are written together a moment later, off the request path, and old ones are
/// removed now and then. Until a scan is written, counts include it from here.
///
/// What the log holds for a code is kept for a few seconds after it is read (scans that
/// other resolvers sharing the log record show within ``tallyLife``), and forgotten when
/// this resolver writes scans of the code, so that a code scanned again is counted without
/// reading the log.
final class ScanRecorder: Sendable {
  let log: any ScanLog
  let placeKey: ScanPlaceKey
  let retention: ScanRetention
  /// How long scans gather before they are written.
  static let gathering: Duration = .milliseconds(100)
  /// Scans held at most; beyond it (the log has failed for a long while) new scans are not
  /// counted.
  static let holdLimit = 100_000
  /// How often old scans are removed.
  static let pruneEvery: TimeInterval = 3600
  /// How long what the log holds for a code is kept, in nanoseconds.
  static let tallyLife: UInt64 = 5_000_000_000
  /// Codes whose tallies are kept at most.
  static let tallyLimit = 50_000

  /// What the log held for a code when it was read: its tally, and which scans then held
  /// here it already had.
  private struct Stored {
    let tally: ScanTally
    let ids: Set<String>
    let readAt: UInt64
  }

  private struct State {
    /// Scans not yet written, and those being written, in order.
    var held: [Scan] = []
    /// How many of ``held`` (from the start) are being written.
    var writing = 0
    var running = false
    var prunedAt: TimeInterval = 0
    /// Writes finished, so that a read that overlapped one is not kept.
    var writes = 0
    var stored: [String: Stored] = [:]
  }
  private let state = Mutex(State())

  init(log: any ScanLog, placeKey: ScanPlaceKey, retention: ScanRetention) {
    self.log = log
    self.placeKey = placeKey
    self.retention = retention
  }

  static func key(_ lot: LotReference, _ serial: String) -> String {
    lot.description + "/21/" + serial
  }

  /// Hands `scan` over to be written.
  func add(_ scan: Scan) {
    let start = state.withLock { state -> Bool in
      guard state.held.count < Self.holdLimit else { return false }
      state.held.append(scan)
      defer { state.running = true }
      return !state.running
    }
    if start { Task { await self.run() } }
  }

  /// The summary for `serial` under `lot` from what was read before and what is held, if
  /// what was read is recent enough.
  func keptSummary(_ lot: LotReference, serial: String) -> ScanSummary? {
    let key = Self.key(lot, serial)
    let now = DispatchTime.now().uptimeNanoseconds
    return state.withLock { state -> ScanSummary? in
      guard let stored = state.stored[key], now &- stored.readAt < Self.tallyLife else {
        return nil
      }
      var tally = stored.tally
      for scan in state.held
      where scan.serial == serial && scan.lot == lot && !stored.ids.contains(scan.id) {
        tally.add(scan)
      }
      return tally.summary
    }
  }

  /// Reads what the log holds for `serial` under `lot` and returns the summary with what is
  /// held here; keeps what was read, unless a write finished meanwhile.
  func readSummary(_ lot: LotReference, serial: String) async throws(TraceError) -> ScanSummary {
    let (held, writes) = state.withLock { state in
      (state.held.filter { $0.serial == serial && $0.lot == lot }, state.writes)
    }
    let readAt = DispatchTime.now().uptimeNanoseconds
    let (stored, ids) = try await log.tally(lot, serial: serial, storedAmong: held.map(\.id))
    state.withLock { state in
      guard state.writes == writes else { return }
      if state.stored.count >= Self.tallyLimit { state.stored.removeAll() }
      state.stored[Self.key(lot, serial)] = Stored(tally: stored, ids: ids, readAt: readAt)
    }
    var tally = stored
    for scan in held where !ids.contains(scan.id) { tally.add(scan) }
    return tally.summary
  }

  /// Writes what is held, a gathering at a time, until nothing is; then stops.
  private func run() async {
    while true {
      try? await Task.sleep(for: Self.gathering)
      let batch = state.withLock { state -> [Scan]? in
        if state.held.isEmpty {
          state.running = false
          return nil
        }
        state.writing = state.held.count
        return state.held
      }
      guard let batch else { return }
      let written = (try? await log.record(batch)) != nil
      state.withLock { state in
        // Written scans leave only now, so a count never misses them; unwritten ones stay
        // for the next try. What was read for their codes no longer holds.
        if written {
          state.held.removeFirst(state.writing)
          for scan in batch { state.stored[Self.key(scan.lot, scan.serial)] = nil }
          state.writes += 1
        }
        state.writing = 0
      }
      await pruneIfDue()
    }
  }

  private func pruneIfDue() async {
    let now = Date().timeIntervalSince1970
    let due = state.withLock { state -> Bool in
      guard now - state.prunedAt >= Self.pruneEvery else { return false }
      state.prunedAt = now
      return true
    }
    guard due, retention.days != nil || retention.rows != nil else { return }
    let cutoff = retention.days.map { Timestamp(Date(timeIntervalSinceNow: -86_400 * Double($0))) }
    _ = try? await log.prune(before: cutoff, keepingAtMost: retention.rows)
  }
}

extension TraceResolver {
  /// Records the scan of `serial` under `lot` from `client` when it `counts`, and returns
  /// the code's summary; nil when the scan log does not answer within the settings'
  /// `scanLogWait` or
  /// fails: the scan log never changes or holds up an answer.
  func scanSummary(_ lot: LotReference, serial: String, client: String?, counts: Bool) async
    -> ScanSummary?
  {
    guard let recorder else { return nil }
    if counts {
      let now = Timestamp.now()
      recorder.add(
        Scan(
          lot: lot, serial: serial,
          place: ScanPlace.of(address: client, key: recorder.placeKey, at: now), time: now))
    }
    if let kept = recorder.keptSummary(lot, serial: serial) { return kept }
    let reading = Task { try await recorder.readSummary(lot, serial: serial) }
    let wait = settings.scanLogWait
    // Whichever comes first, the summary or the deadline, answers; the other is dropped.
    return await withCheckedContinuation { continuation in
      let answered = Mutex(false)
      let answer: @Sendable (ScanSummary?) -> Void = { summary in
        if answered.withLock({ done in
          defer { done = true }
          return !done
        }) {
          continuation.resume(returning: summary)
        }
      }
      let deadline = Task {
        try? await Task.sleep(for: wait)
        answer(nil)
      }
      Task {
        answer(try? await reading.value)
        deadline.cancel()
      }
    }
  }
}

/// What the resolver read and decided, kept while the store's log does not grow (checked
/// at most once a second, so a new record or a recall shows within a second) and the day
/// does not change: the records behind each lot, so a serialised code's answer reads only
/// its serial's status, and the verdict on each link, so a code scanned again is not
/// checked again. Only its scan count is new each time.
final class EvidenceCache: EvidenceSource {
  let store: any TraceStore
  private struct State {
    var head: Int64?
    var checked: UInt64 = 0
    var lots = HeadCache<LotReference, ScanEvidence?>()
    var verdicts = HeadCache<String, ScanResult>()
    var templates = HeadCache<CacheKey, AnswerTemplate>()
  }
  private let state = Mutex(State())
  private static let limit = 20_000

  init(store: any TraceStore) {
    self.store = store
  }

  /// The store's head (its last event's sequence number), read again at most once a
  /// second; everything kept under another head is forgotten when it changes. Nil when the
  /// store cannot be read.
  func currentHead() async -> Int64? {
    let now = DispatchTime.now().uptimeNanoseconds
    if let head = state.withLock({ state -> Int64? in
      now &- state.checked <= 1_000_000_000 ? state.head : nil
    }) {
      return head
    }
    guard let head = try? await store.headSequence() else { return nil }
    state.withLock { state in
      if state.head != head {
        state.lots.removeAll()
        state.verdicts.removeAll()
        state.templates.removeAll()
      }
      state.head = head
      state.checked = now
    }
    return head
  }

  func scanEvidence(_ lot: LotReference, serial: String?) async throws(TraceError)
    -> ScanEvidence?
  {
    let head = await currentHead()
    let base: ScanEvidence?
    if let head, let cached = state.withLock({ $0.lots.value(for: lot, at: head) }) {
      base = cached
    } else {
      base = try await store.scanEvidence(lot, serial: nil)
      // Read under `head` or later: kept under `head`, which a later head never matches.
      if let head {
        state.withLock { $0.lots.keep(base, for: lot, at: head, limit: Self.limit) }
      }
    }
    guard let base, let serial else { return base }
    return base.with(serialStatus: try await store.serialStatus(lot, serial: serial))
  }

  /// The verdict kept for the link `uri` on `day` under the store's `head`, if any.
  func verdict(for uri: String, on day: GS1Date, at head: Int64) -> ScanResult? {
    state.withLock { $0.verdicts.value(for: uri, at: head, on: day) }
  }

  /// Keeps the verdict on the link `uri` on `day`, decided from records read under `head`
  /// or later, when it rests on records read.
  func keep(_ result: ScanResult, for uri: String, on day: GS1Date, at head: Int64) {
    guard result.evidence != nil else { return }
    state.withLock { $0.verdicts.keep(result, for: uri, at: head, on: day, limit: Self.limit) }
  }

  /// The answer template kept under `key` on `day` under the store's `head`, if any.
  func template(for key: CacheKey, on day: GS1Date, at head: Int64) -> AnswerTemplate? {
    state.withLock { $0.templates.value(for: key, at: head, on: day) }
  }

  /// Keeps `template`, made from records read under `head` or later, under `key` on `day`.
  func keep(_ template: AnswerTemplate, for key: CacheKey, on day: GS1Date, at head: Int64) {
    state.withLock {
      $0.templates.keep(template, for: key, at: head, on: day, limit: Self.limit)
    }
  }
}

/// Values kept by key with the store's head they were made under (and the day, for those
/// that depend on it): a value is given back only under the same head and day, so one
/// made from records read before a change, and kept after it, is never used. At most a
/// limit of them (beyond it, all are dropped and kept again as they are asked for).
struct HeadCache<Key: Hashable, Value> {
  private var entries: [Key: (head: Int64, day: GS1Date?, value: Value)] = [:]

  func value(for key: Key, at head: Int64, on day: GS1Date? = nil) -> Value? {
    guard let entry = entries[key], entry.head == head, entry.day == day else { return nil }
    return entry.value
  }

  mutating func keep(
    _ value: Value, for key: Key, at head: Int64, on day: GS1Date? = nil, limit: Int
  ) {
    if entries.count >= limit { entries.removeAll() }
    entries[key] = (head, day, value)
  }

  mutating func removeAll() {
    entries.removeAll()
  }
}

/// The answer for a serialised code with its scan count left as slots: the `scans` member
/// of the JSON, or the page's warning and its line under the signature. Everything else in
/// the answer is the same from one scan to the next.
struct AnswerTemplate: Sendable {
  /// What a record's `scans` member holds in a template (a string no record can hold:
  /// text fields refuse control characters).
  static let marker = "\u{1}scans\u{1}"
  static let bannerMarker = "\u{1}scan-banner\u{1}"
  static let noteMarker = "\u{1}scan-note\u{1}"

  enum Slot: Sendable {
    case json, banner, note
  }

  let status: Int
  let headers: [(String, String)]
  /// The answer's bytes around its slots: one piece more than slots.
  let pieces: [[UInt8]]
  let slots: [Slot]
  let lot: LotReference
  let serial: String

  /// The template of `reply`, whose body holds the markers.
  init(reply: ResolverReply, lot: LotReference, serial: String) {
    status = reply.status
    headers = reply.headers
    self.lot = lot
    self.serial = serial
    let markers: [(bytes: [UInt8], slot: Slot)] = [
      (CanonicalJSON.string(Self.marker).encoded(), .json),
      (Array(Self.bannerMarker.utf8), .banner),
      (Array(Self.noteMarker.utf8), .note),
    ]
    var pieces: [[UInt8]] = []
    var slots: [Slot] = []
    let body = reply.body
    var start = 0
    var index = 0
    while index < body.count {
      // Every marker begins with `"` or U+0001; only there is one looked for.
      if body[index] == 0x22 || body[index] == 0x01,
        let found = markers.first(where: { marker in
          body.count - index >= marker.bytes.count
            && body[index..<index + marker.bytes.count].elementsEqual(marker.bytes)
        })
      {
        pieces.append(Array(body[start..<index]))
        slots.append(found.slot)
        index += found.bytes.count
        start = index
      } else {
        index += 1
      }
    }
    pieces.append(Array(body[start...]))
    self.pieces = pieces
    self.slots = slots
  }

  /// The answer with `scans` in its slots.
  func fill(_ scans: ScanSummary?, text: Page.Text) -> ResolverReply {
    var body = pieces[0]
    for (index, slot) in slots.enumerated() {
      switch slot {
      case .json: body += Record.json(scans).encoded()
      case .banner: body += Array((Page.scanBanner(scans, text: text) ?? "").utf8)
      case .note: body += Array(Page.scanNote(scans, text: text).utf8)
      }
      body += pieces[index + 1]
    }
    return ResolverReply(status: status, headers: headers, body: body)
  }
}
