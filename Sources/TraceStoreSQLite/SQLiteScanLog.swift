import Foundation
import GRDB
import Traceability

/// The scan log in its own SQLite file beside the store. A scan keeps its time, the code
/// and a place: the client's network cut to /24 (IPv4) or /48 (IPv6) and hashed, never the
/// address.
public final class SQLiteScanLog: ScanLog {
  private let queue: DatabaseQueue
  /// The file.
  public let path: String

  /// Opens (creating if needed) the scan log at `path`.
  public init(path: String) throws(TraceError) {
    self.path = path
    var configuration = Configuration()
    configuration.busyMode = .timeout(5)
    do {
      queue = try DatabaseQueue(path: path, configuration: configuration)
      try queue.write { db in
        try db.execute(
          sql: """
            CREATE TABLE IF NOT EXISTS scans (
              time TEXT NOT NULL, gtin TEXT NOT NULL, lot TEXT NOT NULL, serial TEXT NOT NULL,
              place TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS scans_item ON scans(gtin, lot, serial);
            """)
      }
    } catch {
      throw SQLiteTraceStore.storeError(error, path: path)
    }
  }
  /// Records a scan of `serial` under `lot` from `place` and returns the summary with it.
  public func record(_ lot: LotReference, serial: String, place: String, at time: Timestamp)
    async throws(TraceError) -> ScanSummary
  {
    do {
      return try await queue.write { db in
        try db.execute(
          sql: "INSERT INTO scans (time, gtin, lot, serial, place) VALUES (?, ?, ?, ?, ?)",
          arguments: [time.text, lot.gtin.digits, lot.lot, serial, place])
        return try Self.summary(db, lot, serial)
      }
    } catch {
      throw SQLiteTraceStore.storeError(error, path: path)
    }
  }

  public func summary(_ lot: LotReference, serial: String) async throws(TraceError)
    -> ScanSummary
  {
    do {
      return try await queue.read { db in try Self.summary(db, lot, serial) }
    } catch {
      throw SQLiteTraceStore.storeError(error, path: path)
    }
  }

  private static func summary(_ db: Database, _ lot: LotReference, _ serial: String) throws
    -> ScanSummary
  {
    let row = try Row.fetchOne(
      db,
      sql: """
        SELECT COUNT(*), COUNT(DISTINCT place), MIN(time) FROM scans
        WHERE gtin = ? AND lot = ? AND serial = ?
        """, arguments: [lot.gtin.digits, lot.lot, serial])
    let scans: Int = row?[0] ?? 0
    let places: Int = row?[1] ?? 0
    let first: String? = row?[2]
    return ScanSummary(
      scans: scans, places: places, firstSeen: first.flatMap { try? Timestamp($0) },
      unusual: scans > ScanSummary.scanLimit || places > ScanSummary.placeLimit)
  }
}
