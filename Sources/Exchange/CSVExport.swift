import Foundation
import GS1
import Traceability

/// Writes the records as CSV files in the import format, so that an export imports again.
///
/// A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a
/// formula by a spreadsheet; it is written with a leading apostrophe, which spreadsheets
/// show as text, and which the importer takes off again.
public enum CSVExport {
  /// Writes producers.csv, products.csv, ratings.csv, batches.csv and stages.csv, with the
  /// products' photos in `photos/`, into the new folder `folder`, which appears whole or not
  /// at all (``NewFile/folder(at:fill:)``); returns the file names.
  public static func write(_ store: any TraceStore, to folder: String) async throws -> [String] {
    try NewFile.refuseExisting(folder)
    // Every record from one snapshot, so that no rating or batch lacks its product.
    let exported: (files: [(String, [[String]])], photos: [(name: String, bytes: [UInt8])]) =
      try await store.snapshot { snapshot in
        var files: [(String, [[String]])] = []
        let producers = try snapshot.producers()
        files.append(
          (
            "producers",
            producers.map {
              [
                $0.taxCode, $0.kind.rawValue, $0.name, $0.address.detail ?? "", $0.address.commune,
                $0.address.district ?? "", $0.address.province, $0.gln?.digits ?? "",
                $0.phone ?? "", $0.website ?? "",
              ]
            }
          ))
        var products: [[String]] = []
        var ratings: [[String]] = []
        var batches: [(issued: Int64, row: [String])] = []
        var stages: [(recorded: Int64, row: [String])] = []
        var photos: [(name: String, bytes: [UInt8])] = []
        for product in try snapshot.products() {
          var photoName = ""
          if let reference = product.photo,
            let photo = try snapshot.photo(sha256: reference.sha256)
          {
            photoName =
              "photos/" + product.gtin.digits + (photo.mediaType == "image/png" ? ".png" : ".jpg")
            photos.append((photoName, photo.bytes))
          }
          products.append([
            product.gtin.digits, product.producerTaxCode, product.nameVietnamese,
            product.nameEnglish ?? "", product.group.rawValue, product.netContent.amount,
            product.netContent.unit.rawValue, product.ingredients ?? "", product.storage ?? "",
            product.usage ?? "", product.warnings ?? "", product.allergens ?? "",
            product.standards.joined(separator: ";"), product.producerRole.rawValue, photoName,
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
                  origin.address.detail ?? "", origin.address.commune,
                  origin.address.district ?? "",
                  origin.address.province, origin.coordinates?.latitude ?? "",
                  origin.coordinates?.longitude ?? "", origin.harvestStart?.iso ?? "",
                  origin.harvestEnd?.iso ?? "",
                  request.inputs.map { "\($0.gtin.digits)/\($0.lot)" }.joined(separator: "|"),
                ]
              ))
            for stage in try snapshot.stages(batch.lot) {
              stages.append(
                (
                  stage.eventSequence,
                  [
                    stage.lot.gtin.digits, stage.lot.lot, stage.kind.rawValue, stage.time.text,
                    stage.location.description, stage.locationName ?? "", stage.item ?? "",
                  ]
                ))
            }
          }
        }
        // Batches in the order they were issued, so that input lots come before their outputs.
        batches.sort { $0.issued < $1.issued }
        stages.sort { $0.recorded < $1.recorded }
        files += [("products", products), ("ratings", ratings), ("batches", batches.map(\.row))]
        if !stages.isEmpty { files.append(("stages", stages.map(\.row))) }
        return (files, photos)
      }
    return try NewFile.folder(at: folder) { staging in
      var names: [String] = []
      if !exported.photos.isEmpty {
        try FileManager.default.createDirectory(
          atPath: staging + "/photos", withIntermediateDirectories: false)
        for photo in exported.photos {
          try Data(photo.bytes).write(
            to: URL(fileURLWithPath: staging + "/" + photo.name), options: .withoutOverwriting)
        }
      }
      for (kind, rows) in exported.files {
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
