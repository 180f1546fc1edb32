import GS1
import TraceStoreSQL
import Traceability

/// One transaction on one session, as the shared SQL reader asks for it.
///
/// A write transaction begins, and takes its turn at the chain (the events table's lock,
/// with the head read under it: `ocop_chain_turn()`), at its first read that is not a plain
/// existence check, or at its first append, whichever comes first; BEGIN, the turn and that
/// read go to the server together. Until then it has only asked whether a lot or a product
/// exists, outside the transaction: an answer that a concurrent writer can only turn from
/// "no" to "yes", which the unique constraints catch (the transaction is then run again),
/// so asking before the turn changes no outcome, and READ COMMITTED would take a new
/// snapshot for each question anyway.
///
/// Appends are held back and written together, one statement for every table while they
/// fit: before any read that could see them, and at commit, sent together with the COMMIT.
/// Existence checks consult what this transaction appended and what a prefetch found
/// instead, and the lots and products a list of commands names are asked about in one
/// query. A short list also names the records its rules will read
/// (``prefetch(lots:queries:)``): those queries go with BEGIN, the turn and the existence
/// query, and their rows answer the reads until the first append, so issuing a batch or
/// allocating serials costs two round trips.
final class PostgresTransaction: SQLConnection {
  let session: PostgresSession
  /// Whether this is a write transaction, which takes the lock.
  private let writing: Bool
  /// Whether BEGIN has been sent.
  private var began = false
  /// Whether a write's COMMIT has been sent: from then on, a connection lost leaves its
  /// outcome unknown, so it must not be run again.
  private(set) var committing = false
  /// The turn's answer (the head), sent with BEGIN.
  private var headAnswer: PostgresSession.Answer?
  /// Lots known to exist (from a prefetch, or appended here), and known not to.
  private var presentLots: Set<String> = []
  private var absentLots: Set<String> = []
  /// Products known to exist, from a prefetch or appended here (a product never stops
  /// existing).
  private var presentProducts: Set<String> = []
  /// Rows of queries asked ahead (``prefetch(lots:queries:)``), until this transaction
  /// appends (which could change them).
  private var planned: [PlannedQuery: [[Cell]]] = [:]
  private var heldEvents: [StoredEvent] = []
  private var heldRows: [[[Cell]]] = Array(repeating: [], count: Projection.tables.count)
  private var heldCount = 0
  /// Rows held back before they are sent anyway: sent without waiting, so the server
  /// stores them while the writer goes on, and memory stays bounded.
  private static let holdLimit = 256

