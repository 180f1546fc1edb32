import GS1
import NIOCore
import PostgresNIO
import TraceStoreSQL
import Traceability

/// One transaction on one session, as the shared SQL reader asks for it.
///
/// A write transaction takes its turn at the chain (the events table's lock) at its first
/// read that is not a plain existence check, or at its first append, whichever comes first;
/// the lock's statement, the head's query and that read go to the server together. Until
/// then it has only asked whether a lot or a product exists: an answer that a concurrent
/// writer can only turn from "no" to "yes", which the unique constraints catch (the
/// transaction is then run again), so checking before the turn changes no outcome.
///
/// Appends are held back and written in multi-row statements: before any read that could
/// see them, and at commit, sent together with the COMMIT. Existence checks consult what
/// this transaction appended and what a prefetch found instead, and the lots a list of
/// commands issues are asked about in one query, so issuing a thousand batches costs a
/// handful of round trips.
final class PostgresTransaction: SQLConnection {
  let session: PostgresSession
  /// Whether this is a write transaction, which takes the lock.
  private let writing: Bool
  /// The head's query, sent with the lock.
  private var headAnswer: EventLoopFuture<[PostgresRow]>?
  /// Lots known to exist (from a prefetch, or appended here), and known not to.
  private var presentLots: Set<String> = []
  private var absentLots: Set<String> = []
  /// Products known to exist, from a prefetch or appended here (a product never stops
  /// existing).
  private var presentProducts: Set<String> = []
  private var heldEvents: [StoredEvent] = []
  private var heldRows: [[[Cell]]] = Array(repeating: [], count: Projection.tables.count)
  private var heldCount = 0
  /// Rows held back before they are sent anyway: sent without waiting, so the server
  /// stores them while the writer goes on, and memory stays bounded.
  private static let holdLimit = 256

  init(_ session: PostgresSession, writing: Bool) {
    self.session = session
    self.writing = writing
  }

  private static func key(_ gtin: String, _ lot: String) -> String { gtin + "\u{0}" + lot }

  private static let headQuery = "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"

  /// Takes the chain's lock, if this write transaction has not yet: sends the lock's
  /// statement and the head's query, to be waited for with the next read.
  private func takeTurn() {
    guard writing, headAnswer == nil else { return }
    session.send("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE")
    headAnswer = session.sendQuery(Self.headQuery)
  }

  /// Before a read that may depend on the chain or see this transaction's appends: the
  /// turn taken, and everything held back sent.
  private func beforeRead() throws {
    takeTurn()
    try flush()
  }

  func rows(_ sql: String, _ arguments: [Cell]) throws -> [[Cell]] {
    try beforeRead()
    return try session.rows(sql, arguments)
  }

  func exists(_ sql: String, _ arguments: [String]) throws -> Bool {
    try beforeRead()
    return try !session.rows(sql, arguments.map(Cell.text)).isEmpty
  }

