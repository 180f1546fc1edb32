import Foundation
import GRDB
import TestSupport
import Testing

@testable import Traceability

/// Edits made behind the toolkit's back, to a store's file and to an exported bundle: every
/// one is found, and the report names the record at fault.
@Suite("Tampering is found, and named")
struct TamperTests {
  /// An issuer nobody trusts, whose signatures are perfectly valid.
  static let intruder = try! IssuerKey(seed: [UInt8](repeating: 7, count: 32), name: "Intruder")

  /// Event `sequence` as it is, re-signed by the intruder (its body names the intruder's key).
  static func resigned(_ body: [UInt8], _ signature: [UInt8]) throws -> Event {
    let original = try Event(body: body, signature: signature)
    return try Event.make(
      sequence: original.sequence, kind: original.kind, data: original.data,
      at: original.recordedAt, previousHash: original.previousHash, signer: intruder)
  }

  /// The same edits are made to a store and to a bundle.
  enum Edit: String, CaseIterable, Sendable {
    case fieldInEvent, fieldInRecords, deletedEvent, reorderedEvents, swappedSignature
    case foreignKey, truncatedFile, revokedIssuer, expiredIssuer
  }

  /// The trust list in `folder` with its issuer revoked, or trusted only until 2020; and what
  /// the refusal says.
  static func changedTrust(_ folder: String, _ edit: Edit) throws -> (path: String, says: String) {
    let trust = try String(contentsOfFile: folder + "/trust.json", encoding: .utf8)
    let changed = trust.replacingOccurrences(
      of: "\"revoked\" : false",
      with: edit == .revokedIssuer
        ? "\"revoked\" : true" : "\"revoked\" : false, \"validUntil\" : \"2020-01-01T00:00:00Z\"")
    #expect(changed != trust)
    let path = folder + "/changed-trust.json"
    try changed.write(toFile: path, atomically: true, encoding: .utf8)
    return (path, edit == .revokedIssuer ? "has been revoked" : "was trusted only until")
  }

