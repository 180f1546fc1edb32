import TraceStoreSQL
import Traceability

/// The store's tables in PostgreSQL: the shared definitions (``SQLSchema``), triggers that
/// refuse every UPDATE, DELETE and TRUNCATE, and `ocop_schema`, which records the schema's
/// version so that an older `ocop` refuses a store a newer one has upgraded.
enum PostgresSchema {
  /// The version this build writes. Migrations take a store from each version to the next.
  static let version = 5

  /// The statements that take a store from version `index` to `index + 1`.
  static let migrations: [[String]] = [
    SQLSchema.statements(.postgres) + [
      """
      CREATE FUNCTION ocop_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the trace store is append-only (% on %)', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'restrict_violation';
      END $$
      """
    ]
      + appendOnly(SQLSchema.firstTables),
    // Version 2: a writer's turn at the chain in one statement. The lock and the head's
    // query run in a function, so the query, which begins after the lock is granted, sees
    // every writer that held the lock before (in READ COMMITTED each statement of a
    // volatile function takes a new snapshot).
    [
      """
      CREATE FUNCTION ocop_chain_turn(OUT seq BIGINT, OUT hash BYTEA) RETURNS SETOF record
      LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE;
        RETURN QUERY SELECT e.seq, e.hash FROM events e ORDER BY e.seq DESC LIMIT 1;
      END $$
      """
    ],
    // Version 3: events taken in from other stores' logs.
    SQLSchema.importStatements(.postgres) + appendOnly([Projection.importedEvents.name]),
    // Version 4: recalls lifted.
    SQLSchema.withdrawalStatements(.postgres) + appendOnly([Projection.recallWithdrawals.name]),
    // Version 5: products' and producers' later members, and production stages.
    SQLSchema.detailStatements(.postgres) + appendOnly([Projection.stages.name, "photos"]),
  ]

  /// The triggers that refuse every UPDATE, DELETE and TRUNCATE of `tables`.
  private static func appendOnly(_ tables: [String]) -> [String] {
    tables.flatMap { table in
      [
        """
        CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON \(table)
        FOR EACH ROW EXECUTE FUNCTION ocop_append_only()
        """,
        """
        CREATE TRIGGER \(table)_no_truncate BEFORE TRUNCATE ON \(table)
        FOR EACH STATEMENT EXECUTE FUNCTION ocop_append_only()
        """,
      ]
    }
  }

  /// What the store's schema is, read in the current transaction.
  enum State: Equatable {
    /// Nothing of ours: a new database.
    case empty
    /// Tables but no `ocop_schema`: not a trace store.
    case foreign
    /// A store at this version.
    case version(Int)
  }

  static func state(of session: PostgresSession) throws -> State {
    let found = try session.rows(
      """
      SELECT (to_regclass('ocop_schema') IS NOT NULL)::int, (to_regclass('events') IS NOT NULL)::int
      """, [])
    guard let row = found.first, row.count == 2 else { return .empty }
    let hasSchema = row[0] == .integer(1)
    let hasEvents = row[1] == .integer(1)
    if !hasSchema { return hasEvents ? .foreign : .empty }
    let version = try session.rows("SELECT MAX(version) FROM ocop_schema", [])
    guard case .integer(let number)? = version.first?.first else { return .foreign }
    return .version(Int(number))
  }