  func prefetchBatches(_ lots: [LotReference]) throws {
    let wanted = lots.filter { lot in
      let key = Self.key(lot.gtin.digits, lot.lot)
      return !presentLots.contains(key) && !absentLots.contains(key)
    }
    let gtins = Array(Set(lots.map(\.gtin.digits)).subtracting(presentProducts))
    // Both questions go to the server together.
    var answers: [(chunk: ArraySlice<LotReference>, answer: EventLoopFuture<[PostgresRow]>)] =
      []
    for start in stride(from: 0, to: wanted.count, by: 20_000) {
      let chunk = wanted[start..<min(start + 20_000, wanted.count)]
      var cells: [Cell] = []
      for lot in chunk { cells += [.text(lot.gtin.digits), .text(lot.lot)] }
      let marks = Array(repeating: "(?, ?)", count: chunk.count).joined(separator: ", ")
      answers.append(
        (
          chunk,
          session.sendQuery(
            "SELECT gtin, lot FROM batches WHERE (gtin, lot) IN (VALUES \(marks))", cells)
        ))
    }
    let products =
      gtins.isEmpty
      ? nil
      : session.sendQuery(
        "SELECT gtin FROM products WHERE gtin IN ("
          + Array(repeating: "?", count: gtins.count).joined(separator: ", ") + ")",
        gtins.map(Cell.text))
    for (chunk, answer) in answers {
      var present: Set<String> = []
      for row in try session.values(of: answer) {
        if case .cell(.text(let gtin)) = row[0], case .cell(.text(let lot)) = row[1] {
          present.insert(Self.key(gtin, lot))
        }
      }
      for lot in chunk {
        let key = Self.key(lot.gtin.digits, lot.lot)
        if present.contains(key) { presentLots.insert(key) } else { absentLots.insert(key) }
      }
    }
    if let products {
      for row in try session.values(of: products) {
        if case .cell(.text(let gtin)) = row[0] { presentProducts.insert(gtin) }
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
      rows = try session.values(of: headAnswer)
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

  func storedEvents() throws -> any StoredEventCursor {
    try beforeRead()
    return try PostgresCursor(
      session: session, sql: "SELECT seq, kind, body, signature, hash FROM events ORDER BY seq"
    ).events()
  }

  func derivedRows(of table: Projection.Table) throws -> any DerivedRowCursor {
    try beforeRead()
    return try PostgresCursor(
      session: session,
      sql: "SELECT \(table.columns.joined(separator: ", ")) FROM \(table.name) ORDER BY row_no")
  }

  func insert(_ event: StoredEvent) throws {
    heldEvents.append(event)
    try held()
  }

  func insert(_ rows: [Projection.Row]) throws {
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
  /// product's producer before it, a lot before its inputs' links), then the events. The
  /// next wait (a read, or the commit) reports a failure.
  func flush() throws {
    guard heldCount > 0 else { return }
    // Appending is the chain's turn too (a list of commands may reach it with no read).
    takeTurn()
    for table in Projection.tables where !heldRows[table.index].isEmpty {
      sendInserts(into: table.name, columns: table.columns, heldRows[table.index]) {
        binds, row in
        for cell in row { binds.append(cell) }
      }
      heldRows[table.index] = []
    }
    sendInserts(into: "events", columns: ["seq", "kind", "body", "signature", "hash"], heldEvents) {
      binds, event in
      binds.append(.integer(event.sequence))
      binds.append(.text(event.kind))
      binds.append(bytes: event.body)
      binds.append(bytes: event.signature)
      binds.append(bytes: event.hash)
    }
    heldEvents = []
    heldCount = 0
  }

  /// Sends `rows` into `table` in multi-row statements, `bind` adding each row's values.
  private func sendInserts<Row>(
    into table: String, columns: [String], _ rows: [Row],
    bind: (inout PostgresSession.Binds, Row) -> Void
  ) {
    for chunk in Self.chunks(rows, columns: columns.count) {
      var binds = PostgresSession.Binds()
      for row in chunk { bind(&binds, row) }
      session.send(
        "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
          + Self.placeholders(rows: chunk.count, columns: columns.count), binds)
    }
  }

  /// `rows` in pieces small enough for one statement's parameters (at most 65,535).
  private static func chunks<T>(_ rows: [T], columns: Int) -> [ArraySlice<T>] {
    let size = max(1, 60_000 / columns)
    return stride(from: 0, to: rows.count, by: size).map {
      rows[$0..<min($0 + size, rows.count)]
    }
  }

  /// `($1, $2), ($3, $4)` for `rows` rows of `columns` parameters.
  private static func placeholders(rows: Int, columns: Int) -> String {
    var text = ""
    text.reserveCapacity(rows * columns * 6)
    var number = 0
    for row in 0..<rows {
      text += row == 0 ? "(" : ", ("
      for column in 0..<columns {
        number += 1
        text += column == 0 ? "$\(number)" : ", $\(number)"
      }
      text += ")"
    }
    return text
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
