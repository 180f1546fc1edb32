import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import Traceability

/// One connection to the server, used by one transaction at a time, from a thread that may
/// block: every statement waits for its answer. This file is the only one that speaks
/// postgres-nio; the rest of the backend sees rows of ``Cell``s and byte arrays.
final class PostgresSession: @unchecked Sendable {
  private let connection: PostgresConnection
  private let logger: Logger
  /// The location as messages name it.
  let location: String
  /// Statements with `?` placeholders, numbered as PostgreSQL wants them.
  private var numbered: [String: String] = [:]
  private var cursors = 0

  private init(connection: PostgresConnection, logger: Logger, location: String) {
    self.connection = connection
    self.logger = logger
    self.location = location
  }

  /// Connects to `location`.
  static func connect(_ location: PostgresLocation, id: Int) async throws(TraceError)
    -> PostgresSession
  {
    var logger = Logger(label: "ocop-trace.postgres")
    logger.logLevel = .critical
    do {
      let tls: PostgresConnection.Configuration.TLS
      switch location.tls {
      case .disable: tls = .disable
      case .prefer, .require, .verifyFull:
        var configuration = TLSConfiguration.makeClientConfiguration()
        if location.tls != .verifyFull { configuration.certificateVerification = .none }
        let context = try NIOSSLContext(configuration: configuration)
        tls = location.tls == .prefer ? .prefer(context) : .require(context)
      }
      var configuration = PostgresConnection.Configuration(
        host: location.host, port: location.port, username: location.user,
        password: location.password, database: location.database, tls: tls)
      configuration.options.connectTimeout = .seconds(Int64(location.connectTimeout))
      let connection = try await PostgresConnection.connect(
        configuration: configuration, id: id, logger: logger)
      return PostgresSession(
        connection: connection, logger: logger, location: location.description)
    } catch {
      throw Self.error(error, location: location.description)
    }
  }

  /// Closes the connection (without waiting: it may be called from any thread). The
  /// connection is kept until it has closed, as postgres-nio requires.
  func close() {
    let connection = connection
    if connection.isClosed { return }
    let closing: EventLoopFuture<Void> = connection.close()
    closing.whenComplete { _ in withExtendedLifetime(connection) {} }
  }

  deinit {
    close()
  }

  /// Whether the connection has failed or closed, so the session cannot be used again.
  var isBroken: Bool { connection.isClosed }

  /// Statements sent and not yet waited for, in order.
  private var inFlight: [EventLoopFuture<[PostgresRow]>] = []
  /// Sends `sql` (with `?` placeholders) and returns its answer to come.
  private func issue(_ sql: String, _ arguments: [Cell]) -> EventLoopFuture<[PostgresRow]> {
    var binds = Binds()
    for argument in arguments { binds.append(argument) }
    return connection.query(
      PostgresQuery(unsafeSQL: numberedSQL(sql), binds: binds.bindings), logger: logger
    ).map(\.rows)
  }

  /// Sends `sql` (with `?` placeholders) without waiting for its answer: the server runs
  /// statements in order, so a transaction's statements can follow one another on the wire
  /// and be waited for together. Its failure is thrown by the next wait.
  func send(_ sql: String, _ arguments: [Cell] = []) {
    inFlight.append(issue(sql, arguments))
  }

  /// Sends `sql` without waiting and returns the answer to come; ``values(of:)`` reads it.
  func sendQuery(_ sql: String, _ arguments: [Cell] = []) -> EventLoopFuture<[PostgresRow]> {
    send(sql, arguments)
    return inFlight[inFlight.count - 1]
  }

  /// The rows of an answer ``sendQuery(_:_:)`` promised, after everything in flight.
  func values(of answer: EventLoopFuture<[PostgresRow]>) throws -> [[Value]] {
    try settle()
    do {
      return try answer.wait().map { row in row.map(Self.value) }
    } catch {
      throw SessionError(error)
    }
  }

  /// Sends `sql` with `binds` already made, without waiting: the bulk inserts.
  func send(_ sql: String, _ binds: Binds) {
    inFlight.append(
      connection.query(PostgresQuery(unsafeSQL: sql, binds: binds.bindings), logger: logger)
        .map(\.rows))
  }

  /// Statements sent whose outcome nobody waits for: a read-only transaction's COMMIT.
  private var detached: [EventLoopFuture<PostgresQueryResult>] = []

  /// Sends `sql` and never waits for it: its outcome cannot matter (ending a read-only
  /// transaction). It is collected by the next wait, so a session's statements stay in
  /// order.
  func sendDetached(_ sql: String) {
    detached.append(connection.query(PostgresQuery(unsafeSQL: sql), logger: logger))
  }

  /// Waits for every statement sent, throwing the first failure.
  func settle() throws {
    for future in detached { _ = try? future.wait() }
    detached = []
    let sent = inFlight
    inFlight = []
    var failure: (any Error)?
    for future in sent {
      do {
        _ = try future.wait()
      } catch {
        if failure == nil { failure = error }
      }
    }
    if let failure { throw SessionError(failure) }
  }

  /// Runs `sql` (with `?` placeholders) and returns every row as cells.
  @discardableResult
  func rows(_ sql: String, _ arguments: [Cell]) throws -> [[Cell]] {
    try run(sql, arguments).map { row in row.map(Self.cell) }
  }

