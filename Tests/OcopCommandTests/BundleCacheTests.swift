import Foundation
import Testing

/// A bundle is checked once: the store it was replayed into is kept in the user's cache
/// folder, keyed by the bundle's bytes and the trust list's entries, and opened by the next
/// check of the same bundle; anything changed is checked again from scratch.
@Suite("Checked bundles are kept")
struct BundleCacheTests {
  /// `ocop verify --bundle` of the template's first label, with its own cache folder.
  static func verify(
    _ folder: String, cache: String, bundle: String? = nil, trust: String? = nil,
    extra: [String] = []
  ) throws -> CommandRunner.Result {
    let label = try #require(
      try FileManager.default.contentsOfDirectory(atPath: folder + "/labels").sorted().first {
        $0.hasSuffix(".png")
      })
    return try CommandRunner.run(
      [
        "verify", "--bundle", bundle ?? folder + "/bundle.json", "--trust",
        trust ?? folder + "/trust.json", folder + "/labels/" + label,
      ] + extra, environment: ["XDG_CACHE_HOME": cache])
  }

  static func entries(_ cache: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: cache + "/ocop-trace/bundles")) ?? [])
      .filter { !$0.hasPrefix(".") }.sorted()
  }

  @Test func aBundleIsCheckedOnceAndAnythingChangedIsCheckedAgain() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let cache = folder + "/cache"
    let first = try Self.verify(folder, cache: cache)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(!first.stderr.contains("checked before"), "\(first.stderr)")
    let kept = Self.entries(cache)
    #expect(kept.count == 2 && kept.contains { $0.hasSuffix(".sqlite") }, "\(kept)")
    // The same bytes against the same entries: opened from the cache, same answer.
    let second = try Self.verify(folder, cache: cache)
    #expect(second.status == 0, "\(second.stderr)")
    #expect(second.stderr.contains("(checked before against this trust list)"), "\(second.stderr)")
    #expect(second.stdout == first.stdout)
    // A damaged kept store is never used: checked again, and replaced.
    let sqlite = cache + "/ocop-trace/bundles/" + kept.first { $0.hasSuffix(".sqlite") }!
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: sqlite)))
    bytes[bytes.count / 2] ^= 0xFF
    try Data(bytes).write(to: URL(fileURLWithPath: sqlite))
    let damaged = try Self.verify(folder, cache: cache)
    #expect(damaged.status == 0, "\(damaged.stderr)")
    #expect(!damaged.stderr.contains("checked before"), "\(damaged.stderr)")
    #expect(try Self.verify(folder, cache: cache).stderr.contains("checked before"))
    // The same bundle against another trust list: checked again, kept beside.
    let trust = try String(contentsOfFile: folder + "/trust.json", encoding: .utf8)
    let other = folder + "/other-trust.json"
    try trust.replacingOccurrences(of: "\"name\" : \"", with: "\"name\" : \"(copy) ")
      .write(toFile: other, atomically: true, encoding: .utf8)
    #expect(try String(contentsOfFile: other, encoding: .utf8) != trust)
    let otherList = try Self.verify(folder, cache: cache, trust: other)
    #expect(otherList.status == 0, "\(otherList.stderr)")
    #expect(!otherList.stderr.contains("checked before"), "\(otherList.stderr)")
    #expect(Self.entries(cache).count == 4)
    // A changed bundle is refused exactly as without a cache.
    let bundle = try String(contentsOfFile: folder + "/bundle.json", encoding: .utf8)
    let changedPath = folder + "/changed-bundle.json"
    try bundle.replacingOccurrences(of: "DTNQ-2611-02", with: "DTNQ-2611-09")
      .write(toFile: changedPath, atomically: true, encoding: .utf8)
    let changed = try Self.verify(folder, cache: cache, bundle: changedPath)
    let uncached = try Self.verify(
      folder, cache: folder + "/no-cache", bundle: changedPath, extra: ["--no-cache"])
    #expect(changed.status != 0)
    #expect(changed.status == uncached.status && changed.stderr == uncached.stderr)
    #expect(Self.entries(folder + "/no-cache").isEmpty)
  }
}

/// A bundle written by ocop is read in one pass over its bytes; one written otherwise (the
/// same JSON, pretty-printed, members reordered, escapes of another writer) is read whole.
/// Both are judged by the same rules, with the same messages.
@Suite("Bundles in other JSON layouts")
struct BundleLayoutTests {
  /// `bundle` re-written by Foundation's JSON writer, after `change`.
  static func rewritten(_ bundle: String, to path: String, change: (inout [String: Any]) -> Void)
    throws
  {
    var root = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bundle)))
        as? [String: Any])
    change(&root)
    try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted]).write(
      to: URL(fileURLWithPath: path))
  }

  @Test func aBundleInAnotherLayoutIsJudgedAlike() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let pretty = folder + "/pretty-bundle.json"
    try Self.rewritten(folder + "/bundle.json", to: pretty) { _ in }
    let canonical = try BundleCacheTests.verify(folder, cache: folder + "/c", extra: ["--no-cache"])
    let other = try BundleCacheTests.verify(
      folder, cache: folder + "/c", bundle: pretty, extra: ["--no-cache"])
    #expect(canonical.status == 0 && other.status == 0, "\(other.stderr)")
    #expect(canonical.stdout == other.stdout)
    // A record changed: refused alike, naming the record, in either layout.
    func changeFirstBatch(_ root: inout [String: Any]) {
      guard var records = root["records"] as? [String: Any],
        var batches = records["batches"] as? [[String: Any]], var first = batches.first,
        var batch = first["batch"] as? [String: Any]
      else { return }
      var origin = batch["origin"] as? [String: Any] ?? [:]
      origin["area"] = "Vùng khác"
      batch["origin"] = origin
      first["batch"] = batch
      batches[0] = first
      records["batches"] = batches
      root["records"] = records
    }
    let changedPretty = folder + "/changed-pretty.json"
    try Self.rewritten(folder + "/bundle.json", to: changedPretty, change: changeFirstBatch)
    let refusedPretty = try BundleCacheTests.verify(
      folder, cache: folder + "/c", bundle: changedPretty, extra: ["--no-cache"])
    #expect(refusedPretty.status != 0)
    #expect(
      refusedPretty.stderr.contains("its records do not match its signed events (batches: batch "),
      "\(refusedPretty.stderr)")
    // The same change in ocop's own layout: the one-pass reader finds the bytes differ and
    // names the same record.
    let bytes = try String(contentsOfFile: folder + "/bundle.json", encoding: .utf8)
    let changedCanonical = folder + "/changed-canonical.json"
    let recordsAt = try #require(bytes.range(of: #","records":"#))
    let tail = bytes[recordsAt.upperBound...]
    let area = tail.range(of: #""area":""#)
    let end = area.flatMap { tail[$0.upperBound...].firstIndex(of: "\"") }
    try #require(area != nil && end != nil, "no batch area in the bundle's records")
    let edited = String(bytes[..<area!.upperBound]) + "Vùng khác" + String(tail[end!...])
    try edited.write(toFile: changedCanonical, atomically: true, encoding: .utf8)
    let refused = try BundleCacheTests.verify(
      folder, cache: folder + "/c", bundle: changedCanonical, extra: ["--no-cache"])
    #expect(refused.status != 0)
    #expect(
      refused.stderr.contains("its records do not match its signed events (batches: batch "),
      "\(refused.stderr)")
  }
}