  /// Creates or upgrades the schema in one transaction; refuses a store whose schema is
  /// newer than this build's, and a database that holds other tables named like ours.
  /// Without `create`, an empty database is refused too.
  static func migrate(_ session: PostgresSession, create: Bool) throws(TraceError) {
    let location = session.location
    do {
      // Up to date, the usual case: nothing to take a lock for.
      if try state(of: session) == .version(version) { return }
    } catch {
      throw PostgresSession.error(error, location: location)
    }
    try inTransaction(session) {
      // Two processes opening a new store at once: the second waits and finds it made.
      try session.execute("SELECT pg_advisory_xact_lock(7301200001)")
      let current: Int
      switch try state(of: session) {
      case .foreign:
        throw foreign(location)
      case .empty:
        guard create else { throw noStore(location) }
        try session.execute(
          "CREATE TABLE ocop_schema (version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        current = 0
      case .version(let number):
        current = number
      }
      try refuseNewer(current, location: location)
      for index in current..<version {
        for statement in migrations[index] { try session.execute(statement) }
        try session.rows(
          "INSERT INTO ocop_schema (version) VALUES (?)", [.integer(Int64(index + 1))])
      }
      return true
    }
  }

  /// Runs `body` in one transaction on `session`: committed when it returns true, rolled
  /// back when it returns false or throws.
  private static func inTransaction(_ session: PostgresSession, _ body: () throws -> Bool)
    throws(TraceError)
  {
    do {
      try session.execute("BEGIN")
      try session.execute(try body() ? "COMMIT" : "ROLLBACK")
    } catch {
      try? session.execute("ROLLBACK")
      throw PostgresSession.error(error, location: session.location)
    }
  }

  /// Drops every table of the store, in one transaction, if its log is empty.
  static func removeIfEmpty(_ session: PostgresSession) throws(TraceError) {
    try inTransaction(session) {
      guard case .version = try state(of: session) else { return false }
      try session.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
      guard try session.rows("SELECT 1 FROM events LIMIT 1", []).isEmpty else { return false }
      for table in SQLSchema.tables.reversed() + ["ocop_schema"] {
        try session.execute("DROP TABLE \(table)")
      }
      try session.execute("DROP FUNCTION ocop_append_only()")
      try session.execute("DROP FUNCTION IF EXISTS ocop_chain_turn()")
      return true
    }
  }

  /// Checks, without writing, that the store exists and is at this build's version: for a
  /// read-only store or a standby.
  static func check(_ session: PostgresSession) throws(TraceError) {
    let location = session.location
    do {
      switch try state(of: session) {
      case .empty:
        throw noStore(location)
      case .foreign:
        throw foreign(location)
      case .version(let number):
        try refuseNewer(number, location: location)
        if number < version {
          throw TraceError.store(
            path: location,
            reason:
              "is at schema version \(number); open it once with a command that writes to upgrade it to \(version)"
          )
        }
      }
    } catch {
      throw PostgresSession.error(error, location: location)
    }
  }

  /// A database whose tables are not a trace store's.
  static func foreign(_ location: String) -> TraceError {
    .store(
      path: location,
      reason:
        "holds tables that are not an ocop-trace store (an events table without ocop_schema)")
  }

  /// An empty database named, with the command that makes a store in it.
  private static func noStore(_ location: String) -> TraceError {
    .store(
      path: location,
      reason:
        "holds no trace store; create one with `ocop init --store \(location) --config FILE --resolver URL --prefix DIGITS`"
    )
  }

  private static func refuseNewer(_ number: Int, location: String) throws(TraceError) {
    if number > version {
      throw TraceError.store(
        path: location,
        reason:
          "has schema version \(number), written by a newer ocop; this one knows versions up to \(version), so upgrade ocop"
      )
    }
  }

  /// What keeps the store append-only, checked: every table's triggers present and enabled.
  static func problems(in session: PostgresSession) throws -> [String] {
    let rows = try session.rows(
      """
      SELECT c.relname::text, t.tgname::text, t.tgenabled::text
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
      """, [])
    var enabled: [String: String] = [:]
    for row in rows {
      if case .text(let name) = row[1], case .text(let state) = row[2] { enabled[name] = state }
    }
    var problems: [String] = []
    for table in SQLSchema.tables {
      for trigger in ["\(table)_append_only", "\(table)_no_truncate"] {
        switch enabled[trigger] {
        case nil: problems.append("trigger \(trigger) is missing, so \(table) can be changed")
        case "D": problems.append("trigger \(trigger) is disabled, so \(table) can be changed")
        default: break
        }
      }
    }
    return problems
  }
}