  /// Runs `sql` and returns the rows' columns as raw values: bytes for `bytea`, and the
  /// other types as cells.
  func values(_ sql: String, _ arguments: [Cell]) throws -> [[Value]] {
    try run(sql, arguments).map { row in row.map(Self.value) }
  }

  /// Runs a statement that takes no arguments and returns nothing that is read.
  func execute(_ sql: String) throws {
    send(sql)
    try settle()
  }

  /// A name for a new server-side cursor, unique on this connection.
  func cursorName() -> String {
    cursors += 1
    return "ocop_cursor_\(cursors)"
  }

  /// Runs `sql` after everything in flight and waits for all of it.
  private func run(_ sql: String, _ arguments: [Cell]) throws -> [PostgresRow] {
    let future = issue(sql, arguments)
    try settle()
    do {
      return try future.wait()
    } catch {
      throw SessionError(error)
    }
  }

  private func numberedSQL(_ sql: String) -> String {
    if let known = numbered[sql] { return known }
    var result = ""
    var index = 0
    for character in sql {
      if character == "?" {
        index += 1
        result += "$\(index)"
      } else {
        result.append(character)
      }
    }
    numbered[sql] = result
    return result
  }

  /// A column's value as read.
  enum Value {
    case bytes([UInt8])
    case cell(Cell)

    var cell: Cell {
      switch self {
      case .bytes(let bytes): .other("blob of \(bytes.count) bytes")
      case .cell(let cell): cell
      }
    }
  }

  private static func value(_ cell: PostgresCell) -> Value {
    if cell.dataType == .bytea, var buffer = cell.bytes {
      return .bytes(buffer.readBytes(length: buffer.readableBytes) ?? [])
    }
    return .cell(Self.cell(cell))
  }

  private static func cell(_ cell: PostgresCell) -> Cell {
    guard cell.bytes != nil else { return .null }
    switch cell.dataType {
    case .int2, .int4, .int8:
      if let value = try? cell.decode(Int64.self) { return .integer(value) }
    case .text, .varchar, .bpchar, .name:
      if let value = try? cell.decode(String.self) { return .text(value) }
    default: break
    }
    return .other("\(cell.dataType) value")
  }

  /// Bound arguments being built.
  struct Binds {
    fileprivate var bindings = PostgresBindings()

    mutating func append(_ cell: Cell) {
      switch cell {
      case .null, .other: bindings.appendNull()
      case .integer(let value): bindings.append(value)
      case .text(let value): bindings.append(value)
      }
    }

    mutating func append(bytes: [UInt8]) {
      bindings.append(ByteBuffer(bytes: bytes))
    }
  }

  /// A failure as the server or the connection reported it.
  struct SessionError: Error, Sendable {
    /// The server's SQLSTATE, when the server answered.
    let sqlState: String?
    /// What went wrong, in one line.
    let message: String
    /// Whether the connection itself failed (refused, closed, timed out).
    let isConnection: Bool

    init(_ error: any Error) {
      if let error = error as? PSQLError {
        sqlState = error.serverInfo?[.sqlState]
        if let server = error.serverInfo?[.message] {
          message = server
          isConnection = false
        } else {
          message = Self.describe(error)
          isConnection = true
        }
      } else {
        sqlState = nil
        message = "\(error)"
        isConnection = true
      }
    }

    /// A connection failure in a few words.
    private static func describe(_ error: PSQLError) -> String {
      let underlying = error.underlying.map { "\($0)" } ?? ""
      let known = [
        ("connectTimeout", "no answer within the connect timeout"),
        ("Connection refused", "connection refused"),
        ("No route to host", "no route to host"),
        ("Network is unreachable", "network is unreachable"),
        ("NXDOMAIN", "the host name does not resolve"),
        ("nameResolution", "the host name does not resolve"),
        ("UnknownHost", "the host name does not resolve"),
      ]
      if let found = known.first(where: { underlying.contains($0.0) }) { return found.1 }
      if error.code == .serverClosedConnection {
        return "the connection closed before the server answered"
      }
      if error.code == .sslUnsupported {
        return "the server does not offer TLS, which sslmode requires"
      }
      return underlying.isEmpty ? "\(error.code)" : underlying
    }

    /// Whether the transaction may simply be run again: a serialisation failure, a
    /// deadlock, or a unique key another writer took between this one's check and its
    /// append (run again, the check sees it).
    var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" || isConflict }

    /// A unique key taken: retried a few times only, since a store's own data cannot cause
    /// it twice in a row.
    var isConflict: Bool { sqlState == "23505" }
  }

  /// A connection failure as one line that names the store.
  static func error(_ error: any Error, location: String) -> TraceError {
    if let trace = error as? TraceError { return trace }
    let failure = error as? SessionError ?? SessionError(error)
    switch failure.sqlState {
    case "28P01", "28000":
      return .store(path: location, reason: "refused the login: \(failure.message)")
    case "25006":
      return .store(
        path: location,
        reason:
          "is read-only (a standby, or a read-only server), so it cannot be written; write through the primary"
      )
    case "3D000":
      return .store(path: location, reason: "has no such database: \(failure.message)")
    default:
      if failure.isConnection {
        return .store(path: location, reason: "cannot be reached: \(failure.message)")
      }
      return .store(path: location, reason: failure.message)
    }
  }
}
