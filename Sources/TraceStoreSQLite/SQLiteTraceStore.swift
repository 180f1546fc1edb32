import Foundation
import GRDB
import TraceStoreSQL
import Traceability

/// The trace store in one SQLite file (WAL mode, foreign keys, full sync), through GRDB.
///
/// Several processes may write the same file at once: every write is one IMMEDIATE
/// transaction that reads the chain's head and appends after it, SQLite's busy timeout
/// waits for the others, and a write still refused as busy is retried.
public final class SQLiteTraceStore: TraceStoreBackend {
  let database: any DatabaseWriter
  /// The key that signs new events, if the store was opened to write.
  public let signer: IssuerKey?
  /// The clock that stamps new events.
  public let clock: @Sendable () -> Timestamp
  /// The file's path.
  public let path: String
  /// The file's path, as messages name the store.
  public var location: String { path }

  /// How a store is read.
  public enum Readers: Sendable {
    /// One connection for reads and writes: a command-line run. Opening a store this way
    /// and writing nothing leaves its file byte for byte as it was.
    case single
    /// Read only, on a pool of connections, for a server answering many requests at once;
    /// it sees what other processes write as soon as they commit, and changes no byte.
    case concurrent
  }

  /// Opens the store at `path`. With `create`, a missing file is created; otherwise a
  /// missing file is an error. Without a `signer` the store can be read and audited but
  /// not written.
  public init(
    path: String, signer: IssuerKey?, create: Bool = false, readers: Readers = .single,
    clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }
  ) throws(TraceError) {
    if !create && !FileManager.default.fileExists(atPath: path) {
      throw .store(path: path, reason: "does not exist")
    }
    var configuration = Configuration()
    configuration.foreignKeysEnabled = true
    configuration.busyMode = .timeout(30)
    do {
      switch readers {
      case .single:
        // WAL mode is a property of the file, so asking for it again writes nothing. FULL
        // sync waits for the disk at every commit, so no commit is lost to a power cut.
        configuration.prepareDatabase { db in
          let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
          guard mode == "wal" else {
            throw DatabaseError(message: "could not use WAL mode (journal mode \(mode ?? "?"))")
          }
          try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        database = try DatabaseQueue(path: path, configuration: configuration)
      case .concurrent:
        configuration.readonly = true
        database = try DatabasePool(path: path, configuration: configuration)
      }
      // Migrating writes to the file even when there is nothing to do, so a store that is
      // up to date is only read.
      let migrator = Schema.migrator
      if try !database.read({ try migrator.hasCompletedMigrations($0) }) {
        if readers == .concurrent {
          throw TraceError.store(
            path: path, reason: "is not up to date; open it once with a command that writes")
        }
        try migrator.migrate(database)
      }
    } catch {
      throw Self.storeError(error, path: path)
    }
    self.path = path
    self.signer = signer
    self.clock = clock
  }

  /// Turns a database error into a ``TraceError`` that names the file.
  static func storeError(_ error: any Error, path: String) -> TraceError {
    if let trace = error as? TraceError { return trace }
    if let database = error as? DatabaseError {
      switch database.resultCode {
      case .SQLITE_NOTADB: return .store(path: path, reason: "is not an SQLite database")
      case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_AUTH:
        return .store(
          path: path,
          reason: "cannot be opened for writing (\(database.message ?? "permission denied"))")
      case .SQLITE_CORRUPT:
        return .store(path: path, reason: "is damaged (\(database.message ?? "corrupt"))")
      case .SQLITE_FULL: return .store(path: path, reason: "the disk is full")
      default: return .store(path: path, reason: database.message ?? "\(database.resultCode)")
      }
    }
    return .store(path: path, reason: "\(error)")
  }

  /// Runs `body` in one IMMEDIATE write transaction on GRDB's writer, retrying if SQLite
  /// still reports the database busy after its timeout.
  package func write<T: Sendable>(_ body: @Sendable (any TraceTransaction) throws -> T)
    async throws(TraceError) -> T
  {
    var attempt = 0
    while true {
      do {
        return try await database.writeWithoutTransaction { db in
          try Self.immediate(db) { db in try body(SQLReader(db: db)) }
        }
      } catch let error as DatabaseError
        where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED)
        && attempt < 20
      {
        attempt += 1
        try? await Task.sleep(nanoseconds: UInt64(20_000_000 * attempt))
      } catch {
        throw Self.storeError(error, path: path)
      }
    }
  }

  /// Runs `body` on a read snapshot, on one of GRDB's reader threads.
  package func read<T: Sendable>(_ body: @Sendable (any TraceReader) throws -> T)
    async throws(TraceError) -> T
  {
    do {
      return try await database.read { db in try body(SQLReader(db: db)) }
    } catch {
      throw Self.storeError(error, path: path)
    }
  }

  /// Runs `body` in one IMMEDIATE write transaction on the calling thread: for the bundle
  /// reader's replay, which runs before the store is shared.
  /// `body` in one IMMEDIATE transaction on `db`: committed when it returns, rolled back
  /// when it throws.
  static func immediate<T>(_ db: Database, _ body: (Database) throws -> T) throws -> T {
    var result: T?
    try db.inTransaction(.immediate) {
      result = try body(db)
      return .commit
    }
    guard let result else {
      throw TraceError.malformed(what: "store", reason: "a transaction committed no result")
    }
    return result
  }

  func writeNow<T>(_ body: (Database) throws -> T) throws(TraceError) -> T {
    do {
      return try database.writeWithoutTransaction { db in try Self.immediate(db, body) }
    } catch {
      throw Self.storeError(error, path: path)
    }
  }
}

