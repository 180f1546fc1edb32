import Foundation
import Testing
import Traceability

/// A retailer's daily update: `export bundle --since` writes only the events after a head
/// the retailer holds; `verify` applies it on the bundle it follows (given with it, or kept
/// in the cache) and `import bundle` on the log the store holds; anything that does not
/// follow on is refused.
@Suite("Incremental bundles")
struct BundleUpdateTests {
  static func run(_ arguments: [String], store: String, cache: String? = nil) throws
    -> CommandRunner.Result
  {
    try CommandRunner.run(
      arguments + ["--store", store],
      environment: cache.map { ["XDG_CACHE_HOME": $0] } ?? [:])
  }

  /// `ocop verify` of the template's first label against `bundles`.
  static func verify(_ folder: String, _ bundles: [String], cache: String, extra: [String] = [])
    throws -> CommandRunner.Result
  {
    let label = try #require(
      try FileManager.default.contentsOfDirectory(atPath: folder + "/labels").sorted().first {
        $0.hasSuffix(".png")
      })
    return try CommandRunner.run(
      ["verify", "--trust", folder + "/trust.json"] + bundles.flatMap { ["--bundle", $0] }
        + [folder + "/labels/" + label] + extra,
      environment: ["XDG_CACHE_HOME": cache])
  }

  static func size(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
  }

  @Test func aDailyUpdateIsAppliedOnTheBundleItFollows() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let cache = folder + "/cache"
    let bundle = folder + "/bundle.json"
    // The retailer checks the full bundle once; it is kept.
    let first = try Self.verify(folder, [bundle], cache: cache)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("VALID"))
    // The producer recalls the lot, and sends the events since that bundle.
    let recall = try Self.run(
      ["recall", StoreTemplate.lot, "--reason", "Nhiễm khuẩn"], store: store)
    #expect(recall.status == 0, "\(recall.stderr)")
    let update = folder + "/update-1.json"
    let exported = try Self.run(
      ["export", "bundle", "--since", bundle, "--out", update], store: store)
    #expect(exported.status == 0, "\(exported.stderr)")
    #expect(exported.stdout.contains("1 event after event"), "\(exported.stdout)")
    #expect(Self.size(update) * 50 < Self.size(bundle), "an update holds the day's events only")
    // Applied on the bundle kept in the cache: the recall shows.
    let applied = try Self.verify(folder, [update], cache: cache)
    #expect(applied.status == 1)
    #expect(applied.stdout.contains("RECALLED"), "\(applied.stdout)")
    #expect(
      applied.stderr.contains("update of 1 event after event")
        && applied.stderr.contains("applied on a bundle checked before"), "\(applied.stderr)")
    // The same answer as a full bundle exported now.
    let full = folder + "/bundle-2.json"
    #expect(try Self.run(["export", "bundle", "--out", full], store: store).status == 0)
    let fresh = try Self.verify(folder, [full], cache: cache, extra: ["--no-cache"])
    #expect(fresh.stdout == applied.stdout)
    // Kept too: the next check opens it.
    let again = try Self.verify(folder, [update], cache: cache)
    #expect(again.stderr.contains("checked before against this trust list"), "\(again.stderr)")
    #expect(again.stdout == applied.stdout)
    // A second update, on the first.
    #expect(
      try Self.run(
        ["recall", "--withdraw", StoreTemplate.lot, "--reason", "Đạt"], store: store
      ).status == 0)
    let second = folder + "/update-2.json"
    #expect(
      try Self.run(["export", "bundle", "--since", update, "--out", second], store: store)
        .status == 0)
    let lifted = try Self.verify(folder, [second], cache: cache)
    #expect(lifted.status == 0, "\(lifted.stderr)")
    // Without the cache, the chain is given whole: the same answer.
    let chain = try Self.verify(
      folder, [bundle, update, second], cache: folder + "/none", extra: ["--no-cache"])
    #expect(chain.status == 0, "\(chain.stderr)")
    #expect(chain.stdout == lifted.stdout)
    #expect(chain.stderr.contains("applied on bundle \(update)"), "\(chain.stderr)")
    // Without its base at hand, an update is refused and says what to do.
    let alone = try Self.verify(folder, [second], cache: folder + "/none", extra: ["--no-cache"])
    #expect(alone.status == 1)
    #expect(alone.stderr.contains("the bundle it follows is not at hand"), "\(alone.stderr)")
  }

  /// The cache's files: name → bytes.
  static func cached(_ cache: String) throws -> [String: Data] {
    let folder = cache + "/ocop-trace/bundles"
    var files: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder)
    where !name.hasPrefix(".") {
      files[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
    }
    return files
  }

  /// The manifest of the one cache entry whose name starts with `prefix`.
  static func manifest(_ cache: String, prefix: String) throws -> [String: Any]? {
    guard
      let data = try cached(cache).first(where: {
        $0.key.hasPrefix(prefix) && $0.key.hasSuffix(".json")
      })?.value
    else { return nil }
    return try JSONSerialization.jsonObject(with: data) as? [String: Any]
  }

  static func sha256(_ path: String) throws -> String {
    try #require(ByteText.sha256Hex(file: path))
  }

  @Test func aKeptBundleIsCarriedForwardInPlace() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let cache = folder + "/cache"
    let bundle = folder + "/bundle.json"
    #expect(try Self.verify(folder, [bundle], cache: cache).status == 0)
    let bundleHash = try Self.sha256(bundle)
    let kept = try #require(try Self.manifest(cache, prefix: String(bundleHash.prefix(32))))
    #expect(kept["storeSHA256"] is String, "a bundle checked whole keeps its store's hash")
    #expect(try Self.run(["recall", StoreTemplate.lot, "--reason", "A"], store: store).status == 0)
    let update = folder + "/update.json"
    #expect(
      try Self.run(["export", "bundle", "--since", bundle, "--out", update], store: store).status
        == 0)
    // A changed update is refused, and the kept entry is left byte for byte as it was.
    let before = try Self.cached(cache)
    let changed = folder + "/changed.json"
    try String(contentsOfFile: update, encoding: .utf8)
      .replacingOccurrences(of: #"\"reason\":\"A\""#, with: #"\"reason\":\"C\""#)
      .write(toFile: changed, atomically: true, encoding: .utf8)
    let refused = try Self.verify(folder, [changed], cache: cache)
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("signature"), "\(refused.stderr)")
    #expect(try Self.cached(cache) == before)
    // The update is appended to the kept store, whose entry moves to the update's name: one
    // entry, with no store hash, only its file's state.
    let applied = try Self.verify(folder, [update], cache: cache)
    #expect(applied.stdout.contains("RECALLED"), "\(applied.stdout)")
    let files = try Self.cached(cache)
    #expect(files.count == 2, "\(files.keys.sorted())")
    let updateHash = try Self.sha256(update)
    #expect(try Self.manifest(cache, prefix: String(bundleHash.prefix(32))) == nil)
    let moved = try #require(try Self.manifest(cache, prefix: String(updateHash.prefix(32))))
    #expect(moved["storeSHA256"] == nil || moved["storeSHA256"] is NSNull)
    #expect(moved["storeState"] is [String: Any])
    #expect(moved["headSequence"] as? Int == (kept["headSequence"] as? Int).map { $0 + 1 })
    // Opened again without a hash; a store written since is never used, and the update
    // alone cannot be checked again without its base.
    let again = try Self.verify(folder, [update], cache: cache)
    #expect(again.stderr.contains("checked before against this trust list"), "\(again.stderr)")
    let file = try #require(files.keys.first { $0.hasSuffix(".sqlite") })
    let path = cache + "/ocop-trace/bundles/" + file
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[bytes.count - 100] ^= 0xFF
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let damaged = try Self.verify(folder, [update], cache: cache)
    #expect(damaged.status == 1)
    #expect(damaged.stderr.contains("the bundle it follows is not at hand"), "\(damaged.stderr)")
    // Given with its base, it is checked afresh and gives the same answer.
    let chain = try Self.verify(folder, [bundle, update], cache: cache)
    #expect(chain.stdout == applied.stdout, "\(chain.stderr)")
  }

  @Test func anUpdateThatDoesNotFollowOnIsRefused() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let bundle = folder + "/bundle.json"
    // A second copy of the same store, whose next event is another one: a fork.
    let forkStore = try StoreTemplate.copy()
    #expect(try Self.run(["recall", StoreTemplate.lot, "--reason", "A"], store: store).status == 0)
    #expect(
      try Self.run(["recall", StoreTemplate.lot, "--reason", "B"], store: forkStore).status == 0)
    let update = folder + "/update.json"
    let forked = folder + "/forked.json"
    let ahead = folder + "/ahead.json"
    #expect(
      try Self.run(["export", "bundle", "--since", bundle, "--out", update], store: store).status
        == 0)
    #expect(
      try Self.run(["export", "bundle", "--since", bundle, "--out", forked], store: forkStore)
        .status == 0)
    #expect(try Self.run(["export", "bundle", "--out", ahead], store: store).status == 0)
    let none = folder + "/none"
    // The fork, on the other copy's bundle: its event differs from the one held.
    let fork = try Self.verify(folder, [ahead, forked], cache: none, extra: ["--no-cache"])
    #expect(fork.status == 1)
    #expect(fork.stderr.contains("the log has forked"), "\(fork.stderr)")
    // A changed event: its signature no longer verifies.
    let text = try String(contentsOfFile: update, encoding: .utf8)
    let changed = folder + "/changed.json"
    try text.replacingOccurrences(of: #"\"reason\":\"A\""#, with: #"\"reason\":\"C\""#)
      .write(toFile: changed, atomically: true, encoding: .utf8)
    #expect(try String(contentsOfFile: changed, encoding: .utf8) != text)
    let badSignature = try Self.verify(
      folder, [bundle, changed], cache: none, extra: ["--no-cache"])
    #expect(badSignature.status == 1)
    #expect(badSignature.stderr.contains("signature"), "\(badSignature.stderr)")
    // A base that is not the event its first event follows.
    let base = try #require(text.range(of: #""hash":""#))
    var moved = text
    moved.replaceSubrange(base.upperBound..<text.index(base.upperBound, offsetBy: 4), with: "0000")
    let rebased = folder + "/rebased.json"
    try moved.write(toFile: rebased, atomically: true, encoding: .utf8)
    let broken = try Self.verify(folder, [bundle, rebased], cache: none, extra: ["--no-cache"])
    #expect(broken.status == 1)
    #expect(broken.stderr.contains("previous-hash link is broken"), "\(broken.stderr)")
    // A head the store does not have.
    let wrong = try Self.run(
      ["export", "bundle", "--since", "3:00000000", "--out", folder + "/x.json"], store: store)
    #expect(wrong.status == 1)
    #expect(wrong.stderr.contains("the head held is not this store's"), "\(wrong.stderr)")
    #expect(!FileManager.default.fileExists(atPath: folder + "/x.json"))
  }

  @Test func anOfficeTakesInUpdatesOnTheLogItHolds() throws {
    let producer = try StoreTemplate.copy()
    let folder = (producer as NSString).deletingLastPathComponent
    let office = folder + "/office/office.sqlite"
    try FileManager.default.createDirectory(
      atPath: folder + "/office", withIntermediateDirectories: true)
    for arguments in [
      ["init", "--resolver", "https://truyxuat.angiang.example", "--prefix", "8932301"],
      ["keys", "import", folder + "/trust.json"],
    ] {
      let result = try Self.run(arguments, store: office)
      #expect(result.status == 0, "\(arguments): \(result.stderr)")
    }
    #expect(
      try Self.run(["recall", StoreTemplate.lot, "--reason", "A"], store: producer).status == 0)
    let update = folder + "/update.json"
    #expect(
      try Self.run(
        ["export", "bundle", "--since", folder + "/bundle.json", "--out", update], store: producer
      ).status == 0)
    // Before the bundle it follows: refused, and the store is as it was.
    let before = try storeFiles(office)
    let early = try Self.run(["import", "bundle", update], store: office)
    #expect(early.status == 1)
    #expect(early.stderr.contains("import the bundle up to event"), "\(early.stderr)")
    #expect(try storeFiles(office) == before)
    // After it: the one new event is added; again, nothing.
    #expect(try Self.run(["import", "bundle", folder + "/bundle.json"], store: office).status == 0)
    let taken = try Self.run(["import", "bundle", update], store: office)
    #expect(taken.status == 0, "\(taken.stderr)")
    #expect(taken.stdout.contains("imported 1 event from"), "\(taken.stdout)")
    let repeated = try Self.run(["import", "bundle", update], store: office)
    #expect(repeated.stdout.contains("imported 0 events from"), "\(repeated.stdout)")
    #expect(try Self.run(["audit"], store: office).status == 0)
  }

  @Test func anAuditCarriesOnFromASignedCheckpoint() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let checkpoint = folder + "/audit.checkpoint"
    let whole = try Self.run(["audit", "--checkpoint", checkpoint], store: store)
    #expect(whole.status == 0, "\(whole.stderr)")
    #expect(whole.stdout.contains("checkpoint written to \(checkpoint)"))
    #expect(try Self.run(["recall", StoreTemplate.lot, "--reason", "A"], store: store).status == 0)
    let since = try Self.run(
      ["audit", "--since", checkpoint, "--checkpoint", checkpoint], store: store)
    #expect(since.status == 0, "\(since.stderr)")
    #expect(since.stdout.contains("audit passed: 1 event after the checkpoint at event"))
    let next = try Self.run(["audit", "--since", checkpoint, "--json"], store: store)
    #expect(next.stdout.contains(#""events":0"#), "\(next.stdout)")
    // A checkpoint changed by hand: its signature is refused, nothing is audited.
    let text = try String(contentsOfFile: checkpoint, encoding: .utf8)
    let forged = folder + "/forged.checkpoint"
    try text.replacingOccurrences(of: #""from":"#, with: #""from":1"#)
      .write(toFile: forged, atomically: true, encoding: .utf8)
    let refused = try Self.run(["audit", "--since", forged], store: store)
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("its signature is refused"), "\(refused.stderr)")
    // Missing files and folders are named before any work.
    let missing = try Self.run(["audit", "--since", folder + "/nothing.json"], store: store)
    #expect(missing.stderr.contains("does not exist"), "\(missing.stderr)")
    let nowhere = try Self.run(["audit", "--checkpoint", folder + "/no/such/cp"], store: store)
    #expect(nowhere.status == 1)
    #expect(nowhere.stderr.contains("does not exist"), "\(nowhere.stderr)")
  }
}
