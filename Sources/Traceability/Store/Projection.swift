/// The derived tables: every row is computed from exactly one event, carries that event's
/// sequence number first, and is never updated. The audit recomputes every row from the
/// log and compares, so an edit to a derived table is found like an edit to the log.
///
/// Every backend stores these tables with these columns. A backend reads a table back for
/// the audit in the order its rows were written, which is the order of their events and,
/// within an event, the order ``rows(for:)`` gives: so the audit needs no sort and its
/// memory stays bounded, and a row added or moved by any other means shows up out of place.
package enum Projection {
  /// One derived table: its name and columns, `event_seq` first.
  package struct Table: Sendable {
    /// Its position in ``Projection/tables``.
    package let index: Int
    /// The table's name.
    package let name: String
    /// Its columns, `event_seq` first.
    package let columns: [String]
  }

  package static let producers = Table(
    index: 0,
    name: "producers",
    columns: [
      "event_seq", "tax_code", "kind", "name", "detail", "commune", "district", "province", "gln",
      "contact",
    ])
  package static let products = Table(
    index: 1,
    name: "products",
    columns: [
      "event_seq", "gtin", "producer", "name_vi", "name_en", "product_group", "net_amount",
      "net_unit", "ingredients", "storage", "usage", "details",
    ])
  package static let ratings = Table(
    index: 2,
    name: "ratings",
    columns: [
      "event_seq", "gtin", "stars", "status", "decision", "decision_date", "level", "valid_until",
    ])
  package static let batches = Table(
    index: 3,
    name: "batches",
    columns: [
      "event_seq", "gtin", "lot", "production_date", "expiry_date", "amount", "unit", "origin_area",
      "origin_detail", "origin_commune", "origin_district", "origin_province", "latitude",
      "longitude", "harvest_start", "harvest_end", "rating_stars", "rating_decision",
      "rating_decision_date", "rating_valid_until",
    ])
  package static let batchInputs = Table(
    index: 4,
    name: "batch_inputs",
    columns: ["event_seq", "output_gtin", "output_lot", "input_gtin", "input_lot"])
  package static let serialRanges = Table(
    index: 5,
    name: "serial_ranges", columns: ["event_seq", "gtin", "lot", "first", "last", "run"])
  package static let movements = Table(
    index: 6,
    name: "movements",
    columns: ["event_seq", "direction", "gtin", "lot", "party", "gln", "date", "amount", "unit"])
  package static let recalls = Table(
    index: 7,
    name: "recalls", columns: ["event_seq", "gtin", "lot", "reason", "recorded_at"])

  /// Every event of another log this store has taken in: which log, its place there, its
  /// kind and issuer, and its hash. An import refuses a second, different event at a place
  /// (a fork) and a gap; and finds here which events a later bundle repeats.
  package static let importedEvents = Table(
    index: 8,
    name: "imported_events", columns: ["event_seq", "log", "log_seq", "kind", "kid", "hash"])

  /// Recalls lifted: one at most for a lot's recall.
  package static let recallWithdrawals = Table(
    index: 9,
    name: "recall_withdrawals", columns: ["event_seq", "gtin", "lot", "reason", "recorded_at"])

  /// Steps of a lot's production.
  package static let stages = Table(
    index: 10,
    name: "stages",
    columns: [
      "event_seq", "gtin", "lot", "stage", "time", "location", "location_name", "item",
    ])

  /// Every derived table, in the order rows name them.
  package static let tables = [
    producers, products, ratings, batches, batchInputs, serialRanges, movements, recalls,
    importedEvents, recallWithdrawals, stages,
  ]

  /// The members of `data` named `names`, as canonical JSON text, or NULL when it has none:
  /// how a table keeps the members records gained after their first version.
  static func later(_ data: CanonicalJSON, _ names: [String]) -> Cell {
    var members = CanonicalMembers()
    for name in names {
      if let value = data[name] { members.insert(name, value) }
    }
    guard !members.isEmpty else { return .null }
    return .text(String(decoding: CanonicalJSON.object(members).encoded(), as: UTF8.self))
  }

  /// A derived row: which table, and its cells in column order.
  package struct Row: Equatable, Sendable {
    /// The table's position in ``Projection/tables``.
    package let table: Int
    /// The cells, in column order.
    package let cells: [Cell]
  }

  /// The rows `event` implies, each table's rows in audit order.
  package static func rows(for event: Event) throws(TraceError) -> [Row] {
    try rows(kind: event.kind, data: event.data, sequence: event.sequence, at: event.recordedAt)
  }

  /// The rows of an `imported` event, numbered `sequence`, that carries `inner` of `log`:
  /// its place in that log, and the records `inner` brings (under the importing event's
  /// number, dated as `inner` is); an import of an import brings no records.
  package static func rows(importing inner: Event, of log: String, sequence: Int64)
    throws(TraceError) -> [Row]
  {
    let place = Row(
      table: importedEvents.index,
      cells: [
        .integer(sequence), .text(log), .integer(inner.sequence), .text(inner.kind.rawValue),
        .text(inner.kid), .text(ByteText.hex(inner.hash)),
      ])
    guard inner.kind != .imported else { return [place] }
    return try rows(kind: inner.kind, data: inner.data, sequence: sequence, at: inner.recordedAt)
      + [place]
  }

  /// The rows an event of `kind` with `data` implies.
  package static func rows(
    kind: EventKind, data: CanonicalJSON, sequence: Int64, at time: Timestamp
  )
    throws(TraceError) -> [Row]
  {
    let seq = Cell.integer(sequence)
    if kind == .imported {
      let (log, inner) = try Event.carried(by: data)
      return try rows(importing: inner, of: log, sequence: sequence)
    }
    func text(_ json: CanonicalJSON?, _ name: String) -> Cell { Cell(json?[name]) }
    switch kind {
    case .producerRegistered:
      let address = data["address"]
      return [
        Row(
          table: 0,
          cells: [
            seq, text(data, "taxCode"), text(data, "kind"), text(data, "name"),
            text(address, "detail"), text(address, "commune"), text(address, "district"),
            text(address, "province"), text(data, "gln"),
            later(data, Producer.laterMemberNames),
          ])
      ]
    case .productRegistered:
      let net = data["netContent"]
      return [
        Row(
          table: 1,
          cells: [
            seq, text(data, "gtin"), text(data, "producer"), text(data, "nameVi"),
            text(data, "nameEn"), text(data, "group"), text(net, "amount"), text(net, "unit"),
            text(data, "ingredients"), text(data, "storage"), text(data, "usage"),
            later(data, Product.laterMemberNames),
          ])
      ]
    case .ratingRecorded:
      let rating = data["rating"]
      return [
        Row(
          table: 2,
          cells: [
            seq, text(data, "gtin"), text(rating, "stars"), text(rating, "status"),
            text(rating, "decision"), text(rating, "decisionDate"), text(rating, "level"),
            text(rating, "validUntil"),
          ])
      ]
    case .commissioning:
      let lot = data["lot"]
      let origin = data["origin"]
      let address = origin?["address"]
      let quantity = data["quantity"]
      let rating = data["rating"]
      return [
        Row(
          table: 3,
          cells: [
            seq, text(lot, "gtin"), text(lot, "lot"), text(data, "productionDate"),
            text(data, "expiryDate"), text(quantity, "amount"), text(quantity, "unit"),
            text(origin, "area"), text(address, "detail"), text(address, "commune"),
            text(address, "district"), text(address, "province"), text(origin, "latitude"),
            text(origin, "longitude"), text(origin, "harvestStart"), text(origin, "harvestEnd"),
            text(rating, "stars"), text(rating, "decision"), text(rating, "decisionDate"),
            text(rating, "validUntil"),
          ])
      ]
    case .transformation:
      var rows: [Row] = []
      for output in data["outputs"]?.arrayValue ?? [] {
        for input in data["inputs"]?.arrayValue ?? [] {
          rows.append(
            Row(
              table: 4,
              cells: [
                seq, text(output, "gtin"), text(output, "lot"), text(input, "gtin"),
                text(input, "lot"),
              ]))
        }
      }
      return rows.sorted { Cell.precedes($0.cells, $1.cells) }
    case .serialsAllocated:
      let lot = data["lot"]
      return [
        Row(
          table: 5,
          cells: [
            seq, text(lot, "gtin"), text(lot, "lot"), text(data, "first"), text(data, "last"),
            text(data, "run"),
          ])
      ]
    case .shipping, .receiving:
      let lot = data["lot"]
      let quantity = data["quantity"]
      return [
        Row(
          table: 6,
          cells: [
            seq, .text(kind.rawValue), text(lot, "gtin"), text(lot, "lot"),
            text(data, "party"),
            text(data, "gln"), text(data, "date"), text(quantity, "amount"), text(quantity, "unit"),
          ])
      ]
    case .recall:
      let lot = data["lot"]
      return [
        Row(
          table: 7,
          cells: [
            seq, text(lot, "gtin"), text(lot, "lot"), text(data, "reason"),
            .text(time.text),
          ]
        )
      ]
    case .recallWithdrawn:
      let lot = data["lot"]
      return [
        Row(
          table: 9,
          cells: [
            seq, text(lot, "gtin"), text(lot, "lot"), text(data, "reason"), .text(time.text),
          ])
      ]
    case .stageRecorded:
      let lot = data["lot"]
      return [
        Row(
          table: 10,
          cells: [
            seq, text(lot, "gtin"), text(lot, "lot"), text(data, "stage"), text(data, "time"),
            text(data, "location"), text(data, "locationName"), text(data, "item"),
          ])
      ]
    case .imported:
      return []
    }
  }
}

