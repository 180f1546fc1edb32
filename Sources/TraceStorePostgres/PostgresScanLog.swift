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
      try session.execute(
        "CREATE INDEX IF NOT EXISTS ocop_scans_item ON ocop_scans (gtin, lot, serial)")
    }
    return log
  }

  public func record(_ lot: LotReference, serial: String, place: String, at time: Timestamp)
    async throws(TraceError) -> ScanSummary
  {
    try await run { session in
      // The insert commits on its own; the summary, on the same connection, counts it.
      session.send(
        "INSERT INTO ocop_scans (time, gtin, lot, serial, place) VALUES (?, ?, ?, ?, ?)",
        [.text(time.text), .text(lot.gtin.digits), .text(lot.lot), .text(serial), .text(place)])
      return try Self.summary(session, lot, serial)
    }
  }

  public func summary(_ lot: LotReference, serial: String) async throws(TraceError)
    -> ScanSummary
  {
    try await run { session in try Self.summary(session, lot, serial) }
  }

  private static func summary(_ session: PostgresSession, _ lot: LotReference, _ serial: String)
    throws -> ScanSummary
  {
    let row = try session.rows(
      """
      SELECT COUNT(*), COUNT(DISTINCT place), MIN(time) FROM ocop_scans
      WHERE gtin = ? AND lot = ? AND serial = ?
      """, [.text(lot.gtin.digits), .text(lot.lot), .text(serial)]
    ).first
    func integer(_ index: Int) -> Int {
      if let row, index < row.count, case .integer(let value) = row[index] { return Int(value) }
      return 0
    }
    var first: Timestamp?
    if let row, row.count > 2, case .text(let text) = row[2] { first = try? Timestamp(text) }
    let scans = integer(0)
    let places = integer(1)
    return ScanSummary(
      scans: scans, places: places, firstSeen: first,
      unusual: scans > ScanSummary.scanLimit || places > ScanSummary.placeLimit)
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
