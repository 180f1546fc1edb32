import Foundation

/// A private PostgreSQL cluster for the tests: a primary and a streaming hot standby
/// (`pg_basebackup -R`), each on a free loopback port, in a folder under /tmp. It is started
/// once per test process, on first use, and stopped when the process exits.
///
/// The server refuses to run as root; when the tests run as root (as CI does), every server
/// program runs as the `postgres` user through `runuser`.
public final class PostgresCluster: Sendable {
  /// The superuser the cluster is made with.
  public let user = "ocop"
  /// Its password (logins over TCP need it: scram-sha-256).
  public let password: String
  /// The primary's port on 127.0.0.1.
  public let port: Int
  /// The standby's port on 127.0.0.1.
  public let standbyPort: Int
  /// The cluster's folder: `primary`, `standby`, logs.
  public let root: String
  private let bin: String

  /// The cluster of this test process, started on first use.
  public static func shared() async throws -> PostgresCluster {
    try await Starter.shared.cluster()
  }

  private actor Starter {
    static let shared = Starter()
    private var started: Result<PostgresCluster, any Error>?

    func cluster() throws -> PostgresCluster {
      if let started { return try started.get() }
      let result = Result { try PostgresCluster() }
      started = result
      return try result.get()
    }
  }

  private init() throws {
    guard let bin = Self.binaries() else {
      throw ClusterError(
        "PostgreSQL's server programs (initdb, pg_ctl) were not found under /usr/lib/postgresql; install Debian's postgresql package"
      )
    }
    self.bin = bin
    password = UUID().uuidString
    root = "/tmp/ocop-postgres-" + UUID().uuidString
    port = try Self.freePort()
    standbyPort = try Self.freePort(besides: port)
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
    try password.write(toFile: root + "/password", atomically: true, encoding: .utf8)
    if Self.runningAsRoot {
      try Self.run(["/bin/chown", "-R", "postgres:postgres", root])
    }
    Self.stopAtExit(root: root, bin: bin)
    let primary = root + "/primary"
    try server([
      "initdb", "-D", primary, "-U", user, "--pwfile=\(root)/password", "--auth-host=scram-sha-256",
      "--auth-local=peer", "-E", "UTF8", "--no-locale", "--no-instructions",
    ])
    try server([
      "pg_ctl", "-D", primary, "-l", root + "/primary.log", "-w", "start", "-o",
      "-c port=\(port) -c listen_addresses=127.0.0.1 -c unix_socket_directories=\(root) -c fsync=off -c max_connections=200",
    ])
    try server(
      [
        "pg_basebackup", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-D", root + "/standby",
        "-R", "-X", "stream", "-c", "fast",
      ])
    try server([
      "pg_ctl", "-D", root + "/standby", "-l", root + "/standby.log", "-w", "start", "-o",
      "-c port=\(standbyPort) -c listen_addresses=127.0.0.1 -c unix_socket_directories=\(root) -c fsync=off -c max_connections=200 -c hot_standby=on",
    ])
  }

  /// The address of `database` on the primary, password included.
  public func url(_ database: String) -> String {
    "postgres://\(user):\(password)@127.0.0.1:\(port)/\(database)?sslmode=disable"
  }

  /// The address of `database` on the standby, password included.
  public func standbyURL(_ database: String) -> String {
    "postgres://\(user):\(password)@127.0.0.1:\(standbyPort)/\(database)?sslmode=disable"
  }

  /// Creates a database with a new name, empty or a copy of `template`, and returns the
  /// name.
  public func createDatabase(_ prefix: String = "ocop_test", copying template: String? = nil)
    throws -> String
  {
    let name = prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    try psql("postgres", "CREATE DATABASE \(name)" + (template.map { " TEMPLATE \($0)" } ?? ""))
    return name
  }

  /// Runs `sql` with psql on `database` as the superuser and returns what it printed
  /// (unaligned, tuples only); a failure throws with psql's message.
  @discardableResult
  public func psql(_ database: String, _ sql: String, standby: Bool = false) throws -> String {
    try Self.run(
      [
        bin + "/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
        String(standby ? standbyPort : port), "-U", user, "-d", database, "-c", sql,
      ],
      environment: ["PGPASSWORD": password])
  }