extension Database {
  /// One row, through a cached prepared statement (preparing costs more than the query).
  func one(_ sql: String, _ arguments: StatementArguments = []) throws -> Row? {
    try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
  }

  /// Every row, through a cached prepared statement.
  func all(_ sql: String, _ arguments: StatementArguments = []) throws -> [Row] {
    try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
  }

  /// One integer, through a cached prepared statement.
  func int(_ sql: String, _ arguments: StatementArguments = []) throws -> Int64? {
    try Int64.fetchOne(cachedStatement(sql: sql), arguments: arguments)
  }
}

extension Cell {
  var databaseValue: DatabaseValue {
    switch self {
    case .null, .other: .null
    case .integer(let value): value.databaseValue
    case .text(let value): value.databaseValue
    }
  }

  init(_ value: DatabaseValue) {
    switch value.storage {
    case .null: self = .null
    case .int64(let number): self = .integer(number)
    case .string(let text): self = .text(text)
    case .double(let number): self = .other("real \(number)")
    case .blob(let data): self = .other("blob of \(data.count) bytes")
    }
  }
}

extension SQLiteTraceStore {
  /// Writes a compact copy of the store, everything committed included, to `path` (which
  /// must not exist), in the form opening it leaves byte for byte as it is.
  public func copy(to path: String) throws(TraceError) {
    do {
      try database.writeWithoutTransaction { db in
        try db.execute(sql: "VACUUM INTO ?", arguments: [path])
      }
    } catch {
      throw Self.storeError(error, path: path)
    }
    // Opened once here, so that it is in WAL mode and up to date before anyone hashes it.
    _ = try SQLiteTraceStore(path: path, signer: nil)
  }

  /// A new store at `path` holding `events` exactly as they were signed, with the rows
  /// derived from them: an exported log read back. Nothing is checked while writing; audit
  /// the result. Events whose derived rows break the store's constraints (a lot issued
  /// twice, a product of no producer) are refused here.
  ///
  /// With `onto`, the store at `path` exists already and `events` follow its log.
  public static func replay(_ events: [Event], into path: String, onto: Bool = false)
    throws(TraceError) -> SQLiteTraceStore
  {
    try replay(into: path, onto: onto) { append in try append(events) }
  }

  /// A new store at `path` (or, with `onto`, the store there) holding the events `fill`
  /// hands to the function it is given, a piece at a time, in order, all in one
  /// transaction: a throw from `fill` leaves the file without any of them. As
  /// ``replay(_:into:onto:)``, nothing is checked; audit the result.
  public static func replay(
    into path: String, onto: Bool = false,
    fill: (_ append: ([Event]) throws -> Void) throws -> Void
  ) throws(TraceError) -> SQLiteTraceStore {
    let store = try SQLiteTraceStore(path: path, signer: nil, create: !onto)
    try store.writeNow { db in
      try fill { events in try insert(events, in: db) }
    }
    return store
  }

  /// Stores `events` as they were signed, with their derived rows, on `db`.
  private static func insert(_ events: [Event], in db: Database) throws {
    for event in events {
      do {
        try RawInsert.insertEvent(
          StoredEvent(
            sequence: event.sequence, kind: event.kind.rawValue, body: event.body,
            signature: event.signature, hash: event.hash), in: db)
        try RawInsert.insert(Projection.rows(for: event), in: db)
      } catch let error as DatabaseError {
        throw TraceError.malformed(
          what: "event \(event.sequence) (\(event.kind.rawValue))",
          reason: "does not fit the events before it (\(error.message ?? "\(error.resultCode)"))")
      }
    }
  }

  /// Appends `events`, which follow the log's head, with their derived rows, and audits
  /// them from `checkpoint` (the store's checked head) in the same transaction, which
  /// commits only when the audit passes: a refused append leaves the file as it was. The
  /// store needs no key: nothing is signed here, everything is checked. With
  /// `expectedHead`, the log must reach that event with that hash.
  public func append(
    checked events: [Event], trustList: TrustList, since checkpoint: AuditCheckpoint,
    expectedHead: (sequence: Int64, hash: String)?, verified: VerifiedSignatures?
  ) throws(TraceError) -> AuditReport {
    struct Refused: Error {}
    var refused: AuditReport?
    do {
      return try writeNow { db in
        let reader = SQLReader(db: db)
        let head = try reader.headSequence()
        guard head == checkpoint.sequence else {
          throw TraceError.malformed(
            what: "store \(path)",
            reason:
              "holds events up to \(head), not up to its checked head \(checkpoint.sequence)")
        }
        try Self.insert(events, in: db)
        let report = try audit(
          reader, trustList: trustList, since: checkpoint, expectedHead: expectedHead,
          verified: verified)
        if report.failure != nil {
          refused = report
          throw Refused()
        }
        return report
      }
    } catch {
      // The transaction was rolled back: the store is as it was.
      if let refused { return refused }
      throw error
    }
  }

  /// Moves everything committed into the main file and closes the store (one opened
  /// ``Readers/single``, to write), so that the file alone holds it and no later close
  /// writes to it. The store cannot be used afterwards.
  public func close() throws(TraceError) {
    do {
      try database.writeWithoutTransaction { db in
        _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
      }
      try (database as? DatabaseQueue)?.close()
    } catch {
      throw Self.storeError(error, path: path)
    }
  }
}
