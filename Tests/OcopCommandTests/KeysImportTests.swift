import Foundation
import TestSupport
import Testing

/// `ocop keys import` and the store's own issuer: its entry signed every event of the store,
/// so an imported list may revoke it but never rename or re-date it.
@Suite("keys import and the store's own issuer")
struct KeysImportTests {
  /// The store's trust list, with `change` made to its own issuer's entry, written as
  /// `incoming.json` beside it; returns that file.
  static func incoming(_ folder: String, _ change: (inout [String: Any]) -> Void) throws
    -> String
  {
    let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/ag.trust.json"))
    var list = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    var issuers = try #require(list["issuers"] as? [[String: Any]])
    try #require(issuers.count == 1)
    change(&issuers[0])
    list["issuers"] = issuers
    let path = folder + "/incoming.json"
    try JSONSerialization.data(withJSONObject: list).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test(arguments: [
    ("name", "Sở giả mạo"), ("validFrom", "2030-01-01T00:00:00.000Z"),
    ("validUntil", "2026-01-01T00:00:00.000Z"),
  ])
  func aChangeToTheOwnIssuerIsRefusedNamingTheField(_ field: String, _ value: String) throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let trust = folder + "/ag.trust.json"
    let before = try Data(contentsOf: URL(fileURLWithPath: trust))
    let file = try Self.incoming(folder) { $0[field] = value }
    let result = try CommandRunner.run(["keys", "import", file, "--store", store])
    #expect(result.status == 1)
    #expect(result.stderr.contains("trust list \(file): issuer "), "\(result.stderr)")
    #expect(result.stderr.contains("own issuer"), "\(result.stderr)")
    #expect(result.stderr.contains("its \(field) is"), "\(result.stderr)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: trust)) == before)
    let audit = try CommandRunner.run(["audit", "--store", store])
    #expect(audit.status == 0, "\(audit.stdout)")
  }

  @Test func theSameEntryChangesNothingAndARevocationIsTaken() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let trust = folder + "/ag.trust.json"
    let before = try Data(contentsOf: URL(fileURLWithPath: trust))
    let same = try CommandRunner.run([
      "keys", "import", try Self.incoming(folder) { _ in }, "--store", store,
    ])
    #expect(same.status == 0, "\(same.stderr)")
    #expect(same.stdout.contains("this store's own, and the list gives it unchanged"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: trust)) == before)
    let revoked = try CommandRunner.run([
      "keys", "import", try Self.incoming(folder) { $0["revoked"] = true }, "--store", store,
    ])
    #expect(revoked.status == 0, "\(revoked.stderr)")
    let shown = try CommandRunner.run(["keys", "show", "--store", store])
    #expect(shown.stdout.contains(", revoked, batches+ratings, any prefix)"), "\(shown.stdout)")
  }

  @Test func theTrustListKeepsItsModeWhateverTheUmask() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let other = TemporaryFolder("ocop-keys-other")
    let made = try CommandRunner.run([
      "init", "--store", other.file("dt.sqlite"), "--resolver", "https://x.example", "--prefix",
      "8932302",
    ])
    try #require(made.status == 0, "\(made.stderr)")
    let result = try Subprocess.run([
      "/bin/sh", "-c", "umask 000 && exec \"$0\" \"$@\"", CommandRunner.executable.path, "keys",
      "import", other.file("dt.trust.json"), "--store", store,
    ])
    #expect(result.status == 0, "\(String(decoding: result.stderr, as: UTF8.self))")
    let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/ag.trust.json")
    #expect(attributes[.posixPermissions] as? Int == 0o644)
    let shown = try CommandRunner.run(["keys", "show", "--store", store])
    #expect(shown.stdout.contains("trusted issuers:"))
    #expect(shown.stdout.components(separatedBy: "(from ").count == 3, "\(shown.stdout)")
  }
}
