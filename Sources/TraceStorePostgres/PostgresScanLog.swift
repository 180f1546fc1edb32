import TraceStoreSQL
import Traceability

/// The scan log in a PostgreSQL database (the primary's, when the resolvers read a
/// standby): one table, `ocop_scans`, beside the store's tables or in a database of its
/// own. Like the file scan log, a scan keeps its time, the code and a hashed place, never
/// the address. It is not part of the signed log, so it is neither signed nor audited.
public final class PostgresScanLog: ScanLog {
  private let pool: SessionPool
  /// The database, as messages name it.
  public let location: String

  private init(pool: SessionPool, location: String) {
    self.pool = pool
    self.location = location
  }

  /// Opens the scan log at `location`, making its table if it is missing; up to
  /// `connections` scans are recorded at once.
  public static func open(_ location: PostgresLocation, connections: Int = 4)
    async throws(TraceError) -> PostgresScanLog
  {
    let pool = SessionPool(location: location, limit: max(1, connections))
    let log = PostgresScanLog(pool: pool, location: location.description)
    try await log.run { session in
      try session.execute(
        """
        CREATE TABLE IF NOT EXISTS ocop_scans (
          time TEXT COLLATE "C" NOT NULL, gtin TEXT COLLATE "C" NOT NULL,
          lot TEXT COLLATE "C" NOT NULL, serial TEXT COLLATE "C" NOT NULL,
          place TEXT COLLATE "C" NOT NULL)
        """)
      // Logs made before scans had ids gain the column; their old rows have none.
      try session.execute("ALTER TABLE ocop_scans ADD COLUMN IF NOT EXISTS id TEXT COLLATE \"C\"")
      try session.execute(
        "CREATE INDEX IF NOT EXISTS ocop_scans_item ON ocop_scans (gtin, lot, serial)")
      try session.execute("CREATE INDEX IF NOT EXISTS ocop_scans_time ON ocop_scans (time)")
    }
    return log
  }

  public func record(_ scans: [Scan]) async throws(TraceError) {
    guard !scans.isEmpty else { return }
    try await run { session in
      // One statement, which commits on its own, for up to 9,000 scans.
      for start in stride(from: 0, to: scans.count, by: 9_000) {
        let chunk = scans[start..<min(start + 9_000, scans.count)]
        var cells: [Cell] = []
        cells.reserveCapacity(chunk.count * 5)
        for scan in chunk {
          cells += [
            .text(scan.time.text), .text(scan.lot.gtin.digits), .text(scan.lot.lot),
            .text(scan.serial), .text(scan.place), .text(scan.id),
          ]
        }
        session.send(
          "INSERT INTO ocop_scans (time, gtin, lot, serial, place, id) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", "),
          cells)
      }
      try session.settle()
    }
  }

  public func tally(_ lot: LotReference, serial: String, storedAmong ids: [String])
    async throws(TraceError) -> (tally: ScanTally, stored: Set<String>)
  {
    let query = ScanTallyQuery(table: "ocop_scans", lot: lot, serial: serial, ids: ids)
    return try await run { session in
      query.answer(
        try session.rows(query.sql, query.arguments.map(Cell.text)).map { row in
          func text(_ index: Int) -> String? {
            if index < row.count, case .text(let value) = row[index] { return value }
            return nil
          }
          var count = 0
          if row.count > 1, case .integer(let value) = row[1] { count = Int(value) }
          return ScanTallyQuery.Row(place: text(0), count: count, first: text(2), id: text(3))
        })
    }
  }

  public func prune(before cutoff: Timestamp?, keepingAtMost rows: Int?) async throws(TraceError)
    -> Int
  {
    try await run { session in
      var removed = 0
      if let cutoff {
        removed += try Self.deleted(
          session, "DELETE FROM ocop_scans WHERE time < ?", [.text(cutoff.text)])
      }
      if let rows {
        removed += try Self.deleted(
          session,
          """
          DELETE FROM ocop_scans WHERE ctid IN (
            SELECT ctid FROM ocop_scans ORDER BY time
            LIMIT greatest(0, (SELECT COUNT(*) FROM ocop_scans) - ?))
          """, [.integer(Int64(rows))])
      }
      return removed
    }
  }

  /// Runs a DELETE and returns how many rows it removed.
  private static func deleted(_ session: PostgresSession, _ sql: String, _ arguments: [Cell])
    throws -> Int
  {
    let rows = try session.rows(
      "WITH removed AS (\(sql) RETURNING 1) SELECT COUNT(*) FROM removed", arguments)
    if case .integer(let count)? = rows.first?.first { return Int(count) }
    return 0
  }

  /// Runs `body` on a session of the pool, its failures named by the log's location.
  private func run<T: Sendable>(_ body: @Sendable (PostgresSession) throws -> T)
    async throws(TraceError)
    -> T
  {
    let location = location
    return try await pool.withSession { session throws(TraceError) -> T in
      do {
        return try body(session)
      } catch {
        try? session.settle()
        throw PostgresSession.error(error, location: location)
      }
    }
  }
}
