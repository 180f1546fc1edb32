import Foundation
import GRDB

/// How often, and from how many places, a serialised code has been scanned.
public struct ScanSummary: Hashable, Sendable {
  /// Scans recorded, this one included.
  public let scans: Int
  /// Distinct places (truncated client networks) they came from.
  public let places: Int
  /// The first scan's time.
  public let firstSeen: Timestamp?
  /// Whether the count or the spread is unusual for one physical item: a sign of a copied
  /// code.
  public let unusual: Bool

  /// More scans than this, or scans from more places than ``placeLimit``, are unusual.
  public static let scanLimit = 10
  public static let placeLimit = 3
}

/// The resolver's record of scans of serialised codes, in its own SQLite file beside the
/// store (it is not part of the signed log). A scan keeps its time, the code and a place:
/// the client's network cut to /24 (IPv4) or /48 (IPv6) and hashed, never the address.
public final class ScanLog: Sendable {
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

  /// The place a client address stands for: its network, hashed.
  public static func place(ofAddress address: String?) -> String {
    guard let address, !address.isEmpty else { return "unknown" }
    let network: String
    if address.contains(":") {
      network = address.split(separator: ":", omittingEmptySubsequences: false).prefix(3)
        .joined(separator: ":")
    } else {
      network = address.split(separator: ".").prefix(3).joined(separator: ".")
    }
    let digest = network.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) {
      ($0 ^ UInt64($1)) &* 0x100_0000_01b3
    }
    return String(digest, radix: 16)
  }

  /// Records a scan of `serial` under `lot` from `place` and returns the summary with it.
  public func record(_ lot: LotReference, serial: String, place: String, at time: Timestamp)
    throws(TraceError) -> ScanSummary
  {
    do {
      return try queue.write { db in
        try db.execute(
          sql: "INSERT INTO scans (time, gtin, lot, serial, place) VALUES (?, ?, ?, ?, ?)",
          arguments: [time.text, lot.gtin.digits, lot.lot, serial, place])
        return try Self.summary(db, lot, serial)
      }
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
