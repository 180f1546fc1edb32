import GRDB
import TraceStoreSQL
import Traceability

/// The store's tables in SQLite: the shared definitions (``SQLSchema``), and triggers that
/// refuse updates and deletes, so the store is append-only through SQLite; the audit finds
/// changes made around them.
enum Schema {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      for statement in SQLSchema.statements(.sqlite) {
        try db.execute(sql: statement)
      }
      try appendOnly(SQLSchema.firstTables, db)
    }
    // Version 2: events taken in from other stores' logs.
    migrator.registerMigration("v2 imports") { db in
      for statement in SQLSchema.importStatements(.sqlite) {
        try db.execute(sql: statement)
      }
      try appendOnly([Projection.importedEvents.name], db)
    }
    // Version 3: recalls lifted.
    migrator.registerMigration("v3 recall withdrawals") { db in
      for statement in SQLSchema.withdrawalStatements(.sqlite) {
        try db.execute(sql: statement)
      }
      try appendOnly([Projection.recallWithdrawals.name], db)
    }
    // Version 4: products' and producers' later members, and production stages.
    migrator.registerMigration("v4 details and stages") { db in
      for statement in SQLSchema.detailStatements(.sqlite) {
        try db.execute(sql: statement)
      }
      try appendOnly([Projection.stages.name, "photos"], db)
    }
    return migrator
  }

  /// Triggers that refuse every update and delete of `tables`.
  private static func appendOnly(_ tables: [String], _ db: Database) throws {
    for table in tables {
      for operation in ["UPDATE", "DELETE"] {
        try db.execute(
          sql: """
            CREATE TRIGGER \(table)_no_\(operation.lowercased()) BEFORE \(operation) ON \(table)
            BEGIN SELECT RAISE(ABORT, 'the trace store is append-only'); END
            """)
      }
    }
  }
}