/// A value in a derived table. Text compares by its UTF-8 bytes, not by Unicode
/// equivalence, so an edit that only changes a letter's composition is still found.
package enum Cell: CustomStringConvertible, Hashable, Sendable {
  /// SQL NULL.
  case null
  /// An integer.
  case integer(Int64)
  /// Text.
  case text(String)
  /// A value of a kind the store never writes (a real number or a blob), described.
  case other(String)

  /// The cell a JSON member becomes.
  package init(_ json: CanonicalJSON?) {
    switch json {
    case .string(let value)?: self = .text(value)
    case .integer(let value)?: self = .integer(value)
    case .bool(let value)?: self = .integer(value ? 1 : 0)
    default: self = .null
    }
  }

  package var description: String {
    switch self {
    case .null: "NULL"
    case .integer(let value): String(value)
    case .text(let value): "\"\(value)\""
    case .other(let value): value
    }
  }

  private var rank: Int {
    switch self {
    case .null: 0
    case .integer: 1
    case .text: 2
    case .other: 3
    }
  }

  package static func == (lhs: Cell, rhs: Cell) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): true
    case (.integer(let a), .integer(let b)): a == b
    case (.text(let a), .text(let b)): a.utf8.elementsEqual(b.utf8)
    default: false
    }
  }

  /// SQL's order: NULL, integers, then text by bytes.
  package static func precedes(_ lhs: [Cell], _ rhs: [Cell]) -> Bool {
    for (a, b) in zip(lhs, rhs) {
      if a.rank != b.rank { return a.rank < b.rank }
      switch (a, b) {
      case (.integer(let x), .integer(let y)) where x != y: return x < y
      case (.text(let x), .text(let y)) where !x.utf8.elementsEqual(y.utf8):
        return x.utf8.lexicographicallyPrecedes(y.utf8)
      default: continue
      }
    }
    return lhs.count < rhs.count
  }
}

extension Cell: Equatable {}
