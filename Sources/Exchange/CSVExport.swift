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
  ///
  /// Every record comes from one snapshot, so that no rating or batch lacks its product, and
  /// is written as it is read, through a buffer of a megabyte a file: memory holds the
  /// batches' and stages' places in the log (to write them in that order), not the records.
  public static func write(_ store: any TraceStore, to folder: String) async throws -> [String] {
    try NewFile.refuseExisting(folder)
    return try await store.snapshot { snapshot in
      try NewFile.folder(at: folder) { staging in
        try write(snapshot, into: staging)
      }
    }
  }

  private static func write(_ snapshot: TraceSnapshot, into staging: String) throws -> [String] {
    var names: [String] = []
    func file(_ kind: String) throws -> CSVFile {
      guard let importKind = ImportKind(rawValue: kind) else {
        throw TraceError.malformed(what: "CSV export", reason: "knows no file \(kind)")
      }
      names.append(kind + ".csv")
      let file = try CSVFile(path: staging + "/" + kind + ".csv")
      try file.write(importKind.columns.map(\.key))
      return file
    }
    let producers = try file("producers")
    for producer in try snapshot.producers() {
      try producers.write([
        producer.taxCode, producer.kind.rawValue, producer.name, producer.address.detail ?? "",
        producer.address.commune, producer.address.district ?? "", producer.address.province,
        producer.gln?.digits ?? "", producer.phone ?? "", producer.website ?? "",
      ])
    }
    try producers.close()
    let products = try file("products")
    let ratings = try file("ratings")
    // Where each batch and stage stands in the log, to write them in that order after.
    var batchPlaces: [(issued: Int64, lot: LotReference)] = []
    var stagePlaces: [(recorded: Int64, lot: LotReference)] = []
    var madePhotos = false
    for product in try snapshot.products() {
      var photoName = ""
      if let reference = product.photo, let photo = try snapshot.photo(sha256: reference.sha256) {
        photoName =
          "photos/" + product.gtin.digits + (photo.mediaType == "image/png" ? ".png" : ".jpg")
        if !madePhotos {
          try FileManager.default.createDirectory(
            atPath: staging + "/photos", withIntermediateDirectories: false)
          madePhotos = true
        }
        try Data(photo.bytes).write(
          to: URL(fileURLWithPath: staging + "/" + photoName), options: .withoutOverwriting)
      }
      try products.write([
        product.gtin.digits, product.producerTaxCode, product.nameVietnamese,
        product.nameEnglish ?? "", product.group.rawValue, product.netContent.amount,
        product.netContent.unit.rawValue, product.ingredients ?? "", product.storage ?? "",
        product.usage ?? "", product.warnings ?? "", product.allergens ?? "",
        product.standards.joined(separator: ";"), product.producerRole.rawValue, photoName,
      ])
      for rating in try snapshot.ratingHistory(product.gtin).entries {
        try ratings.write([
          product.gtin.digits, rating.stars.map(String.init) ?? "", rating.status.rawValue,
          rating.decision.number, rating.decision.date.iso, rating.decision.level.rawValue,
          rating.validUntil?.iso ?? "",
        ])
      }
      for batch in try snapshot.batches(of: product.gtin) {
        batchPlaces.append((batch.eventSequence, batch.lot))
        for stage in try snapshot.stages(batch.lot) {
          stagePlaces.append((stage.eventSequence, batch.lot))
        }
      }
    }
    try products.close()
    try ratings.close()
    // Batches in the order they were issued, so that input lots come before their outputs.
    batchPlaces.sort { $0.issued < $1.issued }
    let batches = try file("batches")
    for place in batchPlaces {
      guard let batch = try snapshot.batch(place.lot) else { continue }
      let request = batch.request
      let origin = request.origin
      try batches.write([
        batch.lot.gtin.digits, batch.lot.lot, request.productionDate.iso, request.expiryDate.iso,
        request.quantity.amount, request.quantity.unit.rawValue, origin.areaName,
        origin.address.detail ?? "", origin.address.commune, origin.address.district ?? "",
        origin.address.province, origin.coordinates?.latitude ?? "",
        origin.coordinates?.longitude ?? "", origin.harvestStart?.iso ?? "",
        origin.harvestEnd?.iso ?? "",
        request.inputs.map { "\($0.gtin.digits)/\($0.lot)" }.joined(separator: "|"),
      ])
    }
    batchPlaces = []
    try batches.close()
    if !stagePlaces.isEmpty {
      stagePlaces.sort { $0.recorded < $1.recorded }
      let stages = try file("stages")
      // A lot's stages are read once for its run of places (its stages are often recorded
      // one after another).
      var read: (lot: LotReference, stages: [ProductionStage])?
      for place in stagePlaces {
        if read?.lot != place.lot { read = (place.lot, try snapshot.stages(place.lot)) }
        for stage in read?.stages ?? [] where stage.eventSequence == place.recorded {
          try stages.write([
            stage.lot.gtin.digits, stage.lot.lot, stage.kind.rawValue, stage.time.text,
            stage.location.description, stage.locationName ?? "", stage.item ?? "",
          ])
        }
      }
      try stages.close()
    }
    return names
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

/// A new CSV file written a line at a time through a buffer of a megabyte.
final class CSVFile {
  private let descriptor: Int32
  private let path: String
  private var buffer: [UInt8] = []

  init(path: String) throws {
    descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw TraceError.file(
        path: path, reason: "cannot be created (\(String(cString: strerror(errno))))")
    }
    self.path = path
    buffer.reserveCapacity(1 << 20)
  }

  deinit { if descriptor >= 0 { Glibc.close(descriptor) } }

  /// Writes one line of cells.
  func write(_ cells: [String]) throws {
    buffer += CSVExport.line(cells).utf8
    if buffer.count >= 1 << 20 { try flush() }
  }

  private func flush() throws {
    try NewFile.write(buffer, to: descriptor, path: path)
    buffer.removeAll(keepingCapacity: true)
  }

  /// Writes what is left.
  func close() throws { try flush() }
}
