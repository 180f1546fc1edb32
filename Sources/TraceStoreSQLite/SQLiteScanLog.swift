import Foundation
import GRDB
import TraceStoreSQL
import Traceability

/// The scan log in its own SQLite file beside the store (write-ahead logging, so counting
/// never waits for recording). A scan keeps its time, the code and a place: the client's
/// network, hashed with a secret key (``ScanPlace``), never the address.
public final class SQLiteScanLog: ScanLog {
  private let pool: DatabasePool
  /// The file.
  public let path: String

  /// Opens (creating if needed) the scan log at `path`.
  public init(path: String) throws(TraceError) {
    self.path = path
    var configuration = Configuration()
    configuration.busyMode = .timeout(5)
    do {
      pool = try DatabasePool(path: path, configuration: configuration)
      try pool.write { db in
        try db.execute(
          sql: """
            CREATE TABLE IF NOT EXISTS scans (
              time TEXT NOT NULL, gtin TEXT NOT NULL, lot TEXT NOT NULL, serial TEXT NOT NULL,
              place TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS scans_item ON scans(gtin, lot, serial);
            CREATE INDEX IF NOT EXISTS scans_time ON scans(time);
            """)
        // Logs made before scans had ids gain the column; their old rows have none.
        if try !db.columns(in: "scans").contains(where: { $0.name == "id" }) {
          try db.execute(sql: "ALTER TABLE scans ADD COLUMN id TEXT")
        }
      }
    } catch {
      throw SQLiteTraceStore.storeError(error, path: path)
    }
  }

  public func record(_ scans: [Scan]) async throws(TraceError) {
    guard !scans.isEmpty else { return }
    do {
      try await pool.write { db in
        let statement = try db.cachedStatement(
          sql: "INSERT INTO scans (time, gtin, lot, serial, place, id) VALUES (?, ?, ?, ?, ?, ?)")
        for scan in scans {
          try statement.execute(arguments: [
            scan.time.text, scan.lot.gtin.digits, scan.lot.lot, scan.serial, scan.place, scan.id,
          ])
        }
      }
    } catch {
      throw SQLiteTraceStore.storeError(error, path: path)
    }
  }

  public func tally(_ lot: LotReference, serial: String, storedAmong ids: [String])
    async throws(TraceError) -> (tally: ScanTally, stored: Set<String>)
  {
    let query = ScanTallyQuery(table: "scans", lot: lot, serial: serial, ids: ids)
    do {
      let rows = try await pool.read { db in
        try Row.fetchAll(
          db.cachedStatement(sql: query.sql), arguments: StatementArguments(query.arguments)
        )
        .map { row in
          ScanTallyQuery.Row(
            place: row[0], count: row[1] ?? 0, first: row[2], id: row[3])
        }
      }
      return query.answer(rows)
    } catch {
      throw SQLiteTraceStore.storeError(error, path: path)
    }
  }

  public func prune(before cutoff: Timestamp?, keepingAtMost rows: Int?) async throws(TraceError)
    -> Int
  {
    do {
      return try await pool.write { db in
        var removed = 0
        if let cutoff {
          try db.execute(sql: "DELETE FROM scans WHERE time < ?", arguments: [cutoff.text])
          removed += db.changesCount
        }
        if let rows {
          try db.execute(
            sql: """
              DELETE FROM scans WHERE rowid IN (
                SELECT rowid FROM scans ORDER BY time
                LIMIT max(0, (SELECT COUNT(*) FROM scans) - ?))
              """, arguments: [rows])
          removed += db.changesCount
        }
        return removed
      }
    } catch {
      throw SQLiteTraceStore.storeError(error, path: path)
    }
  }
}
