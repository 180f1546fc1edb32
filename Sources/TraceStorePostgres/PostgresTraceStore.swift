import Foundation
import Synchronization
import TraceStoreSQL
import Traceability

/// The trace store in a PostgreSQL database, for a province or the country: many writers
/// on many machines, and resolvers on read-only standbys.
///
/// Every write is one READ COMMITTED transaction that, before it reads anything but whether
/// a lot or product exists, locks the events table in SHARE ROW EXCLUSIVE mode: writers take
/// turns (readers never wait), each sees every earlier commit, and appends after the head
/// it reads, so the chain stays one total order with no gap or fork and serial ranges never
/// overlap (``PostgresTransaction``). A transaction the server refuses for a serialisation
/// failure, a deadlock or a unique key taken meanwhile is rolled back and run again. Reads
/// run in REPEATABLE READ READ ONLY transactions: one snapshot each, and allowed on a
/// standby.
public final class PostgresTraceStore: TraceStoreBackend {
  /// The store's address, without password.
  public let location: String
  /// The key that signs new events, if the store was opened to write.
  public let signer: IssuerKey?
  /// The clock that stamps new events.
  public let clock: @Sendable () -> Timestamp
  private let pool: SessionPool

  private init(
    location: String, signer: IssuerKey?, pool: SessionPool,
    clock: @escaping @Sendable () -> Timestamp
  ) {
    self.location = location
    self.signer = signer
    self.pool = pool
    self.clock = clock
  }

  /// Opens the store at `location`. With `create`, an empty database gets the schema;
  /// otherwise it is an error. A store opened with a `signer` is upgraded to this build's
  /// schema if it is older; one opened without is only read, so it may be a standby.
  /// `connections` bounds how many transactions run at once (a server wants several).
  public static func open(
    _ location: PostgresLocation, signer: IssuerKey?, create: Bool = false,
    connections: Int = 1, clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }
  ) async throws(TraceError) -> PostgresTraceStore {
    let pool = SessionPool(location: location, limit: max(1, connections))
    try await pool.withSession { session throws(TraceError) in
      if signer != nil || create {
        try PostgresSchema.migrate(session, create: create)
      } else {
        try PostgresSchema.check(session)
      }
    }
    return PostgresTraceStore(
      location: location.description, signer: signer, pool: pool, clock: clock)
  }

  /// Whether the database at `location` holds a trace store (of any version); a database
  /// with tables of something else is an error.
  public static func holdsStore(_ location: PostgresLocation) async throws(TraceError) -> Bool {
    try await SessionPool.once(location) { session throws(TraceError) -> Bool in
      do {
        switch try PostgresSchema.state(of: session) {
        case .empty: return false
        case .version: return true
        case .foreign:
          throw PostgresSchema.foreign(location.description)
        }
      } catch {
        throw PostgresSession.error(error, location: location.description)
      }
    }
  }

  /// Removes the schema from the database at `location` if its log is empty: what undoes a
  /// create whose next step failed. A store holding events is left alone.
  public static func removeEmptyStore(_ location: PostgresLocation) async throws(TraceError) {
    try await SessionPool.once(location) { session throws(TraceError) in
      try PostgresSchema.removeIfEmpty(session)
    }
  }

  /// Closes every connection.
  public func close() {
    pool.close()
  }

  package func read<T: Sendable>(_ body: @Sendable (any TraceReader) throws -> T)
    async throws(TraceError) -> T
  {
    // A read is run again when its connection was lost, and when a standby cancelled it
    // for a conflict with the changes it was replaying (SQLSTATE 40001).
    var attempt = 0
    var lost = false
    while true {
      switch try await transaction(
        writing: false, { transaction in try body(SQLReader(transaction)) })
      {
      case .done(let value): return value
      case .lost where !lost:
        lost = true
      case .refused where attempt < 3:
        attempt += 1
      case .refused(let failure), .lost(let failure):
        throw PostgresSession.error(failure, location: location)
      }
    }
  }

  package func write<T: Sendable>(_ body: @Sendable (any TraceTransaction) throws -> T)
    async throws(TraceError) -> T
  {
    var attempt = 0
    var lost = false
    while true {
      switch try await transaction(
        writing: true, { transaction in try body(SQLReader(transaction)) })
      {
      case .done(let value): return value
      case .lost where !lost:
        lost = true
      case .lost(let failure):
        throw PostgresSession.error(failure, location: location)
      case .refused(let failure) where attempt < (failure.isConflict ? 3 : 20):
        attempt += 1
        try? await Task.sleep(nanoseconds: UInt64(5_000_000 * attempt))
      case .refused(let failure):
        throw .store(path: location, reason: "kept refusing the write (\(failure.message))")
      }
    }
  }

  /// How a transaction ended, when it did not fail outright.
  private enum Outcome<T: Sendable>: Sendable {
    /// Committed, with the body's result.
    case done(T)
    /// Rolled back for contention (``PostgresSession/SessionError/isRetryable``): run it
    /// again.
    case refused(PostgresSession.SessionError)
    /// The connection was lost before anything could have committed (a server restarted,
    /// or a connection it ended while idle): run it again, once, on a new connection.
    case lost(PostgresSession.SessionError)
  }

  /// Runs `body` in one transaction on a session of the pool, on that session's thread:
  /// committed when it returns, rolled back when it throws.
  private func transaction<T: Sendable>(
    writing: Bool, _ body: @Sendable (PostgresTransaction) throws -> T
  ) async throws(TraceError) -> Outcome<T> {
    let lease = try await pool.acquire()
    defer { pool.release(lease) }
    let outcome: Result<Outcome<T>, any Error> = try await lease.thread.run {
      let transaction = PostgresTransaction(lease.session, writing: writing)
      do {
        let result = try body(transaction)
        try transaction.commit()
        return .success(.done(result))
      } catch {
        transaction.rollback()
        if let failure = error as? PostgresSession.SessionError {
          if failure.isRetryable { return .success(.refused(failure)) }
          if lease.session.isBroken, !transaction.committing {
            return .success(.lost(failure))
          }
        }
        return .failure(error)
      }
    }
    switch outcome {
    case .success(.lost(let failure)):
      // The server's other connections in the pool are likely gone too.
      pool.closeIdle()
      return .lost(failure)
    case .success(let outcome): return outcome
    case .failure(let error): throw PostgresSession.error(error, location: location)
    }
  }
}