  /// A transaction on `session`: a read begins at once (one snapshot for every read), a
  /// write at its turn.
  init(_ session: PostgresSession, writing: Bool) {
    self.session = session
    self.writing = writing
    if !writing {
      // BEGIN goes with the transaction's first statement.
      session.send("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
      began = true
    }
  }

  /// Ends the transaction: a write's appends are sent with its COMMIT, and the outcome is
  /// waited for. A read has nothing to commit: its end goes with the session's next
  /// statement, and the answer is not held up for it. A write that never took its turn
  /// only asked questions, so there is nothing to end.
  func commit() throws {
    if writing {
      try flush()
      if began {
        committing = true
        session.send("COMMIT")
      }
      try session.settle()
    } else {
      try session.settle()
      session.sendDetached("COMMIT")
    }
  }

  /// Rolls the transaction back, after waiting for what is in flight (whose failure is the
  /// one already being reported).
  func rollback() {
    if began {
      try? session.execute("ROLLBACK")
    } else {
      try? session.settle()
    }
  }

  private static func key(_ gtin: String, _ lot: String) -> String { gtin + "\u{0}" + lot }

  private static let headQuery = "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"

  /// Begins this write transaction and takes the chain's lock, if it has not yet: sends
  /// BEGIN and the turn (which answers with the head), to be waited for with the next read.
  private func takeTurn() {
    guard writing, !began else { return }
    session.send("BEGIN ISOLATION LEVEL READ COMMITTED")
    headAnswer = session.sendQuery("SELECT seq, hash FROM ocop_chain_turn()")
    began = true
  }

  /// Before a read that may depend on the chain or see this transaction's appends: the
  /// turn taken, and everything held back sent.
  private func beforeRead() throws {
    takeTurn()
    try flush()
  }

  func rows(_ sql: String, _ arguments: [Cell]) throws -> [[Cell]] {
    if !planned.isEmpty, let rows = planned[PlannedQuery(sql: sql, arguments: arguments)] {
      return rows
    }
    try beforeRead()
    return try session.rows(sql, arguments)
  }

  func exists(_ sql: String, _ arguments: [String]) throws -> Bool {
    try beforeRead()
    return try !session.rows(sql, arguments.map(Cell.text)).isEmpty
  }

  /// Asks about `lots` and runs `queries` in one round trip. With queries (which read
  /// records), the chain's turn is taken first, in the same round trip, as any record read
  /// takes it; with lots alone, the turn waits (see the type's comment).
  func prefetch(lots: [LotReference], queries: [PlannedQuery]) throws {
    guard !queries.isEmpty else { return try prefetchBatches(lots) }
    try beforeRead()
    let answers = queries.map { ($0, session.sendQuery($0.sql, $0.arguments)) }
    try prefetchBatches(lots)
    for (query, answer) in answers {
      planned[query] = try session.values(of: answer).map { row in row.map(\.cell) }
    }
  }

  private func prefetchBatches(_ lots: [LotReference]) throws {
    let wanted = lots.filter { lot in
      let key = Self.key(lot.gtin.digits, lot.lot)
      return !presentLots.contains(key) && !absentLots.contains(key)
    }
    var gtins = Array(Set(lots.map(\.gtin.digits)).subtracting(presentProducts))
    // One statement per 20,000 lots, the first also asking for the products (a row with a
    // NULL lot); all sent before any is waited for.
    var answers: [(chunk: ArraySlice<LotReference>, answer: PostgresSession.Answer)] =
      []
    for start in stride(from: 0, to: max(wanted.count, gtins.isEmpty ? 0 : 1), by: 20_000) {
      let chunk = wanted[start..<min(start + 20_000, wanted.count)]
      var cells: [Cell] = []
      var parts: [String] = []
      if !chunk.isEmpty {
        for lot in chunk { cells += [.text(lot.gtin.digits), .text(lot.lot)] }
        let marks = Array(repeating: "(?, ?)", count: chunk.count).joined(separator: ", ")
        parts.append("SELECT gtin, lot FROM batches WHERE (gtin, lot) IN (VALUES \(marks))")
      }
      if !gtins.isEmpty {
        cells += gtins.map(Cell.text)
        parts.append(
          "SELECT gtin, NULL FROM products WHERE gtin IN ("
            + Array(repeating: "?", count: gtins.count).joined(separator: ", ") + ")")
        gtins = []
      }
      answers.append((chunk, session.sendQuery(parts.joined(separator: " UNION ALL "), cells)))
    }
    for (chunk, answer) in answers {
      var present: Set<String> = []
      for row in try session.values(of: answer) {
        guard case .cell(.text(let gtin)) = row[0] else { continue }
        if case .cell(.text(let lot)) = row[1] {
          present.insert(Self.key(gtin, lot))
        } else {
          presentProducts.insert(gtin)
        }
      }
      for lot in chunk {
        let key = Self.key(lot.gtin.digits, lot.lot)
        if present.contains(key) { presentLots.insert(key) } else { absentLots.insert(key) }
      }
    }
  }

  func batchExists(_ lot: LotReference) throws -> Bool {
    let key = Self.key(lot.gtin.digits, lot.lot)
    if presentLots.contains(key) { return true }
    if absentLots.contains(key) { return false }
    // Asked without taking the turn: see the type's comment.
    return try !session.rows(ExistenceQuery.batch, [.text(lot.gtin.digits), .text(lot.lot)])
      .isEmpty
  }

  func productExists(_ gtin: GTIN) throws -> Bool {
    if presentProducts.contains(gtin.digits) { return true }
    return try !session.rows(ExistenceQuery.product, [.text(gtin.digits)]).isEmpty
  }

  func head() throws -> (sequence: Int64, hash: [UInt8])? {
    try beforeRead()
    let rows: [[PostgresSession.Value]]
    if let headAnswer {
      // The turn's answer, once: a later call reads the head again (it may have appended).
      rows = try session.values(of: headAnswer)
      self.headAnswer = nil
    } else {
      rows = try session.values(Self.headQuery, [])
    }
    guard let row = rows.first, case .cell(.integer(let sequence)) = row[0],
      case .bytes(let hash) = row[1]
    else { return nil }
    return (sequence, hash)
  }

  func events(after sequence: Int64, limit: Int) throws -> [Event] {
    try beforeRead()
    return try session.values(
      "SELECT body, signature FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
      [.integer(sequence), .integer(Int64(limit))]
    ).map { row throws(TraceError) in
      guard case .bytes(let body) = row[0], case .bytes(let signature) = row[1] else {
        throw TraceError.malformed(what: "events row", reason: "body or signature is not bytes")
      }
      return try Event(body: body, signature: signature)
    }
  }

  func integrityProblems() throws -> [String] {
    try beforeRead()
    return try PostgresSchema.problems(in: session)
  }

  func storedEvents(after sequence: Int64) throws -> any StoredEventCursor {
    try beforeRead()
    return try PostgresCursor(
      session: session,
      sql:
        "SELECT seq, kind, body, signature, hash FROM events WHERE seq > \(sequence) ORDER BY seq"
    ).events()
  }

  func derivedRows(of table: Projection.Table, after sequence: Int64) throws
    -> any DerivedRowCursor
  {
    try beforeRead()
    let filter = SQLReader<PostgresTransaction>.derivedFilter(after: sequence)
    return try PostgresCursor(
      session: session,
      sql:
        "SELECT \(table.columns.joined(separator: ", ")) FROM \(table.name)\(filter) ORDER BY row_no"
    )
  }

  func insert(_ event: StoredEvent) throws {
    planned = [:]
    heldEvents.append(event)
    try held()
  }

  func insert(_ rows: [Projection.Row]) throws {
    planned = [:]
    for row in rows {
      heldRows[row.table].append(row.cells)
      let cells = row.cells
      func text(_ index: Int) -> String? {
        if index < cells.count, case .text(let value) = cells[index] { return value }
        return nil
      }
      switch row.table {
      case Projection.products.index:
        if let gtin = text(1) { presentProducts.insert(gtin) }
      case Projection.batches.index:
        if let gtin = text(1), let lot = text(2) {
          let key = Self.key(gtin, lot)
          presentLots.insert(key)
          absentLots.remove(key)
        }
      default: break
      }
    }
    try held()
  }

  private func held() throws {
    heldCount += 1
    if heldCount >= Self.holdLimit { try flush() }
  }

  /// Sends everything held back, without waiting: the derived tables in dependency order (a
  /// product's producer before it, a lot before its inputs' links), then the events; in one
  /// statement while the parameters fit in one (the foreign keys are checked at the end of
  /// the statement), otherwise a statement per table and piece. The next wait (a read, or
  /// the commit) reports a failure.
  func flush() throws {
    guard heldCount > 0 else { return }
    // Appending is the chain's turn too (a list of commands may reach it with no read).
    takeTurn()
    var parts: [InsertPart] = []
    for table in Projection.tables where !heldRows[table.index].isEmpty {
      parts.append(
        InsertPart(
          table: table.name, columns: table.columns,
          rows: heldRows[table.index].map { $0.map(Bound.cell) }))
      heldRows[table.index] = []
    }
    if !heldEvents.isEmpty {
      parts.append(
        InsertPart(
          table: "events", columns: ["seq", "kind", "body", "signature", "hash"],
          rows: heldEvents.map { event in
            [
              .cell(.integer(event.sequence)), .cell(.text(event.kind)), .bytes(event.body),
              .bytes(event.signature), .bytes(event.hash),
            ]
          }))
    }
    heldEvents = []
    heldCount = 0
    if parts.reduce(0, { $0 + $1.parameters }) <= Self.parameterLimit {
      sendInsert(parts)
      return
    }
    for part in parts {
      let size = max(1, Self.parameterLimit / part.columns.count)
      for start in stride(from: 0, to: part.rows.count, by: size) {
        sendInsert([
          InsertPart(
            table: part.table, columns: part.columns,
            rows: Array(part.rows[start..<min(start + size, part.rows.count)]))
        ])
      }
    }
  }

  /// At most this many parameters in one statement (the protocol allows 65,535).
  private static let parameterLimit = 60_000

  /// A value to bind: a cell, or bytes for a `bytea` column.
  private enum Bound {
    case cell(Cell)
    case bytes([UInt8])
  }

  /// Rows to insert into one table.
  private struct InsertPart {
    let table: String
    let columns: [String]
    let rows: [[Bound]]

    var parameters: Int { rows.count * columns.count }
  }

  /// Sends one statement that inserts every part's rows: the last part's INSERT, with the
  /// others as data-modifying `WITH` clauses before it.
  private func sendInsert(_ parts: [InsertPart]) {
    var binds = PostgresSession.Binds()
    var number = 0
    var inserts: [String] = []
    for part in parts {
      var text = "INSERT INTO \(part.table) (\(part.columns.joined(separator: ", "))) VALUES "
      text.reserveCapacity(text.utf8.count + part.parameters * 7)
      for (index, row) in part.rows.enumerated() {
        text += index == 0 ? "(" : ", ("
        for (column, value) in row.enumerated() {
          number += 1
          text += column == 0 ? "$\(number)" : ", $\(number)"
          switch value {
          case .cell(let cell): binds.append(cell)
          case .bytes(let bytes): binds.append(bytes: bytes)
          }
        }
        text += ")"
      }
      inserts.append(text)
    }
    let last = inserts.removeLast()
    let clauses = inserts.enumerated().map { "part\($0.offset) AS (\($0.element))" }
    session.send(
      clauses.isEmpty ? last : "WITH " + clauses.joined(separator: ", ") + " " + last, binds)
  }
}

/// A server-side cursor read in pieces, so the audit of a million events holds a piece at a
/// time.
final class PostgresCursor: DerivedRowCursor {
  private let session: PostgresSession
  private let name: String
  private var piece: [[PostgresSession.Value]] = []
  private var position = 0
  private var finished = false
  private static let pieceSize = 5_000

