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

  /// A text column's value; nil for NULL.
  func text(_ column: String) throws -> String? {
    switch try cell(column) {
    case .null: return nil
    case .text(let value): return value
    case let other:
      throw TraceError.malformed(
        what: "\(table.name) row", reason: "column \(column) holds \(other), not text")
    }
  }

  /// A text column that must not be NULL.
  func required(_ column: String) throws -> String {
    guard let value = try text(column) else {
      throw TraceError.malformed(what: "\(table.name) row", reason: "column \(column) is NULL")
    }
    return value
  }

  /// An integer column's value; nil for NULL.
  func integer(_ column: String) throws -> Int64? {
    switch try cell(column) {
    case .null: return nil
    case .integer(let value): return value
    case let other:
      throw TraceError.malformed(
        what: "\(table.name) row", reason: "column \(column) holds \(other), not an integer")
    }
  }

  /// An integer column that must not be NULL.
  func requiredInteger(_ column: String) throws -> Int64 {
    guard let value = try integer(column) else {
      throw TraceError.malformed(what: "\(table.name) row", reason: "column \(column) is NULL")
    }
    return value
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
