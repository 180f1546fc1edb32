import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The whole command line on a PostgreSQL primary and its streaming standby, side by side
/// with the same commands on SQLite.
@Suite("ocop on PostgreSQL")
struct PostgresWorkflowTests {
  static let lot = "8932301001016/DTNQ-2611-02"

  /// A workspace on a new database of the test cluster: its config file and store address.
  struct Workspace {
    let cluster: PostgresCluster
    let database: String
    let folder: TemporaryFolder
    var config: String { folder.file("ocop.json") }
    /// The address without password: the password comes from PGPASSWORD.
    var store: String {
      "postgres://\(cluster.user)@127.0.0.1:\(cluster.port)/\(database)?sslmode=disable"
    }
    var standby: String {
      "postgres://\(cluster.user)@127.0.0.1:\(cluster.standbyPort)/\(database)?sslmode=disable"
    }

    func ocop(_ arguments: [String], store: String? = nil) throws -> CommandRunner.Result {
      try CommandRunner.run(
        arguments + ["--config", config] + (store.map { ["--store", $0] } ?? []),
        environment: ["PGPASSWORD": cluster.password])
    }
  }

  static func workspace() async throws -> Workspace {
    let cluster = try await PostgresCluster.shared()
    let workspace = Workspace(
      cluster: cluster, database: try cluster.createDatabase(), folder: TemporaryFolder())
    let made = try CommandRunner.run(
      [
        "init", "--store", workspace.store, "--config", workspace.config, "--resolver",
        "https://truyxuat.angiang.example", "--prefix", "8932301", "--issuer", "Demo",
      ], environment: ["PGPASSWORD": cluster.password])
    #expect(made.status == 0, "\(made.stderr)")
    return workspace
  }

  @Test func theAnGiangWorkflowRunsOnThePrimaryAndAgreesWithSQLite() async throws {
    let pg = try await Self.workspace()
    let sqlite = try WorkflowTests.workspace()
    let steps: [[String]] = [["import", "all", WorkflowTests.fixtures]]
    for step in steps {
      let onPG = try pg.ocop(step)
      #expect(onPG.status == 0, "\(step): \(onPG.stderr)")
      #expect(try WorkflowTests.ocop(sqlite, step).status == 0)
    }
    // The same records, listed the same way, on both.
    for list in [
      ["producer", "list"], ["product", "list", "--on", "2026-11-29"], ["batch", "list"],
    ] {
      let onPG = try pg.ocop(list + ["--json"])
      let onSQLite = try WorkflowTests.ocop(sqlite, list + ["--json"])
      #expect(onPG.status == 0, "\(onPG.stderr)")
      #expect(onPG.stdout == onSQLite.stdout, "\(list)")
    }
    // Print (an unsigned run, whose links are typed here), verify a printed label's link,
    // recall, audit, export.
    let printed = try pg.ocop([
      "print", Self.lot, "--count", "3", "--unsigned", "--out", pg.folder.file("labels"),
    ])
    #expect(printed.status == 0, "\(printed.stderr)")
    let labels = try FileManager.default.contentsOfDirectory(atPath: pg.folder.file("labels"))
    #expect(labels.filter { $0.hasSuffix(".png") }.count == 3)
    let url = "https://truyxuat.angiang.example/01/08932301001016/10/DTNQ-2611-02/21/2?17=271102"
    let verified = try pg.ocop(["verify", url])
    #expect(verified.status == 0, "\(verified.stderr)")
    #expect(verified.stdout.hasPrefix("VALID"))
    let recalled = try pg.ocop(["recall", Self.lot, "--reason", "Kiểm tra"])
    #expect(recalled.status == 0, "\(recalled.stderr)")
    #expect(try pg.ocop(["verify", url]).stdout.hasPrefix("RECALLED"))
    let audit = try pg.ocop(["audit"])
    #expect(audit.status == 0, "\(audit.stderr)")
    #expect(audit.stdout.hasPrefix("audit passed"))
    let bundle = pg.folder.file("bundle.json")
    #expect(try pg.ocop(["export", "bundle", "--out", bundle]).status == 0)
    #expect(try pg.ocop(["export", "epcis", "--out", pg.folder.file("epcis.json")]).status == 0)
    #expect(try pg.ocop(["export", "csv", "--out", pg.folder.file("csv")]).status == 0)
    // The bundle verifies offline, with no database at all.
    let trust = pg.folder.file("trust.json")
    #expect(try pg.ocop(["keys", "export", "--out", trust]).status == 0)
    let offline = try CommandRunner.run(["verify", "--bundle", bundle, "--trust", trust, url])
    // Exit status 1: the scan is not valid.
    #expect(offline.status == 1, "\(offline.stderr)")
    #expect(offline.stdout.hasPrefix("RECALLED"), "\(offline.stdout)\(offline.stderr)")
  }