  /// Copies `database` into a new database through `pg_dump` and `pg_restore`, as an
  /// operator backs up and restores a store, and returns the new database's name.
  public func dumpAndRestore(_ database: String) throws -> String {
    let dump = "/tmp/ocop-postgres-dump-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: dump) }
    let login = ["-h", "127.0.0.1", "-p", String(port), "-U", user]
    try Self.run(
      [bin + "/pg_dump", "-Fc", "-f", dump] + login + [database],
      environment: ["PGPASSWORD": password])
    let restored = try createDatabase("ocop_restored")
    try Self.run(
      [bin + "/pg_restore", "--exit-on-error", "-d", restored] + login + [dump],
      environment: ["PGPASSWORD": password])
    return restored
  }

  /// Waits until the standby has replayed everything the primary has written so far.
  public func waitForStandby(timeout: TimeInterval = 30) throws {
    let target = try psql("postgres", "SELECT pg_current_wal_lsn()")
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      let caughtUp = try psql(
        "postgres", "SELECT pg_last_wal_replay_lsn() >= '\(target)'::pg_lsn", standby: true)
      if caughtUp.trimmingCharacters(in: .whitespacesAndNewlines) == "t" { return }
      Thread.sleep(forTimeInterval: 0.02)
    }
    throw ClusterError("the standby did not catch up with the primary within \(timeout) s")
  }

  /// Runs a server program (as `postgres` when the tests run as root).
  private func server(_ arguments: [String]) throws {
    var command = [bin + "/" + arguments[0]] + arguments.dropFirst()
    if Self.runningAsRoot {
      command =
        ["/usr/sbin/runuser", "-u", "postgres", "--", "/usr/bin/env", "PGPASSWORD=\(password)"]
        + command
    }
    try Self.run(command, environment: ["PGPASSWORD": password])
  }

  private static var runningAsRoot: Bool { geteuid() == 0 }

  /// The newest installed server's programs.
  private static func binaries() -> String? {
    let base = "/usr/lib/postgresql"
    let versions = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
    return versions.compactMap(Int.init).sorted().reversed().map { "\(base)/\($0)/bin" }
      .first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
  }

  /// A loopback port nothing listens on now.
  private static func freePort(besides other: Int = 0) throws -> Int {
    for _ in 0..<20 {
      let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      defer { close(descriptor) }
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_addr.s_addr = inet_addr("127.0.0.1")
      address.sin_port = 0
      let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      guard bound == 0 else { continue }
      var length = socklen_t(MemoryLayout<sockaddr_in>.size)
      _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          getsockname(descriptor, $0, &length)
        }
      }
      let port = Int(UInt16(bigEndian: address.sin_port))
      if port != other { return port }
    }
    throw ClusterError("found no free loopback port")
  }

  /// Runs a program to its end and returns what it printed; a failure throws with what it
  /// printed on stderr. It runs as a ``Subprocess``: a server it starts keeps every
  /// descriptor it inherited, so neither a pipe nor Foundation's `Process` (which watches a
  /// descriptor of its own) would ever see it end.
  @discardableResult
  static func run(_ arguments: [String], environment: [String: String] = [:]) throws
    -> String
  {
    // The server's programs refuse a working folder they cannot read.
    let arguments = ["/usr/bin/env", "-C", "/tmp"] + arguments
    let result = try Subprocess.run(
      arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
      timeout: 600)
    guard result.status == 0 else {
      throw ClusterError(
        "\(arguments.joined(separator: " ").prefix(300)) failed (status \(result.status)): "
          + String(decoding: result.stderr, as: UTF8.self))
    }
    return String(decoding: result.stdout, as: UTF8.self)
  }

  /// Registers the cluster to be stopped, and its folder removed, when the process exits.
  private static func stopAtExit(root: String, bin: String) {
    Cleanup.root = root
    Cleanup.bin = bin
    Cleanup.asRoot = runningAsRoot
    atexit {
      guard let root = Cleanup.root, let bin = Cleanup.bin else { return }
      for folder in ["standby", "primary"]
      where FileManager.default.fileExists(atPath: root + "/" + folder) {
        var command = [bin + "/pg_ctl", "-D", root + "/" + folder, "-m", "immediate", "-w", "stop"]
        if Cleanup.asRoot { command = ["/usr/sbin/runuser", "-u", "postgres", "--"] + command }
        _ = try? PostgresCluster.run(command)
      }
      try? FileManager.default.removeItem(atPath: root)
    }
  }

  private enum Cleanup {
    nonisolated(unsafe) static var root: String?
    nonisolated(unsafe) static var bin: String?
    nonisolated(unsafe) static var asRoot = false
  }
}

/// Why the test cluster could not be used.
public struct ClusterError: Error, CustomStringConvertible {
  public let description: String
  init(_ description: String) { self.description = description }
}
