import Traceability

/// The scan log's one question, in one statement so that it reads one snapshot on either
/// backend: the scans of a code by place, and which of the given scan ids are stored.
package struct ScanTallyQuery {
  let table: String
  let lot: LotReference
  let serial: String
  let ids: [String]

  package init(table: String, lot: LotReference, serial: String, ids: [String]) {
    self.table = table
    self.lot = lot
    self.serial = serial
    self.ids = ids
  }

  /// Rows of place, count, first time and NULL; then NULL, NULL, NULL and each of the ids
  /// that is stored.
  package var sql: String {
    let item = "FROM \(table) WHERE gtin = ? AND lot = ? AND serial = ?"
    var text = "SELECT place, COUNT(*), MIN(time), NULL \(item) GROUP BY place"
    if !ids.isEmpty {
      let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
      text += " UNION ALL SELECT NULL, NULL, NULL, id \(item) AND id IN (\(marks))"
    }
    return text
  }

  package var arguments: [String] {
    let item = [lot.gtin.digits, lot.lot, serial]
    return ids.isEmpty ? item : item + item + ids
  }

  /// One row of the answer.
  package struct Row {
    let place: String?
    let count: Int
    let first: String?
    let id: String?

    package init(place: String?, count: Int, first: String?, id: String?) {
      self.place = place
      self.count = count
      self.first = first
      self.id = id
    }
  }

  /// The stored tally and stored ids the answer gives.
  package func answer(_ rows: [Row]) -> (tally: ScanTally, stored: Set<String>) {
    var tally = ScanTally()
    var stored: Set<String> = []
    for row in rows {
      if let id = row.id {
        stored.insert(id)
      } else if let place = row.place {
        tally.add(place: place, count: row.count, first: row.first.flatMap { try? Timestamp($0) })
      }
    }
    return (tally, stored)
  }
}
