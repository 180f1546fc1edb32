import Foundation
import TestSupport
import Testing

/// The bad-input table on a PostgreSQL store: every case that works through the command
/// line (not on an SQLite file's bytes) runs on a copy of a populated database, must end as
/// it does on SQLite, and must leave every table and every workspace file as it was.
@Suite("Bad input on PostgreSQL is refused and changes nothing")
struct PostgresBadInputTests {
  /// A database with the An Giang fixtures, two labels printed, a bundle and a trust list
  /// exported, made once; cases work on copies (`CREATE DATABASE … TEMPLATE`).
  actor Template {
    static let shared = Template()
    typealias Made = (cluster: PostgresCluster, database: String, folder: String)
    /// Made once: callers that come while it is being made wait for the same task.
    private var making: Task<Made, any Error>?

    func get() async throws -> Made {
      if let making { return try await making.value }
      let task = Task { try await Self.make() }
      making = task
      return try await task.value
    }

    private static func make() async throws -> Made {
      let cluster = try await PostgresCluster.shared()
      let database = try cluster.createDatabase("ocop_template")
      let folder = NSTemporaryDirectory() + "ocop-pg-template-" + UUID().uuidString
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      let store = PostgresBadInputTests.address(cluster, database)
      let environment = ["PGPASSWORD": cluster.password]
      for arguments in [
        [
          "init", "--store", store, "--config", folder + "/ag.json", "--resolver",
          "https://truyxuat.angiang.example", "--prefix", "8932301", "--issuer", "Demo",
        ],
        ["import", "all", WorkflowTests.fixtures, "--config", folder + "/ag.json"],
        [
          "print", StoreTemplate.lot, "--count", "2", "--out", folder + "/labels", "--config",
          folder + "/ag.json",
        ],
        ["export", "bundle", "--out", folder + "/bundle.json", "--config", folder + "/ag.json"],
        ["keys", "export", "--out", folder + "/trust.json", "--config", folder + "/ag.json"],
      ] {
        let result = try CommandRunner.run(arguments, environment: environment)
        guard result.status == 0 else {
          throw StoreTemplate.CLIFailure(arguments: arguments, stderr: result.stderr)
        }
      }
      return (cluster, database, folder)
    }
  }

  static func address(_ cluster: PostgresCluster, _ database: String) -> String {
    "postgres://\(cluster.user)@127.0.0.1:\(cluster.port)/\(database)?sslmode=disable"
  }

  /// Every table's rows, digested: what must not change when a command is refused.
  static func digest(_ cluster: PostgresCluster, _ database: String) throws -> String {
    let tables = [
      "ocop_schema", "events", "producers", "products", "ratings", "batches", "batch_inputs",
      "serial_ranges", "movements", "recalls",
    ]
    let query = tables.map { table in
      "SELECT '\(table)', count(*), md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \(table) t"
    }.joined(separator: " UNION ALL ")
    return try cluster.psql(database, query)
  }

  static let cases = BadInputTests.cases.filter(\.runsOnPostgres)

  @Test func mostOfTheTableRunsHere() { #expect(Self.cases.count >= 45) }

  @Test(arguments: cases)
  func refused(_ bad: BadInputTests.Case) async throws {
    let template = try await Template.shared.get()
    let cluster = template.cluster
    let database = try cluster.createDatabase(copying: template.database)
    defer { _ = try? cluster.psql("postgres", "DROP DATABASE \(database)") }
    let folder = NSTemporaryDirectory() + "ocop-pg-copy-" + UUID().uuidString
    try FileManager.default.copyItem(atPath: template.folder, toPath: folder)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try BadInputTests.prepare(bad.setup, folder: folder, store: folder + "/none.sqlite")
    let files = try Self.files(folder)
    let rows = try Self.digest(cluster, database)
    let arguments =
      bad.arguments.map { $0.replacingOccurrences(of: "{dir}", with: folder) }
      + ["--config", folder + "/ag.json", "--store", Self.address(cluster, database)]
    let result = try CommandRunner.run(
      arguments, stdin: bad.stdin, environment: ["PGPASSWORD": cluster.password])
    let message = bad.message.replacingOccurrences(of: "{dir}", with: folder)
    #expect(result.status == bad.status, "\(bad.name): \(result.stdout) \(result.stderr)")
    #expect(
      (result.stderr + result.stdout).contains(message),
      "\(bad.name): expected \"\(message)\" in \(result.stderr) \(result.stdout)")
    #expect(try Self.digest(cluster, database) == rows, "\(bad.name): the database changed")
    #expect(try Self.files(folder) == files, "\(bad.name): a workspace file changed")
  }

  /// The workspace's own files (config, key, trust list), byte for byte.
  static func files(_ folder: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    for name in ["ag.json", "ag.key", "ag.trust.json"]
    where FileManager.default.fileExists(atPath: folder + "/" + name) {
      files[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
    }
    return files
  }
}
