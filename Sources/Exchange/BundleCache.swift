import Foundation
import TraceStoreSQLite
import Traceability

/// Bundles already checked: the private store a bundle was replayed into, kept after its
/// check passed, with a manifest that says what it was checked against. A later check of
/// the same bundle bytes against the same trust-list entries opens it instead of
/// replaying and auditing the bundle again.
///
/// The folder is `$XDG_CACHE_HOME/ocop-trace/bundles` (or `~/.cache/ocop-trace/bundles`).
/// An entry is named by the SHA-256 of the bundle's bytes and of the trust list's entries
/// (``TrustList/fingerprint``). Its manifest holds the kept store's file state (device,
/// inode, size, modification and change times: any write through the file system moves
/// the change time, which no program can set back) and, for a bundle checked whole, the
/// store's SHA-256. A store whose state is not the one recorded is hashed, and used only
/// if the hash is the one recorded; otherwise it is checked again from the bundle and
/// replaced. The newest ``limit`` entries are kept.
///
/// An update checked on a kept store is appended to that store in place, and the entry
/// moves to the update's name: its store then has no recorded hash, only its state.
public struct BundleCache: Sendable {
  /// The folder.
  public let folder: String
  /// How many checked bundles are kept (the least recently used go first).
  public var limit = 8

  public static let manifestFormat = "ocop-trace checked bundle v3"

  /// A cache in `folder`.
  public init(folder: String) {
    self.folder = folder
  }

  /// The user's cache folder: `$XDG_CACHE_HOME/ocop-trace/bundles`, else
  /// `$HOME/.cache/ocop-trace/bundles`; nil when neither is set.
  public static var standard: BundleCache? {
    let environment = ProcessInfo.processInfo.environment
    if let base = environment["XDG_CACHE_HOME"], base.hasPrefix("/") {
      return BundleCache(folder: base + "/ocop-trace/bundles")
    }
    if let home = environment["HOME"], home.hasPrefix("/") {
      return BundleCache(folder: home + "/.cache/ocop-trace/bundles")
    }
    return nil
  }

  /// What an entry's manifest says.
  struct Manifest: Codable, Equatable {
    var format: String
    var bundleSHA256: String
    var trustListSHA256: String
    /// The store's SHA-256 when it was kept; nil for a store an update was appended to.
    var storeSHA256: String?
    /// The store's file state when it was kept.
    var storeState: FileState
    var eventsChecked: Int64
    var headSequence: Int64
    var headHash: String
    var exportedAt: String?
    var checkedAt: String
    /// Where the check began: 0, or for an update the head of the store it was applied on.
    var since: Int64
    /// The audit's checkpoint at the head (``AuditCheckpoint/json``, canonical): where an
    /// update on this bundle carries on from.
    var checkpoint: String
    /// The bundle's size: which entry a bundle probably has, before its hash is known.
    var bundleBytes: Int?
  }

  /// A file's state, read without reading the file: which file it is and when it last
  /// changed. Two states are equal only if nothing was written to the file in between.
  struct FileState: Codable, Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    /// Modification and status change times, in nanoseconds since 1970.
    var modified: Int64
    var changed: Int64

    /// The state of the file at `path`, or nil.
    static func of(_ path: String) -> FileState? {
      var status = stat()
      guard stat(path, &status) == 0 else { return nil }
      func nanoseconds(_ time: timespec) -> Int64 {
        Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
      }
      return FileState(
        device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
        modified: nanoseconds(status.st_mtim), changed: nanoseconds(status.st_ctim))
    }