  init(session: PostgresSession, sql: String) throws {
    self.session = session
    name = session.cursorName()
    try session.execute("DECLARE \(name) NO SCROLL CURSOR FOR \(sql)")
  }

  /// The next row's values, or nil at the end.
  func nextValues() throws -> [PostgresSession.Value]? {
    if position == piece.count {
      guard !finished else { return nil }
      piece = try session.values("FETCH FORWARD \(Self.pieceSize) FROM \(name)", [])
      position = 0
      if piece.count < Self.pieceSize { finished = true }
      if piece.isEmpty { return nil }
    }
    defer { position += 1 }
    return piece[position]
  }

  func next() throws -> [Cell]? {
    try nextValues()?.map(\.cell)
  }

  /// The cursor read as event rows.
  func events() -> any StoredEventCursor { EventCursor(cursor: self) }

  private struct EventCursor: StoredEventCursor {
    let cursor: PostgresCursor

    func next() throws -> StoredEvent? {
      guard let row = try cursor.nextValues() else { return nil }
      guard row.count == 5, case .cell(.integer(let sequence)) = row[0],
        case .cell(.text(let kind)) = row[1], case .bytes(let body) = row[2],
        case .bytes(let signature) = row[3], case .bytes(let hash) = row[4]
      else {
        throw TraceError.malformed(what: "events row", reason: "has columns of the wrong type")
      }
      return StoredEvent(
        sequence: sequence, kind: kind, body: body, signature: signature, hash: hash)
    }
  }
}