  @Test(arguments: Edit.allCases)
  func aStoreEdited(_ edit: Edit) throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    defer { try? FileManager.default.removeItem(atPath: folder) }
    var arguments = ["audit", "--store", store]
    let expected: String
    switch edit {
    case .fieldInEvent:
      // The quantity of the batch issued as event 150, in its signed body.
      try SQLiteFile.tamper(store) { db in
        let body = try #require(
          try Data.fetchOne(db, sql: "SELECT body FROM events WHERE seq = 150"))
        let text = String(decoding: body, as: UTF8.self)
        let changed = text.replacingOccurrences(
          of: #""amount":"(\d+)""#, with: #""amount":"9$1""#, options: .regularExpression)
        #expect(changed != text)
        try db.execute(
          sql: "UPDATE events SET body = ? WHERE seq = 150", arguments: [Data(changed.utf8)])
      }
      expected = "event 150"
    case .fieldInRecords:
      try SQLiteFile.tamper(store) { db in
        try db.execute(
          sql: "UPDATE batches SET amount = '99999' WHERE lot = 'DTNQ-2611-02'")
      }
      expected = "batches row"
    case .deletedEvent:
      try SQLiteFile.tamper(store) { db in try db.execute(sql: "DELETE FROM events WHERE seq = 40")
      }
      expected = "event 40"
    case .reorderedEvents:
      try SQLiteFile.tamper(store) { db in
        try db.execute(sql: "UPDATE events SET seq = -1 WHERE seq = 60")
        try db.execute(sql: "UPDATE events SET seq = 60 WHERE seq = 61")
        try db.execute(sql: "UPDATE events SET seq = 61 WHERE seq = -1")
      }
      expected = "event 60"
    case .swappedSignature:
      try SQLiteFile.tamper(store) { db in
        try db.execute(
          sql:
            "UPDATE events SET signature = (SELECT signature FROM events WHERE seq = 9) WHERE seq = 10"
        )
      }
      expected = "event 10"
    case .foreignKey:
      try SQLiteFile.tamper(store) { db in
        let row = try #require(
          try Row.fetchOne(db, sql: "SELECT body, signature FROM events WHERE seq = 100"))
        let forged = try Self.resigned(
          Array(row["body"] as Data), Array(row["signature"] as Data))
        try db.execute(
          sql: "UPDATE events SET body = ?, signature = ?, hash = ? WHERE seq = 100",
          arguments: [Data(forged.body), Data(forged.signature), Data(forged.hash)])
      }
      expected = "event 100"
    case .truncatedFile:
      let handle = try FileHandle(forUpdating: URL(fileURLWithPath: store))
      let size = try handle.seekToEnd()
      try handle.truncate(atOffset: size / 2)
      try handle.close()
      expected = store
    case .revokedIssuer, .expiredIssuer:
      let trust = try Self.changedTrust(folder, edit)
      arguments += ["--trust", trust.path]
      expected = trust.says
    }
    let audit = try CommandRunner.run(arguments)
    #expect(audit.status == 1, "\(edit): \(audit.stdout)")
    let said = audit.stdout + audit.stderr
    #expect(said.contains(expected), "\(edit): \(said)")
    #expect(!said.contains("audit passed"), "\(edit)")
  }

  @Test(arguments: Edit.allCases)
  func aBundleEdited(_ edit: Edit) throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let bundle = folder + "/bundle.json"
    var trust = folder + "/trust.json"
    let label = folder + "/labels/DTNQ-2611-02-1.png"
    // Untouched, the bundle verifies the label offline.
    let clean = try CommandRunner.run(["verify", "--bundle", bundle, "--trust", trust, label])
    #expect(clean.status == 0, "\(clean.stderr)")
    let data = try Data(contentsOf: URL(fileURLWithPath: bundle))
    var root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    var events = try #require(root["events"] as? [[String: Any]])
    let expected: String
    switch edit {
    case .fieldInEvent:
      let body = try #require(events[149]["body"] as? String)
      events[149]["body"] = body.replacingOccurrences(of: "An Giang", with: "Cần Thơ")
      #expect(events[149]["body"] as? String != body)
      expected = "event 150"
    case .fieldInRecords:
      var records = try #require(root["records"] as? [String: Any])
      var batches = try #require(records["batches"] as? [[String: Any]])
      var batch = try #require(batches[3]["batch"] as? [String: Any])
      batch["productionDate"] = "2020-01-01"
      batches[3]["batch"] = batch
      records["batches"] = batches
      root["records"] = records
      let lot = try #require(batch["lot"] as? [String: Any])
      expected = "batch \(lot["gtin"] as? String ?? "")/\(lot["lot"] as? String ?? "")"
    case .deletedEvent:
      events.remove(at: 39)
      expected = "event 40"
    case .reorderedEvents:
      events.swapAt(59, 60)
      expected = "events have been moved: event 61 stands where event 60 should"
    case .swappedSignature:
      events[9]["signature"] = events[8]["signature"]
      expected = "event 10"
    case .foreignKey:
      let body = Array(try #require(events[99]["body"] as? String).utf8)
      let signatureText = try #require(events[99]["signature"] as? String)
      let signature = try #require(Data(base64Encoded: signatureText))
      let forged = try Self.resigned(body, Array(signature))
      events[99]["body"] = String(decoding: forged.body, as: UTF8.self)
      events[99]["signature"] = Data(forged.signature).base64EncodedString()
      expected = "event 100"
    case .truncatedFile:
      expected = "is not JSON"
    case .revokedIssuer, .expiredIssuer:
      (trust, expected) = try Self.changedTrust(folder, edit)
    }
    root["events"] = events
    let edited = folder + "/edited.json"
    if edit == .truncatedFile {
      try data.prefix(data.count * 2 / 3).write(to: URL(fileURLWithPath: edited))
    } else {
      try JSONSerialization.data(withJSONObject: root).write(to: URL(fileURLWithPath: edited))
    }
    let refused = try CommandRunner.run(["verify", "--bundle", edited, "--trust", trust, label])
    #expect(refused.status == 1, "\(edit): \(refused.stdout)")
    #expect(refused.stderr.contains("bundle \(edited)"), "\(edit): \(refused.stderr)")
    #expect(refused.stderr.contains(expected), "\(edit): \(refused.stderr)")
    #expect(!refused.stdout.contains("VALID"), "\(edit)")
  }
}
