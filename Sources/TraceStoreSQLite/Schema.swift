import GRDB
import Traceability

/// The store's tables. The log (`events`) is the truth; the other tables are derived
/// from it row by row. Triggers refuse updates and deletes, so the store is append-only
/// through SQLite; the audit finds changes made around them.
enum Schema {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE events (
            seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, body BLOB NOT NULL,
            signature BLOB NOT NULL, hash BLOB NOT NULL);
          CREATE TABLE producers (
            event_seq INTEGER NOT NULL, tax_code TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL, name TEXT NOT NULL, detail TEXT, commune TEXT NOT NULL,
            district TEXT, province TEXT NOT NULL, gln TEXT);
          CREATE TABLE products (
            event_seq INTEGER NOT NULL, gtin TEXT NOT NULL UNIQUE,
            producer TEXT NOT NULL REFERENCES producers(tax_code), name_vi TEXT NOT NULL,
            name_en TEXT, product_group TEXT NOT NULL, net_amount TEXT NOT NULL,
            net_unit TEXT NOT NULL, ingredients TEXT, storage TEXT, usage TEXT);
          CREATE INDEX products_producer ON products(producer);
          CREATE TABLE ratings (
            event_seq INTEGER NOT NULL,
            gtin TEXT NOT NULL REFERENCES products(gtin), stars INTEGER, status TEXT NOT NULL,
            decision TEXT NOT NULL, decision_date TEXT NOT NULL, level TEXT NOT NULL,
            valid_until TEXT);
          CREATE INDEX ratings_gtin ON ratings(gtin);
          CREATE TABLE batches (
            event_seq INTEGER NOT NULL,
            gtin TEXT NOT NULL REFERENCES products(gtin), lot TEXT NOT NULL,
            production_date TEXT NOT NULL, expiry_date TEXT NOT NULL, amount TEXT NOT NULL,
            unit TEXT NOT NULL, origin_area TEXT NOT NULL, origin_detail TEXT,
            origin_commune TEXT NOT NULL, origin_district TEXT, origin_province TEXT NOT NULL,
            latitude TEXT, longitude TEXT, harvest_start TEXT, harvest_end TEXT,
            rating_stars INTEGER, rating_decision TEXT, rating_decision_date TEXT,
            rating_valid_until TEXT, UNIQUE (gtin, lot));
          CREATE TABLE batch_inputs (
            event_seq INTEGER NOT NULL, output_gtin TEXT NOT NULL,
            output_lot TEXT NOT NULL, input_gtin TEXT NOT NULL, input_lot TEXT NOT NULL,
            FOREIGN KEY (output_gtin, output_lot) REFERENCES batches(gtin, lot),
            FOREIGN KEY (input_gtin, input_lot) REFERENCES batches(gtin, lot),
            UNIQUE (output_gtin, output_lot, input_gtin, input_lot));
          CREATE INDEX batch_inputs_input ON batch_inputs(input_gtin, input_lot);
          CREATE TABLE serial_ranges (
            event_seq INTEGER NOT NULL, gtin TEXT NOT NULL,
            lot TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL, run TEXT,
            FOREIGN KEY (gtin, lot) REFERENCES batches(gtin, lot), UNIQUE (gtin, lot, first));
          CREATE TABLE movements (
            event_seq INTEGER NOT NULL, direction TEXT NOT NULL,
            gtin TEXT NOT NULL, lot TEXT NOT NULL, party TEXT NOT NULL, gln TEXT,
            date TEXT NOT NULL, amount TEXT, unit TEXT,
            FOREIGN KEY (gtin, lot) REFERENCES batches(gtin, lot));
          CREATE INDEX movements_lot ON movements(gtin, lot);
          CREATE TABLE recalls (
            event_seq INTEGER NOT NULL, gtin TEXT NOT NULL,
            lot TEXT NOT NULL, reason TEXT NOT NULL, recorded_at TEXT NOT NULL,
            FOREIGN KEY (gtin, lot) REFERENCES batches(gtin, lot), UNIQUE (gtin, lot));
          """)
      for table in ["events"] + Projection.tables.map(\.name) {
        for operation in ["UPDATE", "DELETE"] {
          try db.execute(
            sql: """
              CREATE TRIGGER \(table)_no_\(operation.lowercased()) BEFORE \(operation) ON \(table)
              BEGIN SELECT RAISE(ABORT, 'the trace store is append-only'); END
              """)
        }
      }
    }
    return migrator
  }
}
