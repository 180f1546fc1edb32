import Foundation
import GS1
import Traceability

/// Writes the records as CSV files in the import format, so that an export imports again.
///
/// A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a
/// formula by a spreadsheet; it is written with a leading apostrophe, which spreadsheets
/// show as text, and which the importer takes off again.
public enum CSVExport {
  /// Writes producers.csv, products.csv, ratings.csv and batches.csv into the new folder
  /// `folder`, which appears whole or not at all (``NewFile/folder(at:fill:)``); returns the
  /// file names.
  public static func write(_ store: any TraceStore, to folder: String) async throws -> [String] {
    try NewFile.refuseExisting(folder)
    // Every record from one snapshot, so that no rating or batch lacks its product.
    let files = try await store.snapshot { snapshot in
      var files: [(String, [[String]])] = []
      let producers = try snapshot.producers()
      files.append(
        (
          "producers",
          producers.map {
            [
              $0.taxCode, $0.kind.rawValue, $0.name, $0.address.detail ?? "", $0.address.commune,
              $0.address.district ?? "", $0.address.province, $0.gln?.digits ?? "",
            ]
          }
        ))
      var products: [[String]] = []
      var ratings: [[String]] = []
      var batches: [(issued: Int64, row: [String])] = []
      for product in try snapshot.products() {
        products.append([
          product.gtin.digits, product.producerTaxCode, product.nameVietnamese,
          product.nameEnglish ?? "", product.group.rawValue, product.netContent.amount,
          product.netContent.unit.rawValue, product.ingredients ?? "", product.storage ?? "",
          product.usage ?? "",
        ])
        for rating in try snapshot.ratingHistory(product.gtin).entries {
          ratings.append([
            product.gtin.digits, rating.stars.map(String.init) ?? "", rating.status.rawValue,
            rating.decision.number, rating.decision.date.iso, rating.decision.level.rawValue,
            rating.validUntil?.iso ?? "",
          ])
        }
        for batch in try snapshot.batches(of: product.gtin) {
          let request = batch.request
          let origin = request.origin
          batches.append(
            (
              batch.eventSequence,
              [
                batch.lot.gtin.digits, batch.lot.lot, request.productionDate.iso,
                request.expiryDate.iso,
                request.quantity.amount, request.quantity.unit.rawValue, origin.areaName,
                origin.address.detail ?? "", origin.address.commune, origin.address.district ?? "",
                origin.address.province, origin.coordinates?.latitude ?? "",
                origin.coordinates?.longitude ?? "", origin.harvestStart?.iso ?? "",
                origin.harvestEnd?.iso ?? "",
                request.inputs.map { "\($0.gtin.digits)/\($0.lot)" }.joined(separator: "|"),
              ]
            ))
        }
      }
      // Batches in the order they were issued, so that input lots come before their outputs.
      batches.sort { $0.issued < $1.issued }
      files += [("products", products), ("ratings", ratings), ("batches", batches.map(\.row))]
      return files
    }
    return try NewFile.folder(at: folder) { staging in
      var names: [String] = []
      for (kind, rows) in files {
        guard let importKind = ImportKind(rawValue: kind) else { continue }
        var text = line(importKind.columns.map(\.key))
        for row in rows { text += line(row) }
        let name = kind + ".csv"
        try Data(text.utf8).write(
          to: URL(fileURLWithPath: staging + "/" + name), options: .withoutOverwriting)
        names.append(name)
      }
      return names
    }
  }

  /// One CSV line: cells quoted when they hold a comma, quote or line break, and
  /// neutralised when a spreadsheet would run them.
  static func line(_ cells: [String]) -> String {
    cells.map { cell in
      var value = cell
      if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
        value = "'" + value
      }
      if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
        value = "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
      }
      return value
    }.joined(separator: ",") + "\r\n"
  }
}
