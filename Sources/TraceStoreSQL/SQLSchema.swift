import Traceability

/// The store's tables, as every SQL backend creates them. The log (`events`) is the truth;
/// the derived tables are computed from it row by row (``Projection``). Each backend adds
/// what its dialect needs around them: the triggers that keep every table append-only, and
/// its own record of the schema's version.
package enum SQLSchema {
  /// How a database spells the types and the order of rows.
  package struct Dialect: Sendable {
    /// The 64-bit integer type.
    let integer: String
    /// The byte-string type.
    let bytes: String
    /// The text type, ordered and compared by its bytes (as SQLite's default collation
    /// does), so every backend lists records in the same order whatever the database's
    /// locale.
    let text: String
    /// A column added to every derived table that numbers rows in the order they were
    /// written, when the database keeps no such order itself; nil when it does.
    let rowOrder: String?

    /// SQLite: `INTEGER` is 64-bit and the rowid keeps the order rows were written in.
    package static let sqlite = Dialect(
      integer: "INTEGER", bytes: "BLOB", text: "TEXT", rowOrder: nil)
    /// PostgreSQL: an identity column numbers rows as they are written.
    package static let postgres = Dialect(
      integer: "BIGINT", bytes: "BYTEA", text: #"TEXT COLLATE "C""#,
      rowOrder: "row_no BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE")
  }

  /// The statements that create the log and the derived tables, with their indexes.
  package static func statements(_ dialect: Dialect) -> [String] {
    let int = dialect.integer
    let text = dialect.text
    let order = dialect.rowOrder.map { ", \($0)" } ?? ""
    return [
      """
      CREATE TABLE events (
        seq \(int) PRIMARY KEY, kind \(text) NOT NULL, body \(dialect.bytes) NOT NULL,
        signature \(dialect.bytes) NOT NULL, hash \(dialect.bytes) NOT NULL)
      """,
      """
      CREATE TABLE producers (
        event_seq \(int) NOT NULL, tax_code \(text) NOT NULL UNIQUE,
        kind \(text) NOT NULL, name \(text) NOT NULL, detail \(text), commune \(text) NOT NULL,
        district \(text), province \(text) NOT NULL, gln \(text)\(order))
      """,
      """
      CREATE TABLE products (
        event_seq \(int) NOT NULL, gtin \(text) NOT NULL UNIQUE,
        producer \(text) NOT NULL REFERENCES producers(tax_code), name_vi \(text) NOT NULL,
        name_en \(text), product_group \(text) NOT NULL, net_amount \(text) NOT NULL,
        net_unit \(text) NOT NULL, ingredients \(text), storage \(text), usage \(text)\(order))
      """,
      "CREATE INDEX products_producer ON products(producer)",
      """
      CREATE TABLE ratings (
        event_seq \(int) NOT NULL,
        gtin \(text) NOT NULL REFERENCES products(gtin), stars \(int), status \(text) NOT NULL,
        decision \(text) NOT NULL, decision_date \(text) NOT NULL, level \(text) NOT NULL,
        valid_until \(text)\(order))
      """,
      "CREATE INDEX ratings_gtin ON ratings(gtin)",
      """
      CREATE TABLE batches (
        event_seq \(int) NOT NULL,
        gtin \(text) NOT NULL REFERENCES products(gtin), lot \(text) NOT NULL,
        production_date \(text) NOT NULL, expiry_date \(text) NOT NULL, amount \(text) NOT NULL,
        unit \(text) NOT NULL, origin_area \(text) NOT NULL, origin_detail \(text),
        origin_commune \(text) NOT NULL, origin_district \(text), origin_province \(text) NOT NULL,
        latitude \(text), longitude \(text), harvest_start \(text), harvest_end \(text),
        rating_stars \(int), rating_decision \(text), rating_decision_date \(text),
        rating_valid_until \(text), UNIQUE (gtin, lot)\(order))
      """,
      """
      CREATE TABLE batch_inputs (
        event_seq \(int) NOT NULL, output_gtin \(text) NOT NULL,
        output_lot \(text) NOT NULL, input_gtin \(text) NOT NULL, input_lot \(text) NOT NULL,
        FOREIGN KEY (output_gtin, output_lot) REFERENCES batches(gtin, lot),
        FOREIGN KEY (input_gtin, input_lot) REFERENCES batches(gtin, lot),
        UNIQUE (output_gtin, output_lot, input_gtin, input_lot)\(order))
      """,
      "CREATE INDEX batch_inputs_input ON batch_inputs(input_gtin, input_lot)",
      """
      CREATE TABLE serial_ranges (
        event_seq \(int) NOT NULL, gtin \(text) NOT NULL,
        lot \(text) NOT NULL, first \(int) NOT NULL, last \(int) NOT NULL, run \(text),
        FOREIGN KEY (gtin, lot) REFERENCES batches(gtin, lot), UNIQUE (gtin, lot, first)\(order))
      """,
      """
      CREATE TABLE movements (
        event_seq \(int) NOT NULL, direction \(text) NOT NULL,
        gtin \(text) NOT NULL, lot \(text) NOT NULL, party \(text) NOT NULL, gln \(text),
        date \(text) NOT NULL, amount \(text), unit \(text),
        FOREIGN KEY (gtin, lot) REFERENCES batches(gtin, lot)\(order))
      """,
      "CREATE INDEX movements_lot ON movements(gtin, lot)",
      """
      CREATE TABLE recalls (
        event_seq \(int) NOT NULL, gtin \(text) NOT NULL,
        lot \(text) NOT NULL, reason \(text) NOT NULL, recorded_at \(text) NOT NULL,
        FOREIGN KEY (gtin, lot) REFERENCES batches(gtin, lot), UNIQUE (gtin, lot)\(order))
      """,
    ]
  }

  /// The statements that create what federation added (schema version 2 of SQLite's
  /// store, 3 of PostgreSQL's): the events taken in from other logs.
  package static func importStatements(_ dialect: Dialect) -> [String] {
    let int = dialect.integer
    let text = dialect.text
    let order = dialect.rowOrder.map { ", \($0)" } ?? ""
    return [
      """
      CREATE TABLE imported_events (
        event_seq \(int) NOT NULL, log \(text) NOT NULL, log_seq \(int) NOT NULL,
        kind \(text) NOT NULL, kid \(text) NOT NULL, hash \(text) NOT NULL,
        UNIQUE (log, log_seq)\(order))
      """
    ]
  }

  /// The statements that create what recall withdrawals added (schema version 3 of
  /// SQLite's store, 4 of PostgreSQL's).
  package static func withdrawalStatements(_ dialect: Dialect) -> [String] {
    let int = dialect.integer
    let text = dialect.text
    let order = dialect.rowOrder.map { ", \($0)" } ?? ""
    return [
      """
      CREATE TABLE recall_withdrawals (
        event_seq \(int) NOT NULL, gtin \(text) NOT NULL,
        lot \(text) NOT NULL, reason \(text) NOT NULL, recorded_at \(text) NOT NULL,
        FOREIGN KEY (gtin, lot) REFERENCES recalls(gtin, lot), UNIQUE (gtin, lot)\(order))
      """
    ]
  }

  /// The statements that add what labels and trace records gained (schema version 4 of
  /// SQLite's store, 5 of PostgreSQL's): the later members of products (warnings,
  /// allergens, standards, the producer's role, the photo) and producers (contacts), each
  /// kept together as canonical JSON; and the steps of a lot's production.
  package static func detailStatements(_ dialect: Dialect) -> [String] {
    let int = dialect.integer
    let text = dialect.text
    let order = dialect.rowOrder.map { ", \($0)" } ?? ""
    return [
      "ALTER TABLE products ADD COLUMN details \(text)",
      "ALTER TABLE producers ADD COLUMN contact \(text)",
      """
      CREATE TABLE stages (
        event_seq \(int) NOT NULL, gtin \(text) NOT NULL, lot \(text) NOT NULL,
        stage \(text) NOT NULL, time \(text) NOT NULL, location \(text) NOT NULL,
        location_name \(text), item \(text),
        FOREIGN KEY (gtin, lot) REFERENCES batches(gtin, lot)\(order))
      """,
      "CREATE INDEX stages_lot ON stages(gtin, lot)",
      // Product photos by their SHA-256, which the products' signed records name: kept
      // beside the log, not in it, so that bundles stay small; base64 text.
      """
      CREATE TABLE photos (
        sha256 \(text) PRIMARY KEY, type \(text) NOT NULL, data \(text) NOT NULL)
      """,
    ]
  }

  /// The tables of the first version, the log first.
  package static let firstTables =
    ["events"]
    + Projection.tables.map(\.name).filter {
      $0 != Projection.importedEvents.name && $0 != Projection.recallWithdrawals.name
        && $0 != Projection.stages.name
    }

  /// Every table, the log first.
  package static let tables = ["events"] + Projection.tables.map(\.name)
}