    /// The state of the file at `path`, read once the clock has moved well past its last
    /// change: file times advance by a clock tick of a few milliseconds, so a write in the
    /// tick of the state read would otherwise leave the times as they were.
    static func settled(_ path: String) -> FileState? {
      for _ in 0..<5 {
        guard let state = of(path) else { return nil }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let age = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec) - state.changed
        if age >= 20_000_000 { return state }
        usleep(UInt32(max(1_000, (20_000_000 - age) / 1_000)))
      }
      return nil
    }
  }

  /// The entry most recently used of a bundle of `bundleBytes` bytes checked against the
  /// trust list whose fingerprint is `trustList`, when its store must be hashed to be
  /// trusted: its bundle's hash and its store's path. Only a guess, to hash that store
  /// while the bundle is hashed.
  func likely(bundleBytes: Int, trustList: String) -> (bundle: String, store: String)? {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
      return nil
    }
    var best: (bundle: String, store: String, state: FileState, used: Date)?
    for file in names where file.hasSuffix(".json") && !file.hasPrefix(".") {
      let path = folder + "/" + file
      guard let data = FileManager.default.contents(atPath: path),
        let manifest = try? JSONDecoder().decode(Manifest.self, from: data),
        manifest.bundleBytes == bundleBytes, manifest.trustListSHA256 == trustList
      else { continue }
      let used =
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        ?? .distantPast
      if best == nil || used > best!.used {
        best = (
          manifest.bundleSHA256, String(path.dropLast(5)) + ".sqlite", manifest.storeState, used
        )
      }
    }
    guard let best, FileState.of(best.store) != best.state else { return nil }
    return (best.bundle, best.store)
  }

  /// The checkpoint a manifest holds.
  static func checkpoint(of manifest: Manifest) -> AuditCheckpoint? {
    guard let json = try? CanonicalJSON(canonical: Array(manifest.checkpoint.utf8)) else {
      return nil
    }
    return AuditCheckpoint(json: json)
  }

  func name(bundle: String, trustList: String) -> String {
    String(bundle.prefix(32)) + "-" + String(trustList.prefix(32))
  }

  /// The kept store of a bundle whose bytes hash to `bundle`, checked against a trust list
  /// whose fingerprint is `trustList`, when there is one and it is whole; its audit and
  /// export time as they were when it was checked.
  func lookup(bundle: String, trustList: String, storeHash: String? = nil) -> (
    path: String, report: AuditReport, exportedAt: Timestamp?
  )? {
    entry(named: name(bundle: bundle, trustList: trustList), storeHash: storeHash) {
      $0.bundleSHA256 == bundle && $0.trustListSHA256 == trustList
    }
  }

  /// The entry `name`, when its manifest passes `test` and its store is whole: in the state
  /// recorded, else with the hash recorded (`storeHash`, when that was just computed, else
  /// computed now).
  private func entry(named name: String, storeHash: String? = nil, _ test: (Manifest) -> Bool)
    -> (path: String, report: AuditReport, exportedAt: Timestamp?)?
  {
    let base = folder + "/" + name
    guard let data = FileManager.default.contents(atPath: base + ".json"),
      let manifest = try? JSONDecoder().decode(Manifest.self, from: data),
      manifest.format == Self.manifestFormat, test(manifest),
      let checkpoint = Self.checkpoint(of: manifest)
    else { return nil }
    if FileState.of(base + ".sqlite") != manifest.storeState {
      guard let recorded = manifest.storeSHA256,
        (storeHash ?? ByteText.sha256Hex(file: base + ".sqlite")) == recorded
      else { return nil }
    }
    // Used now: the last to go when the cache is trimmed.
    try? FileManager.default.setAttributes(
      [.modificationDate: Date()], ofItemAtPath: base + ".json")
    let exportedAt = manifest.exportedAt.flatMap { try? Timestamp($0) }
    return (
      base + ".sqlite",
      AuditReport(
        eventsChecked: manifest.eventsChecked, headSequence: manifest.headSequence,
        headHash: manifest.headHash, failure: nil, since: manifest.since,
        checkpoint: checkpoint),
      exportedAt
    )
  }

  /// The kept stores checked against the trust list whose fingerprint is `trustList` that
  /// hold log `log` at least as far as event `sequence`, the nearest first: where an update
  /// after that event may be applied. Each is whole; whether it holds that very event is
  /// for the caller to check.
  func bases(log: String, from sequence: Int64, trustList: String) -> [(
    path: String, report: AuditReport, exportedAt: Timestamp?
  )] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
      return []
    }
    var found: [(path: String, report: AuditReport, exportedAt: Timestamp?)] = []
    for file in names where file.hasSuffix(".json") && !file.hasPrefix(".") {
      // The manifest is read first, so that only candidates are hashed.
      guard let data = FileManager.default.contents(atPath: folder + "/" + file),
        let manifest = try? JSONDecoder().decode(Manifest.self, from: data),
        manifest.trustListSHA256 == trustList, manifest.headSequence >= sequence,
        Self.checkpoint(of: manifest)?.log == log,
        let kept = entry(named: String(file.dropLast(5)), { _ in true })
      else { continue }
      found.append(kept)
    }
    return found.sorted { $0.report.headSequence < $1.report.headSequence }
  }

  /// The kept store of a bundle whose bytes hash to `bundle`, checked against a trust list
  /// whose fingerprint is `trustList`, opened; nil when there is none, it is not whole, or
  /// it cannot be opened.
  func open(bundle: String, trustList: String, storeHash: String? = nil) -> (
    store: SQLiteTraceStore, report: AuditReport, exportedAt: Timestamp?
  )? {
    guard let kept = lookup(bundle: bundle, trustList: trustList, storeHash: storeHash),
      let store = try? SQLiteTraceStore(path: kept.path, signer: nil)
    else { return nil }
    return (store, kept.report, kept.exportedAt)
  }

  /// Keeps `store` (a closed SQLite file whose bundle passed its check; moved or copied
  /// from where it is) as the entry of `bundle` and `trustList`. The file and then the manifest appear whole or not at all;
  /// a cache that cannot be written is left as it was.
  func keep(
    store: String, bundle: String, bundleBytes: Int? = nil, trustList: String,
    report: AuditReport, exportedAt: Timestamp?
  ) {
    guard let checkpoint = report.checkpoint else { return }
    let manager = FileManager.default
    let base = folder + "/" + name(bundle: bundle, trustList: trustList)
    let staging = folder + "/.incoming-" + UUID().uuidString
    do {
      try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
      // Moved when the cache is on the same file system, else copied; hashed from the file.
      if rename(store, staging + ".sqlite") != 0 {
        try manager.copyItem(atPath: store, toPath: staging + ".sqlite")
      }
      guard let storeHash = ByteText.sha256Hex(file: staging + ".sqlite"),
        rename(staging + ".sqlite", base + ".sqlite") == 0
      else {
        try? manager.removeItem(atPath: staging + ".sqlite")
        return
      }
      // The store first: a manifest never names a store that is not there yet.
      record(
        store: base + ".sqlite", hash: storeHash, bundle: bundle, bundleBytes: bundleBytes,
        trustList: trustList, report: report, checkpoint: checkpoint, exportedAt: exportedAt)
    } catch {
      try? manager.removeItem(atPath: staging + ".sqlite")
    }
  }

  /// Writes the manifest of the store at `store` (in the folder, named as the entry of
  /// `bundle` and `trustList`), whole or not at all, then trims the cache.
  private func record(
    store: String, hash: String?, bundle: String, bundleBytes: Int?, trustList: String,
    report: AuditReport, checkpoint: AuditCheckpoint, exportedAt: Timestamp?
  ) {
    let staging = folder + "/.incoming-" + UUID().uuidString + ".json"
    guard let state = FileState.settled(store) else { return }
    let manifest = Manifest(
      format: Self.manifestFormat, bundleSHA256: bundle, trustListSHA256: trustList,
      storeSHA256: hash, storeState: state, eventsChecked: report.eventsChecked,
      headSequence: report.headSequence, headHash: report.headHash,
      exportedAt: exportedAt?.text, checkedAt: Timestamp.now().text, since: report.since,
      checkpoint: String(decoding: checkpoint.json.encoded(), as: UTF8.self),
      bundleBytes: bundleBytes)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
    guard (try? encoder.encode(manifest).write(to: URL(fileURLWithPath: staging))) != nil,
      rename(staging, String(store.dropLast(7)) + ".json") == 0
    else {
      try? FileManager.default.removeItem(atPath: staging)
      return
    }
    trim()
  }

  /// Runs `body` holding the cache's lock, which other processes carrying an entry forward
  /// wait for; without the lock (a folder that cannot be written) `body` runs all the same.
  func locked<T>(_ body: () async throws(TraceError) -> T) async throws(TraceError) -> T {
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let descriptor = Glibc.open(folder + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    if descriptor >= 0 {
      while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
    }
    defer { if descriptor >= 0 { close(descriptor) } }
    return try await body()
  }

  /// Moves the kept store at `store`, which an update was just appended to (and which is
  /// closed), to the entry of the update's bytes `bundle`: the old entry's manifest goes,
  /// since it no longer describes the store. Returns the store's path after the move.
  func carryForward(
    store: String, bundle: String, bundleBytes: Int?, trustList: String, report: AuditReport,
    exportedAt: Timestamp?
  ) -> String {
    let old = String(store.dropLast(7))
    let moved = folder + "/" + name(bundle: bundle, trustList: trustList) + ".sqlite"
    try? FileManager.default.removeItem(atPath: old + ".json")
    guard let checkpoint = report.checkpoint, rename(store, moved) == 0 else { return store }
    record(
      store: moved, hash: nil, bundle: bundle, bundleBytes: bundleBytes, trustList: trustList,
      report: report, checkpoint: checkpoint, exportedAt: exportedAt)
    return moved
  }

  /// Removes the least recently used entries beyond ``limit``.
  func trim() {
    let manager = FileManager.default
    guard let names = try? manager.contentsOfDirectory(atPath: folder) else { return }
    let entries = names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.map {
      name -> (String, Date) in
      let date =
        (try? manager.attributesOfItem(atPath: folder + "/" + name))?[.modificationDate] as? Date
      return (String(name.dropLast(5)), date ?? .distantPast)
    }.sorted { $0.1 > $1.1 }
    for (name, _) in entries.dropFirst(max(0, limit)) {
      try? manager.removeItem(atPath: folder + "/" + name + ".json")
      try? manager.removeItem(atPath: folder + "/" + name + ".sqlite")
    }
    // A store left without its manifest (a run stopped between the two) goes once it is
    // ten minutes old: another run keeping a store writes its manifest at once.
    let listed = Set(entries.map(\.0))
    for file in names where file.hasSuffix(".sqlite") && !file.hasPrefix(".") {
      let name = String(file.dropLast(7))
      guard !listed.contains(name), let state = FileState.of(folder + "/" + file) else {
        continue
      }
      if Date().timeIntervalSince1970 - Double(state.changed) / 1e9 > 600 {
        try? manager.removeItem(atPath: folder + "/" + file)
      }
    }
  }
}
