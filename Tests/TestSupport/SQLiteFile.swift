import Foundation
import GRDB

/// A store's SQLite file, opened behind the toolkit's back as any SQLite tool could: to
/// check it, count in it, or edit it.
public enum SQLiteFile {
  /// Edits the file with the append-only triggers dropped first and foreign keys off, as
  /// the sqlite3 shell has them.
  public static func tamper(_ path: String, _ edit: (Database) throws -> Void) throws {
    var configuration = Configuration()
    configuration.foreignKeysEnabled = false
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    try queue.write { db in
      for name in try String.fetchAll(
        db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'")
      {
        try db.execute(sql: "DROP TRIGGER \(name)")
      }
      try edit(db)
    }
    try queue.close()
  }

  /// SQLite's own check of the file, read without writing.
  public static func integrityCheck(_ path: String) throws -> [String] {
    let queue = try DatabaseQueue(path: path)
    defer { try? queue.close() }
    return try queue.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
  }

  /// One integer the query returns (0 when it returns none).
  public static func int(_ path: String, _ sql: String) throws -> Int {
    let queue = try DatabaseQueue(path: path)
    defer { try? queue.close() }
    return try queue.read { try Int.fetchOne($0, sql: sql) ?? 0 }
  }

  /// Every row the query returns, as GRDB rows.
  public static func rows(_ path: String, _ sql: String) throws -> [Row] {
    let queue = try DatabaseQueue(path: path)
    defer { try? queue.close() }
    return try queue.read { try Row.fetchAll($0, sql: sql) }
  }
}
