import GS1
import Traceability

/// A derived table's row read back, its cells looked up by column name.
struct RecordRow {
  let table: Projection.Table
  let cells: [Cell]

  private func cell(_ column: String) throws -> Cell {
    guard let index = table.columns.firstIndex(of: column), index < cells.count else {
      throw TraceError.malformed(
        what: "\(table.name) row", reason: "has no column \(column)")
    }
    return cells[index]
  }

  /// A column's value as `extract` reads it (`kind` names what it expects); nil for NULL.
  private func value<T>(_ column: String, _ kind: String, _ extract: (Cell) -> T?) throws -> T? {
    let cell = try cell(column)
    if case .null = cell { return nil }
    guard let value = extract(cell) else {
      throw TraceError.malformed(
        what: "\(table.name) row", reason: "column \(column) holds \(cell), not \(kind)")
    }
    return value
  }

  /// `value`, which must not be NULL.
  private func present<T>(_ value: T?, _ column: String) throws -> T {
    guard let value else {
      throw TraceError.malformed(what: "\(table.name) row", reason: "column \(column) is NULL")
    }
    return value
  }

  /// A text column's value; nil for NULL.
  func text(_ column: String) throws -> String? {
    try value(column, "text") { if case .text(let text) = $0 { text } else { nil } }
  }

  /// A text column that must not be NULL.
  func required(_ column: String) throws -> String {
    try present(text(column), column)
  }

  /// An integer column's value; nil for NULL.
  func integer(_ column: String) throws -> Int64? {
    try value(column, "an integer") { if case .integer(let number) = $0 { number } else { nil } }
  }

  /// An integer column that must not be NULL.
  func requiredInteger(_ column: String) throws -> Int64 {
    try present(integer(column), column)
  }

  /// A date column's value; nil for NULL.
  func date(_ column: String) throws -> GS1Date? {
    try text(column).map { text throws(TraceError) in try GS1Date.checked(text) }
  }

  /// The lot the row names by its `gtin` and `lot` columns (or the given pair).
  func lot(gtin: String = "gtin", lot: String = "lot") throws -> LotReference {
    try LotReference(gtin: GTIN.checked(required(gtin)), lot: required(lot))
  }
}
