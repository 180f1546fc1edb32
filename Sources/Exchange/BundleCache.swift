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
/// (``TrustList/fingerprint``); its manifest holds the SHA-256 of the kept store, checked
/// each time it is opened, so a changed or damaged store is never used: it is checked
/// again from the bundle and replaced. The newest ``limit`` entries are kept.
public struct BundleCache: Sendable {
  /// The folder.
  public let folder: String
  /// How many checked bundles are kept (the least recently used go first).
  public var limit = 8

  public static let manifestFormat = "ocop-trace checked bundle v2"

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
    var storeSHA256: String
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

  /// The entry most recently used of a bundle of `bundleBytes` bytes checked against the
  /// trust list whose fingerprint is `trustList`: its bundle's hash and its store's path.
  /// Only a guess, to hash that store while the bundle is hashed.
  func likely(bundleBytes: Int, trustList: String) -> (bundle: String, store: String)? {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
      return nil
    }
    var best: (bundle: String, store: String, used: Date)?
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
        best = (manifest.bundleSHA256, String(path.dropLast(5)) + ".sqlite", used)
      }
    }
    return best.map { ($0.bundle, $0.store) }
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

  /// The entry `name`, when its manifest passes `test` and its store is whole (its hash
  /// `storeHash`, when that was just computed, else computed now).
  private func entry(named name: String, storeHash: String? = nil, _ test: (Manifest) -> Bool)
    -> (path: String, report: AuditReport, exportedAt: Timestamp?)?
  {
    let base = folder + "/" + name
    guard let data = FileManager.default.contents(atPath: base + ".json"),
      let manifest = try? JSONDecoder().decode(Manifest.self, from: data),
      manifest.format == Self.manifestFormat, test(manifest),
      let checkpoint = Self.checkpoint(of: manifest),
      (storeHash ?? ByteText.sha256Hex(file: base + ".sqlite")) == manifest.storeSHA256
    else { return nil }
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
      guard let storeHash = ByteText.sha256Hex(file: staging + ".sqlite") else {
        try? manager.removeItem(atPath: staging + ".sqlite")
        return
      }
      let manifest = Manifest(
        format: Self.manifestFormat, bundleSHA256: bundle, trustListSHA256: trustList,
        storeSHA256: storeHash, eventsChecked: report.eventsChecked,
        headSequence: report.headSequence, headHash: report.headHash,
        exportedAt: exportedAt?.text, checkedAt: Timestamp.now().text, since: report.since,
        checkpoint: String(decoding: checkpoint.json.encoded(), as: UTF8.self),
        bundleBytes: bundleBytes)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
      try encoder.encode(manifest).write(to: URL(fileURLWithPath: staging + ".json"))
      // The store first: a manifest never names a store that is not there yet.
      guard rename(staging + ".sqlite", base + ".sqlite") == 0,
        rename(staging + ".json", base + ".json") == 0
      else {
        try? manager.removeItem(atPath: staging + ".sqlite")
        try? manager.removeItem(atPath: staging + ".json")
        return
      }
      trim()
    } catch {
      try? manager.removeItem(atPath: staging + ".sqlite")
      try? manager.removeItem(atPath: staging + ".json")
    }
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
  }
}