  @Test func twoPrintRunsOnOneLotAtOnceGetDisjointSerials() async throws {
    let pg = try await Self.workspace()
    #expect(try pg.ocop(["import", "all", WorkflowTests.fixtures]).status == 0)
    let runs = (1...2).map { index in
      [
        "print", Self.lot, "--count", "40", "--run", "run-\(index)", "--no-read-back",
        "--out", pg.folder.file("run-\(index)"),
      ]
    }
    let results = try await withThrowingTaskGroup(of: CommandRunner.Result.self) { group in
      for run in runs { group.addTask { try pg.ocop(run) } }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    for result in results { #expect(result.status == 0, "\(result.stderr)") }
    let ranges = try pg.cluster.psql(
      pg.database,
      "SELECT first, last FROM serial_ranges WHERE lot = 'DTNQ-2611-02' ORDER BY first"
    )
    .split(separator: "\n").map { $0.split(separator: "|").compactMap { Int($0) } }
    #expect(ranges == [[1, 40], [41, 80]])
  }

  /// The standby audits what the primary wrote, refuses writes, and `ocop serve` on it
  /// answers a printed label's link, counting the scan in the primary's database.
  @Test func theStandbyAuditsAndServesWhatThePrimaryWrote() async throws {
    let pg = try await Self.workspace()
    #expect(try pg.ocop(["import", "all", WorkflowTests.fixtures]).status == 0)
    #expect(
      try pg.ocop([
        "print", Self.lot, "--count", "2", "--unsigned", "--no-read-back", "--out",
        pg.folder.file("labels"),
      ]).status == 0)
    try pg.cluster.waitForStandby()
    let audit = try pg.ocop(["audit"], store: pg.standby)
    #expect(audit.status == 0, "\(audit.stderr)")
    #expect(audit.stdout.hasPrefix("audit passed"))
    // A write to the standby is refused in one line, and nothing changes.
    let refused = try pg.ocop(["recall", Self.lot, "--reason", "x"], store: pg.standby)
    #expect(refused.status == 1)
    #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
    #expect(refused.stderr.contains("is read-only"), "\(refused.stderr)")
    // ocop serve on the standby answers the printed label's link.
    let server = try ServedStore(
      ["--config", pg.config, "--store", pg.standby, "--scan-log", pg.store],
      environment: ["PGPASSWORD": pg.cluster.password])
    defer { server.stop() }
    let path = "/01/08932301001016/10/DTNQ-2611-02/21/1?17=271102"
    let answer = try? server.get(path, accept: "application/json")
    #expect(answer?.status == 200)
    #expect(answer?.body.contains("\"verdict\":\"valid\"") == true, "\(answer?.body ?? "")")
    // A shopper opening the page is a scan (the JSON answer is not), counted on the
    // primary, since the standby cannot be written (a moment after the answer: scans are
    // written together, off the request path).
    #expect((try? server.get(path, accept: "text/html"))?.status == 200)
    var counted = ""
    for _ in 0..<50 {
      counted = try pg.cluster.psql(pg.database, "SELECT count(*) FROM ocop_scans")
        .trimmingCharacters(in: .whitespacesAndNewlines)
      if counted == "1" { break }
      try await Task.sleep(nanoseconds: 100_000_000)
    }
    #expect(counted == "1")
  }

  @Test func anUnreachableServerAWrongPasswordAndANewerSchemaEachGiveOneLine() async throws {
    let pg = try await Self.workspace()
    let cluster = pg.cluster
    let unreachable = try CommandRunner.run(
      [
        "batch", "list", "--config", pg.config, "--store",
        "postgres://ocop@127.0.0.1:\(try Self.freePort())/x?sslmode=disable",
      ])
    let wrongPassword = try CommandRunner.run(
      ["batch", "list", "--config", pg.config, "--store", pg.store],
      environment: ["PGPASSWORD": "not-the-password"])
    try cluster.psql(pg.database, "INSERT INTO ocop_schema (version) VALUES (99)")
    let newer = try pg.ocop(["batch", "list"])
    for (result, words) in [
      (unreachable, "cannot be reached: connection refused"),
      (wrongPassword, "refused the login"),
      (newer, "has schema version 99, written by a newer ocop"),
    ] {
      #expect(result.status == 1)
      #expect(result.stderr.contains(words), "\(result.stderr)")
      #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
      #expect(!result.stderr.contains(cluster.password))
    }
  }

  /// The An Giang data set as the first version's files held it: the columns of then, no
  /// stages, no photos.
  static func firstVersionFixtures() throws -> String {
    let folder = NSTemporaryDirectory() + "ocop-v1-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let script = """
      import csv, sys
      source, target = sys.argv[1], sys.argv[2]
      for name, keep in (("producers", 8), ("products", 10), ("ratings", 7), ("batches", 16)):
          with open(f"{source}/{name}.csv", newline="", encoding="utf-8") as f:
              rows = [row[:keep] for row in csv.reader(f)]
          with open(f"{target}/{name}.csv", "w", newline="", encoding="utf-8") as f:
              csv.writer(f, lineterminator="\\n").writerows(rows)
      """
    let result = try Subprocess.run(
      ["/usr/bin/env", "python3", "-c", script, WorkflowTests.fixtures, folder])
    guard result.status == 0 else { throw CocoaError(.fileWriteUnknown) }
    return folder
  }

  @Test func aStoreOfAnOlderSchemaIsReadOnlyUntilAWriteUpgradesIt() async throws {
    let pg = try await Self.workspace()
    #expect(try pg.ocop(["import", "all", Self.firstVersionFixtures()]).status == 0)
    // Back to version 1, as an earlier ocop left it: no turn function, no table of
    // imported events, none of recall withdrawals, no stages, photos or later members.
    try pg.cluster.psql(
      pg.database,
      "DROP TABLE stages; DROP TABLE photos; ALTER TABLE products DROP COLUMN details; ALTER TABLE producers DROP COLUMN contact; DROP TABLE recall_withdrawals; DROP TABLE imported_events; DROP FUNCTION ocop_chain_turn(); DELETE FROM ocop_schema WHERE version >= 2"
    )
    let listed = try pg.ocop(["batch", "list"])
    #expect(listed.status == 1)
    #expect(
      listed.stderr.contains("is at schema version 1; open it once with a command that writes"),
      "\(listed.stderr)")
    let recalled = try pg.ocop(["recall", Self.lot, "--reason", "Kiểm tra"])
    #expect(recalled.status == 0, "\(recalled.stderr)")
    let version = try pg.cluster.psql(pg.database, "SELECT max(version) FROM ocop_schema")
    #expect(version.trimmingCharacters(in: .whitespacesAndNewlines) == "5")
    #expect(try pg.ocop(["batch", "list"]).status == 0)
    let audit = try pg.ocop(["audit"])
    #expect(audit.status == 0, "\(audit.stderr)")
  }

  @Test func migrateMovesAStoreUpToADatabaseAndBackWithEveryRecordAndSignature() async throws {
    let cluster = try await PostgresCluster.shared()
    let sqlite = try StoreTemplate.copy()
    let folder = (sqlite as NSString).deletingLastPathComponent
    let config = folder + "/ag.json"
    let database = try cluster.createDatabase()
    let target = "postgres://ocop@127.0.0.1:\(cluster.port)/\(database)?sslmode=disable"
    let environment = ["PGPASSWORD": cluster.password]
    func ocop(_ arguments: [String]) throws -> CommandRunner.Result {
      try CommandRunner.run(arguments, environment: environment)
    }
    func tables() throws -> String {
      try cluster.psql(
        database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    }
    // A trust list that does not hold the store's issuer: the source fails its audit, and
    // nothing is made in the database.
    let empty = folder + "/empty-trust.json"
    try Data(#"{"format":"ocop-trace trust list","issuers":[],"version":1}"#.utf8).write(
      to: URL(fileURLWithPath: empty))
    let untrusted = try ocop(["migrate", "--from", sqlite, "--to", target, "--trust", empty])
    #expect(untrusted.status == 1)
    #expect(untrusted.stderr.contains("fails its audit"), "\(untrusted.stderr)")
    #expect(try tables().trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    // Up: SQLite to PostgreSQL.
    let up = try ocop(["migrate", "--from", sqlite, "--to", target])
    #expect(up.status == 0, "\(up.stderr)")
    #expect(up.stdout.contains("audit of the copy passed"))
    let audit = try ocop(["audit", "--config", config, "--store", target])
    #expect(audit.stdout.hasPrefix("audit passed"), "\(audit.stderr)")
    for list in [["producer", "list"], ["batch", "list"]] {
      let before = try ocop(list + ["--json", "--store", sqlite])
      let after = try ocop(list + ["--json", "--config", config, "--store", target])
      #expect(after.stdout == before.stdout && !before.stdout.isEmpty)
    }
    // A target that holds a store is refused.
    let again = try ocop(["migrate", "--from", sqlite, "--to", target])
    #expect(again.status == 1)
    #expect(again.stderr.contains("already exists"), "\(again.stderr)")
    // Back: PostgreSQL to a new SQLite file, the same log.
    let back = folder + "/back.sqlite"
    let down = try ocop(["migrate", "--from", target, "--to", back, "--config", config])
    #expect(down.status == 0, "\(down.stderr)")
    let heads = try [sqlite, back].map { store in
      try ocop(["audit", "--json", "--config", config, "--store", store]).stdout
    }
    #expect(heads[0] == heads[1] && heads[0].contains("\"passed\":true"))
  }

  @Test func aDumpOfTheStoreRestoredIsAStoreThatPassesItsAudit() async throws {
    let pg = try await Self.workspace()
    #expect(try pg.ocop(["import", "all", WorkflowTests.fixtures]).status == 0)
    let restored = try pg.cluster.dumpAndRestore(pg.database)
    let copy = "postgres://ocop@127.0.0.1:\(pg.cluster.port)/\(restored)?sslmode=disable"
    let original = try pg.ocop(["audit", "--json"])
    let audited = try pg.ocop(["audit", "--json"], store: copy)
    #expect(audited.status == 0, "\(audited.stderr)")
    #expect(audited.stdout == original.stdout && original.stdout.contains("\"passed\":true"))
    // The restored store is append-only too, and takes new records after the old ones.
    let refused = try pg.cluster.psql(
      restored, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%_append_only'")
    #expect(refused.trimmingCharacters(in: .whitespacesAndNewlines) == "13")
    let recall = try pg.ocop(["recall", Self.lot, "--reason", "Sau khôi phục"], store: copy)
    #expect(recall.status == 0, "\(recall.stderr)")
    #expect(try pg.ocop(["audit"], store: copy).stdout.hasPrefix("audit passed"))
  }

  @Test func aServerStoreNeedsANamedConfigAndNeverShowsItsPassword() throws {
    let result = try CommandRunner.run([
      "batch", "list", "--store", "postgres://ocop:s3cret@db.example:5432/ocop",
    ])
    #expect(result.status == 1)
    #expect(result.stderr.contains("postgres://ocop@db.example:5432/ocop"))
    #expect(result.stderr.contains("--config"))
    #expect(!result.stderr.contains("s3cret"))
    let bad = try CommandRunner.run([
      "batch", "list", "--store", "postgres://ocop:s3cret@db.example:5432/ocop?sslmode=maybe",
    ])
    #expect(bad.status == 1)
    #expect(bad.stderr.contains("postgres://ocop:***@db.example:5432/ocop"))
    #expect(!bad.stderr.contains("s3cret"))
  }

  /// A GET over a real socket: the status and the body.
  /// A phone's browser, as a shopper scanning a code opens the page with.
  static let phone =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    + "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"

  /// GETs `url` as a phone's browser asking for `accept`.
  static func get(_ url: String, accept: String) throws -> (status: Int, body: String) {
    var request = URLRequest(url: URL(string: url)!)
    request.setValue(accept, forHTTPHeaderField: "Accept")
    request.setValue(phone, forHTTPHeaderField: "User-Agent")
    request.timeoutInterval = 5
    let done = DispatchSemaphore(value: 0)
    let box = Box()
    URLSession.shared.dataTask(with: request) { data, response, error in
      box.result = (data, response as? HTTPURLResponse, error)
      done.signal()
    }.resume()
    done.wait()
    guard let (data, response, error) = box.result, let response, error == nil else {
      throw URLError(.cannotConnectToHost)
    }
    return (response.statusCode, String(decoding: data ?? Data(), as: UTF8.self))
  }

  private final class Box: @unchecked Sendable {
    var result: (Data?, HTTPURLResponse?, (any Error)?)?
  }

  /// A loopback port nothing listens on now.
  static func freePort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
      }
    }
    guard bound else { throw URLError(.cannotConnectToHost) }
    return Int(UInt16(bigEndian: address.sin_port))
  }
}
