import CLibPQ
import Foundation
import Synchronization
import Traceability

/// One connection to the server through libpq, used by one transaction at a time, from a
/// thread that may block. This file is the only one that speaks libpq; the rest of the
/// backend sees rows of ``Cell``s and byte arrays.
///
/// The connection is in libpq's pipeline mode: statements are sent as they come and
/// buffered, and go to the server together, in one write, when something waits for an
/// answer (``settle()``). The statements sent between two waits form one group: the server
/// runs them in order, and after one of them fails it skips the rest of the group (inside
/// a transaction they would fail anyway). A statement seen twice is prepared on the server
/// under a name, so the server parses and plans it once for the session.
final class PostgresSession: @unchecked Sendable {
  private let connection: OpaquePointer
  /// The location as messages name it.
  let location: String
  /// Statements with `?` placeholders, numbered as PostgreSQL wants them.
  private var numbered: [String: String] = [:]
  private var cursors = 0
  private let closed = Atomic<Bool>(false)

  private init(connection: OpaquePointer, location: String) {
    self.connection = connection
    self.location = location
  }

  /// Connects to `location`, blocking the calling thread (a session's own, never a
  /// cooperative one) for up to the location's connect timeout.
  static func connect(_ location: PostgresLocation) throws(TraceError) -> PostgresSession {
    var settings: [(String, String)] = [
      ("host", location.host), ("port", String(location.port)), ("user", location.user),
      ("dbname", location.database), ("sslmode", location.tls.rawValue),
      ("connect_timeout", String(location.connectTimeout)), ("application_name", "ocop"),
    ]
    if let password = location.password { settings.append(("password", password)) }
    if location.tls == .verifyFull, let roots = systemRoots() {
      settings.append(("sslrootcert", roots))
    }
    let keywords = settings.map { strdup($0.0) }
    let values = settings.map { strdup($0.1) }
    defer { for pointer in keywords + values { free(pointer) } }
    let found: OpaquePointer? = (keywords.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer
    {
      keys in
      (values.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { values in
        PQconnectdbParams(keys.baseAddress, values.baseAddress, 0)
      }
    }
    guard let connection = found else {
      throw .store(path: location.description, reason: "cannot be reached: out of memory")
    }
    guard PQstatus(connection) == CONNECTION_OK else {
      let message = String(cString: PQerrorMessage(connection))
      PQfinish(connection)
      throw connectionError(message, location: location.description)
    }
    // The server's notices (a table that already exists…) are not the user's business.
    PQsetNoticeProcessor(connection, { _, _ in }, nil)
    guard PQenterPipelineMode(connection) == 1 else {
      let message = String(cString: PQerrorMessage(connection))
      PQfinish(connection)
      throw .store(path: location.description, reason: "cannot be used: \(message)")
    }
    return PostgresSession(connection: connection, location: location.description)
  }

  /// The system's certificate authorities, which `sslmode=verify-full` checks the server
  /// against, unless the user named a file (`PGSSLROOTCERT`, `~/.postgresql/root.crt`).
  private static func systemRoots() -> String? {
    let environment = ProcessInfo.processInfo.environment
    if environment["PGSSLROOTCERT"] != nil { return nil }
    let home = environment["HOME"] ?? NSHomeDirectory()
    if FileManager.default.fileExists(atPath: home + "/.postgresql/root.crt") { return nil }
    let bundle = "/etc/ssl/certs/ca-certificates.crt"
    return FileManager.default.fileExists(atPath: bundle) ? bundle : nil
  }

  /// Closes the connection. Called when no transaction uses the session (idle, broken, or
  /// being freed); a second call does nothing.
  func close() {
    if closed.exchange(true, ordering: .acquiringAndReleasing) { return }
    PQfinish(connection)
  }

  deinit {
    close()
  }

  /// Whether the connection has failed or closed, so the session cannot be used again.
  var isBroken: Bool {
    closed.load(ordering: .acquiring) || PQstatus(connection) != CONNECTION_OK
  }

  // MARK: Sending

  /// The answer a statement will have, once waited for (``values(of:)``).
  final class Answer {
    fileprivate var rows: [[Value]] = []
    fileprivate var failure: SessionError?
  }

  /// What was sent and is still to be read back, in order.
  private enum Pending {
    /// A statement: its answer is kept when someone will read it; a detached one's failure
    /// is nobody's.
    case statement(Answer?, detached: Bool)
    /// A statement prepared under a name, before its first use.
    case prepare(key: String)
    /// The end of a group.
    case sync
    /// A statement libpq could not send.
    case unsent(SessionError)
  }
  private var pending: [Pending] = []
  /// Whether statements were sent since the last group's end.
  private var open = false

  /// Statements prepared on the server, by their text and parameter types.
  private var prepared: [String: String] = [:]
  /// Statements seen once, which are prepared when seen again.
  private var seen: Set<String> = []
  /// Whether statements are prepared: not once the server lost one (a pooler between
  /// the store and the server that hands each transaction another connection).
  private var preparing = true
  private static let preparedLimit = 256
  private static let preparedLength = 65_536

  /// Sends `sql` (with `?` placeholders) without waiting for its answer: the server runs
  /// statements in order, so a transaction's statements can follow one another on the wire
  /// and be waited for together. Its failure is thrown by the next wait.
  func send(_ sql: String, _ arguments: [Cell] = []) {
    var binds = Binds()
    for argument in arguments { binds.append(argument) }
    enqueue(numberedSQL(sql), binds, answer: nil, detached: false)
  }

  /// Sends `sql` without waiting and returns the answer to come; ``values(of:)`` reads it.
  func sendQuery(_ sql: String, _ arguments: [Cell] = []) -> Answer {
    var binds = Binds()
    for argument in arguments { binds.append(argument) }
    let answer = Answer()
    enqueue(numberedSQL(sql), binds, answer: answer, detached: false)
    return answer
  }

  /// Sends `sql` with `binds` already made (and `$n` placeholders), without waiting: the
  /// bulk inserts.
  func send(_ sql: String, _ binds: Binds) {
    enqueue(sql, binds, answer: nil, detached: false)
  }

  /// Sends `sql` and never waits for it: its outcome cannot matter (ending a read-only
  /// transaction). It ends its group, so it goes to the server at once and no later
  /// statement depends on it; its answer is read and dropped by the next wait.
  func sendDetached(_ sql: String) {
    enqueue(sql, Binds(), answer: nil, detached: true)
    endGroup()
  }

  private func enqueue(_ sql: String, _ binds: Binds, answer: Answer?, detached: Bool) {
    if closed.load(ordering: .acquiring) {
      pending.append(.unsent(SessionError(connection: "the connection was closed")))
      return
    }
    open = true
    let count = Int32(binds.types.count)
    let sent = binds.withPointers { types, values, lengths, formats -> Int32 in
      guard let name = preparedName(sql, binds) else {
        return PQsendQueryParams(connection, sql, count, types, values, lengths, formats, 1)
      }
      return PQsendQueryPrepared(connection, name, count, values, lengths, formats, 1)
    }
    if sent == 1 {
      pending.append(.statement(answer, detached: detached))
    } else {
      let failure = SessionError(connection: lastError())
      answer?.failure = failure
      pending.append(.unsent(failure))
    }
  }

  /// The name `sql` is prepared under, preparing it now (in the same group, before its
  /// use) when it is seen for the second time; nil for a statement run unnamed.
  private func preparedName(_ sql: String, _ binds: Binds) -> String? {
    guard preparing, sql.utf8.count <= Self.preparedLength else { return nil }
    let key = binds.signature + sql
    if let name = prepared[key] { return name }
    guard prepared.count < Self.preparedLimit else { return nil }
    guard seen.contains(key) else {
      if seen.count >= 4_096 { seen.removeAll(keepingCapacity: true) }
      seen.insert(key)
      return nil
    }
    let name = "ocop_\(prepared.count + 1)"
    let types = binds.types
    guard
      types.withUnsafeBufferPointer({
        PQsendPrepare(connection, name, sql, Int32(types.count), $0.baseAddress)
      }) == 1
    else { return nil }
    prepared[key] = name
    pending.append(.prepare(key: key))
    return name
  }

  /// Ends the group of statements sent since the last, which sends them.
  private func endGroup() {
    guard open else { return }
    open = false
    if PQpipelineSync(connection) == 1 {
      pending.append(.sync)
    } else {
      pending.append(.unsent(SessionError(connection: lastError())))
    }
  }

  // MARK: Waiting

  /// Waits for every statement sent, throwing the first failure.
  func settle() throws {
    endGroup()
    var failure: SessionError?
    var groupFailure: SessionError?
    let sent = pending
    pending = []
    for (index, item) in sent.enumerated() {
      switch item {
      case .sync:
        guard readSync() else {
          let lost = SessionError(connection: lastError())
          for rest in sent[(index + 1)...] {
            if case .statement(let answer?, _) = rest { answer.failure = lost }
          }
          throw failure ?? lost
        }
        groupFailure = nil
      case .unsent(let error):
        if failure == nil { failure = error }
      case .prepare(let key):
        if let error = readResult(into: nil) {
          // Not made: the statement is prepared again when it next comes.
          prepared[key] = nil
          if groupFailure == nil { groupFailure = error }
          if failure == nil { failure = error }
        }
      case .statement(let answer, let detached):
        var error = readResult(into: answer)
        if let failed = error, failed.isAborted { error = groupFailure ?? failed }
        if let error {
          answer?.failure = error
          if groupFailure == nil { groupFailure = error }
          if failure == nil, !detached { failure = error }
        }
      }
    }
    if let failure {
      if failure.sqlState == SessionError.unknownStatement {
        // A statement prepared on this connection is not on the server's: from now on
        // every statement goes unnamed, and the transaction is run again.
        preparing = false
        prepared = [:]
      }
      throw failure
    }
  }

  /// Reads one statement's results: its rows into `answer`; its failure, if it failed.
  private func readResult(into answer: Answer?) -> SessionError? {
    var failure: SessionError?
    var any = false
    while let result = PQgetResult(connection) {
      any = true
      defer { PQclear(result) }
      switch PQresultStatus(result) {
      case PGRES_TUPLES_OK:
        if let answer { answer.rows += Self.rows(of: result) }
      case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
        break
      case PGRES_PIPELINE_ABORTED:
        if failure == nil { failure = SessionError(aborted: ()) }
      default:
        if failure == nil { failure = SessionError(result: result, connection: connection) }
      }
    }
    if !any, PQstatus(connection) != CONNECTION_OK {
      return SessionError(connection: lastError())
    }
    return failure
  }

  /// Reads a group's end; false when the connection broke.
  private func readSync() -> Bool {
    while let result = PQgetResult(connection) {
      let status = PQresultStatus(result)
      PQclear(result)
      if status == PGRES_PIPELINE_SYNC { return true }
    }
    return PQstatus(connection) == CONNECTION_OK
  }

  /// The rows of an answer ``sendQuery(_:_:)`` promised, after everything in flight.
  func values(of answer: Answer) throws -> [[Value]] {
    try settle()
    if let failure = answer.failure { throw failure }
    return answer.rows
  }

  /// Runs `sql` (with `?` placeholders) and returns every row as cells.
  @discardableResult
  func rows(_ sql: String, _ arguments: [Cell]) throws -> [[Cell]] {
    try values(sql, arguments).map { row in row.map(\.cell) }
  }

  /// Runs `sql` and returns the rows' columns as raw values: bytes for `bytea`, and the
  /// other types as cells.
  func values(_ sql: String, _ arguments: [Cell]) throws -> [[Value]] {
    try values(of: sendQuery(sql, arguments))
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

  private func lastError() -> String {
    Self.firstLine(String(cString: PQerrorMessage(connection)))
  }

  private static func firstLine(_ text: String) -> String {
    String(text.split(separator: "\n").first ?? "").trimmingCharacters(in: .whitespaces)
  }

  // MARK: Values

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

  /// The type numbers of the columns read and the parameters sent (`pg_type`'s oids).
  private enum TypeID {
    static let bytea: Oid = 17
    static let name: Oid = 19
    static let int8: Oid = 20
    static let int2: Oid = 21
    static let int4: Oid = 23
    static let text: Oid = 25
    static let bpchar: Oid = 1042
    static let varchar: Oid = 1043
  }

  /// A result's rows, read in binary.
  private static func rows(of result: OpaquePointer) -> [[Value]] {
    let count = PQntuples(result)
    let fields = PQnfields(result)
    let types = (0..<fields).map { PQftype(result, $0) }
    var rows: [[Value]] = []
    rows.reserveCapacity(Int(count))
    for row in 0..<count {
      var values: [Value] = []
      values.reserveCapacity(Int(fields))
      for field in 0..<fields {
        if PQgetisnull(result, row, field) == 1 {
          values.append(.cell(.null))
          continue
        }
        let length = Int(PQgetlength(result, row, field))
        let bytes = UnsafeRawBufferPointer(
          start: PQgetvalue(result, row, field), count: length)
        values.append(value(bytes, type: types[Int(field)]))
      }
      rows.append(values)
    }
    return rows
  }

  private static func value(_ bytes: UnsafeRawBufferPointer, type: Oid) -> Value {
    switch type {
    case TypeID.bytea:
      return .bytes(Array(bytes))
    case TypeID.int2, TypeID.int4, TypeID.int8:
      guard bytes.count == 2 || bytes.count == 4 || bytes.count == 8 else { break }
      var value: Int64 = bytes.first.map { $0 & 0x80 == 0 ? 0 : -1 } ?? 0
      for byte in bytes { value = value << 8 | Int64(byte) }
      return .cell(.integer(value))
    case TypeID.text, TypeID.varchar, TypeID.bpchar, TypeID.name:
      return .cell(.text(String(decoding: bytes, as: UTF8.self)))
    default:
      break
    }
    return .cell(.other("value of type \(type)"))
  }

  /// Bound arguments being built: each one's type, and its bytes in binary format.
  struct Binds {
    fileprivate var types: [Oid] = []
    /// Where each argument's bytes start in `data`, or -1 for NULL.
    fileprivate var offsets: [Int] = []
    fileprivate var lengths: [Int32] = []
    /// Begins with a byte no argument uses, so the buffer always has an address.
    fileprivate var data: [UInt8] = [0]

    mutating func append(_ cell: Cell) {
      switch cell {
      case .null, .other:
        types.append(0)
        offsets.append(-1)
        lengths.append(0)
      case .integer(let value):
        types.append(TypeID.int8)
        offsets.append(data.count)
        lengths.append(8)
        withUnsafeBytes(of: value.bigEndian) { data.append(contentsOf: $0) }
      case .text(let value):
        types.append(TypeID.text)
        offsets.append(data.count)
        let before = data.count
        data.append(contentsOf: value.utf8)
        lengths.append(Int32(data.count - before))
      }
    }

    mutating func append(bytes: [UInt8]) {
      types.append(TypeID.bytea)
      offsets.append(data.count)
      lengths.append(Int32(bytes.count))
      data.append(contentsOf: bytes)
    }

    /// The parameters' types, as a prepared statement's key begins.
    fileprivate var signature: String {
      types.map(String.init).joined(separator: ",") + "\u{0}"
    }

    /// Calls `body` with the arrays libpq takes.
    fileprivate func withPointers<T>(
      _ body: (
        UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?,
        UnsafePointer<Int32>?
      ) -> T
    ) -> T {
      data.withUnsafeBufferPointer { buffer in
        let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
        let values = offsets.map { $0 < 0 ? nil : base + $0 }
        let formats = [Int32](repeating: 1, count: types.count)
        return types.withUnsafeBufferPointer { types in
          values.withUnsafeBufferPointer { values in
            lengths.withUnsafeBufferPointer { lengths in
              formats.withUnsafeBufferPointer { formats in
                body(
                  types.baseAddress, values.baseAddress, lengths.baseAddress, formats.baseAddress)
              }
            }
          }
        }
      }
    }
  }

  // MARK: Failures

  /// A failure as the server or the connection reported it.
  struct SessionError: Error, Sendable {
    /// The server's SQLSTATE, when the server answered.
    let sqlState: String?
    /// What went wrong, in one line.
    let message: String
    /// Whether the connection itself failed (refused, closed, timed out).
    let isConnection: Bool
    /// Whether the statement was skipped because an earlier one of its group failed.
    fileprivate var isAborted = false

    init(sqlState: String?, message: String, isConnection: Bool) {
      self.sqlState = sqlState
      self.message = message
      self.isConnection = isConnection
    }

    /// The connection's failure, in libpq's words.
    fileprivate init(connection message: String) {
      self.init(
        sqlState: nil,
        message: message.isEmpty ? "the connection to the server was lost" : message,
        isConnection: true)
    }

    fileprivate init(aborted: Void) {
      self.init(
        sqlState: nil, message: "skipped after an earlier statement failed", isConnection: false)
      isAborted = true
    }

    /// A failed statement's result.
    fileprivate init(result: OpaquePointer, connection: OpaquePointer) {
      func field(_ code: UInt8) -> String? {
        PQresultErrorField(result, Int32(code)).map { String(cString: $0) }
      }
      let state = field(UInt8(ascii: "C"))
      if let state, let message = field(UInt8(ascii: "M")) {
        self.init(sqlState: state, message: message, isConnection: false)
      } else {
        let text = PostgresSession.firstLine(String(cString: PQresultErrorMessage(result)))
        let fallback = PostgresSession.firstLine(String(cString: PQerrorMessage(connection)))
        self.init(
          sqlState: state, message: text.isEmpty ? fallback : text,
          isConnection: PQstatus(connection) != CONNECTION_OK)
      }
    }

    /// Whether the transaction may simply be run again: a serialisation failure, a
    /// deadlock, a unique key another writer took between this one's check and its append
    /// (run again, the check sees it), or a prepared statement the server lost (run again,
    /// unnamed).
    var isRetryable: Bool {
      sqlState == "40001" || sqlState == "40P01" || isConflict
        || sqlState == Self.unknownStatement
    }

    /// A prepared statement the server does not know (SQLSTATE 26000).
    static let unknownStatement = "26000"

    /// A unique key taken: retried a few times only, since a store's own data cannot cause
    /// it twice in a row.
    var isConflict: Bool { sqlState == "23505" }
  }

  /// A failed connection attempt as one line that names the store. libpq words it as
  /// `connection to server at "HOST" (ADDRESS), port N failed: REASON`, where a reason the
  /// server gave starts with its severity (`FATAL:`).
  static func connectionError(_ text: String, location: String) -> TraceError {
    let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    var reason = lines.first ?? ""
    if let range = reason.range(of: " failed: ") { reason = String(reason[range.upperBound...]) }
    if reason.isEmpty, lines.count > 1 { reason = lines[1] }
    for severity in ["FATAL:", "ERROR:"] where reason.hasPrefix(severity) {
      let told = reason.dropFirst(severity.count).trimmingCharacters(in: .whitespaces)
      let login = [
        "password authentication failed", "authentication failed", "no pg_hba.conf entry",
        "role \"",
      ]
      if login.contains(where: { told.contains($0) }) {
        return .store(path: location, reason: "refused the login: \(told)")
      }
      if told.hasPrefix("database \""), told.hasSuffix("does not exist") {
        return .store(path: location, reason: "has no such database: \(told)")
      }
      return .store(path: location, reason: told)
    }
    if reason.contains("no password supplied") {
      return .store(
        path: location,
        reason:
          "refused the login: the server asks for a password and none was given (put it in PGPASSWORD)"
      )
    }
    let known = [
      ("timeout expired", "no answer within the connect timeout"),
      ("Connection refused", "connection refused"),
      ("No route to host", "no route to host"),
      ("Network is unreachable", "network is unreachable"),
      ("could not translate host name", "the host name does not resolve"),
      ("server does not support SSL", "the server does not offer TLS, which sslmode requires"),
    ]
    if let found = known.first(where: { text.contains($0.0) }) {
      return .store(path: location, reason: "cannot be reached: \(found.1)")
    }
    return .store(path: location, reason: "cannot be reached: \(reason)")
  }

  /// A failure as one line that names the store.
  static func error(_ error: any Error, location: String) -> TraceError {
    if let trace = error as? TraceError { return trace }
    let failure =
      error as? SessionError
      ?? SessionError(sqlState: nil, message: "\(error)", isConnection: true)
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
