import Foundation
import GS1
import Traceability

/// Turns an import file into the commands that record it: every row checked, each problem
/// named by file, line and column. The commands are applied together, so one bad row
/// means nothing from the file is stored.
public struct ImportPlan: Sendable {
  /// What the file holds.
  public let kind: ImportKind
  /// The file, as given.
  public let file: String
  /// One command per row, in file order.
  public let commands: [TraceCommand]
  /// The line each command came from.
  public let lines: [Int]
  /// How many rows the file holds (a row may record more than one command: a product's
  /// photo, then the product).
  public var rows: Int { Set(lines).count }
  /// How rows become commands, and where a refusal is placed.
  let planner: ImportPlanner

  /// Reads `table` as a file of `kind`.
  public init(_ table: CSVTable, kind: ImportKind) throws(ImportError) {
    self.kind = kind
    file = table.file
    var planner = try ImportPlanner(header: table.header, kind: kind, file: table.file)
    var commands: [TraceCommand] = []
    var lines: [Int] = []
    for record in table.records {
      let rowCommands = try planner.commands(for: record)
      commands += rowCommands
      lines += Array(repeating: record.line, count: rowCommands.count)
    }
    guard !commands.isEmpty else {
      throw ImportError(file: table.file, problem: "has a header but no rows")
    }
    self.planner = planner
    self.commands = commands
    self.lines = lines
  }

  /// The problem of a refused command, placed on its row and, where it can tell, column.
  public func locate(_ error: TraceError) -> ImportError {
    guard let index = error.commandIndex ?? (commands.count == 1 ? 0 : nil) else {
      return ImportError(file: file, problem: error.description)
    }
    return planner.locate(error.underlying, line: lines[index])
  }
}

/// Turns the rows of an import file into commands one row at a time, checking each, and
/// each row's key against those before it in the file.
public struct ImportPlanner: Sendable {
  /// What the file holds.
  public let kind: ImportKind
  /// The file, as given.
  public let file: String
  let positions: [String: Int]
  /// The header as written, by column key, to name columns in messages.
  let headerNames: [String: String]
  /// Each row's key, and the line it is on.
  private var seen: [String: Int] = [:]

  /// A planner for a file of `kind` with `header`.
  public init(header: [String], kind: ImportKind, file: String) throws(ImportError) {
    self.kind = kind
    self.file = file
    positions = try kind.mapHeader(header, file: file)
    var names: [String: String] = [:]
    for (key, index) in positions { names[key] = header[index] }
    headerNames = names
  }

  /// The commands `record` records (one, or a photo's then a product's), checked.
  public mutating func commands(for record: CSVTable.Record) throws(ImportError)
    -> [TraceCommand]
  {
    let row = Row(
      file: file, line: record.line, cells: record.cells, positions: positions,
      names: headerNames)
    let (rowCommands, identity) = try ImportPlan.commands(kind, row)
    if let identity {
      if let earlier = seen[identity.key] {
        throw row.error(
          identity.column, "\(identity.key) is already on line \(earlier) of this file")
      }
      seen[identity.key] = record.line
    }
    return rowCommands
  }

  /// The problem `inner` of a command refused, placed on `line` and, where it can tell, its
  /// column.
  public func locate(_ inner: TraceError, line: Int) -> ImportError {
    var column = ""
    switch inner {
    case .notFound(let kind, _):
      switch kind {
      case "producer": column = "producer"
      case "input lot": column = "inputs"
      default: column = kind == "lot" ? "lot" : "gtin"
      }
    case .alreadyExists(let kind, _):
      switch kind {
      case "lot": column = "lot"
      case "producer": column = "tax_code"
      case "rating decision": column = "decision"
      default: column = "gtin"
      }
    case .recalled: column = "inputs"
    default: break
    }
    return ImportError(
      file: file, line: line, column: headerNames[column] ?? "", problem: inner.description)
  }
}

extension ImportPlan {
  /// The commands a row records: one, and for a product with a photo, the photo's first.
  static func commands(_ kind: ImportKind, _ row: Row) throws(ImportError)
    -> ([TraceCommand], (key: String, column: String)?)
  {
    if kind == .products, let path = row.optional("photo") {
      let photo = try row.photo("photo", path: path)
      let (command, identity) = try command(kind, row, photo: photo.reference)
      return ([.storePhoto(photo), command], identity)
    }
    let (command, identity) = try command(kind, row, photo: nil)
    return ([command], identity)
  }

  private static func command(_ kind: ImportKind, _ row: Row, photo: ProductPhoto?)
    throws(ImportError)
    -> (TraceCommand, (key: String, column: String)?)
  {
    switch kind {
    case .producers:
      let taxCode = try row.required("tax_code")
      let address = try row.address(
        detail: "address", commune: "commune", district: "district", province: "province")
      let kind = try row.producerKind("kind")
      let name = try row.required("name")
      let gln = try row.gln("gln")
      let producer = try row.build(
        ["tax code": "tax_code", "name": "name", "phone": "phone", "website": "website"]
      ) { () throws(TraceError) in
        try Producer(
          taxCode: taxCode, kind: kind, name: name, address: address, gln: gln,
          phone: row.optional("phone"), website: row.optional("website"))
      }
      return (.registerProducer(producer), ("producer \(taxCode)", "tax_code"))

    case .products:
      let gtin = try row.gtin("gtin")
      let net = try row.quantity(amount: "net_amount", unit: "net_unit")
      let producer = try row.required("producer")
      let name = try row.required("name_vi")
      let group = try row.group("group")
      let role = try row.optionalChoice(
        "producer_role", Vocabulary.producerRole, expected: Vocabulary.producerRoles)
      let product = try row.build([
        "Vietnamese name": "name_vi", "English name": "name_en", "ingredients": "ingredients",
        "storage": "storage", "usage": "usage", "warnings": "warnings", "allergens": "allergens",
        "standard": "standards", "standards": "standards",
      ]) { () throws(TraceError) in
        try Product(
          gtin: gtin, producerTaxCode: producer, nameVietnamese: name,
          nameEnglish: row.optional("name_en"), group: group, netContent: net,
          ingredients: row.optional("ingredients"),
          storage: row.optional("storage"), usage: row.optional("usage"),
          warnings: row.optional("warnings"), allergens: row.optional("allergens"),
          standards: (row.optional("standards") ?? "").split(separator: ";").map(String.init),
          producerRole: role ?? .manufacturer, photo: photo)
      }
      return (.registerProduct(product), ("product \(gtin.digits)", "gtin"))

    case .ratings:
      let gtin = try row.gtin("gtin")
      let decisionDate = try row.date("decision_date")
      let number = try row.required("decision")
      let level = try row.level("level")
      let decision = try row.build(["number": "decision"]) { () throws(TraceError) in
        try Decision(number: number, date: decisionDate, level: level)
      }
      let stars = try row.stars("stars")
      let status = try row.status("status")
      let until = try row.optionalDate("valid_until")
      let rating = try row.build(["stars": "stars", "valid until": "valid_until"]) {
        () throws(TraceError) in
        try OCOPRating(stars: stars, status: status, decision: decision, validUntil: until)
      }
      return (.recordRating(gtin: gtin, rating: rating), nil)

    case .batches:
      let gtin = try row.gtin("gtin")
      let lotText = try row.required("lot")
      let lot = try row.build(["lot": "lot"]) { () throws(TraceError) in
        try LotReference(gtin: gtin, lot: lotText)
      }
      let production = try row.date("production_date")
      let expiry = try row.date("expiry_date")
      let quantity = try row.quantity(amount: "quantity", unit: "unit")
      let address = try row.address(
        detail: "origin_address", commune: "origin_commune", district: "origin_district",
        province: "origin_province")
      var coordinates: Coordinates?
      if row.optional("latitude") != nil || row.optional("longitude") != nil {
        let latitude = try row.required("latitude")
        let longitude = try row.required("longitude")
        coordinates = try row.build(["latitude": "latitude", "longitude": "longitude"]) {
          () throws(TraceError) in
          try Coordinates(latitude: latitude, longitude: longitude)
        }
      }
      let harvestStart = try row.optionalDate("harvest_start")
      let harvestEnd = try row.optionalDate("harvest_end")
      let area = try row.required("origin_area")
      let origin = try row.build(["area name": "origin_area", "harvest end": "harvest_end"]) {
        () throws(TraceError) in
        try Origin(
          areaName: area, address: address, coordinates: coordinates,
          harvestStart: harvestStart, harvestEnd: harvestEnd)
      }
      let inputs = try row.lots("inputs")
      let request = try row.build(["expiry date": "expiry_date", "input lots": "inputs"]) {
        () throws(TraceError) in
        try BatchRequest(
          lot: lot, productionDate: production, expiryDate: expiry, quantity: quantity,
          origin: origin, inputs: inputs)
      }
      return (.issueBatch(request), ("lot \(lot)", "lot"))

    case .stages:
      let gtin = try row.gtin("gtin")
      let lotText = try row.required("lot")
      let lot = try row.build(["lot": "lot"]) { () throws(TraceError) in
        try LotReference(gtin: gtin, lot: lotText)
      }
      let kind = try row.choice("stage", Vocabulary.stage, expected: Vocabulary.stages)
      let timeText = try row.required("time")
      let time = try row.build(["time": "time"]) { () throws(TraceError) in
        try StageTime(timeText)
      }
      let locationText = try row.required("location")
      let location = try row.build(["location": "location"]) { () throws(TraceError) in
        try StageLocation(locationText)
      }
      let stage = try row.build(["location name": "location_name", "item": "item"]) {
        () throws(TraceError) in
        try ProductionStage(
          lot: lot, kind: kind, time: time, location: location,
          locationName: row.optional("location_name"), item: row.optional("item"))
      }
      return (.recordStage(stage), nil)
    }
  }
}

/// One row of an import file, with typed readers that name the cell when they refuse it.
struct Row {
  let file: String
  let line: Int
  let cells: [String]
  let positions: [String: Int]
  let names: [String: String]

  func error(_ key: String, _ problem: String) -> ImportError {
    ImportError(file: file, line: line, column: names[key] ?? key, problem: problem)
  }

  /// The cell, trimmed; nil when the column is absent or the cell empty. The apostrophe
  /// that an export puts before a cell a spreadsheet would run as a formula is taken off.
  func optional(_ key: String) -> String? {
    guard let index = positions[key] else { return nil }
    var value = cells[index].trimmed(newlines: false)
    if value.hasPrefix("'"), let next = value.unicodeScalars.dropFirst().first,
      "=+-@\t\r".unicodeScalars.contains(next)
    {
      value.removeFirst()
    }
    return value.isEmpty ? nil : value
  }

  func required(_ key: String) throws(ImportError) -> String {
    guard let value = optional(key) else { throw error(key, "must not be empty") }
    return value
  }

  /// Runs a model constructor; a refused field becomes an error on its column.
  func build<T>(_ columns: [String: String], _ body: () throws(TraceError) -> T)
    throws(ImportError) -> T
  {
    do {
      return try body()
    } catch {
      if case .invalidField(_, let field, let value, let reason) = error, let key = columns[field] {
        let shown = value.isEmpty ? "(empty)" : "\"\(value.clippedForMessage)\""
        throw self.error(key, "\(shown) \(reason)")
      }
      if case .gs1(let failure) = error, columns.count == 1, let key = columns.values.first {
        throw self.error(key, failure.description)
      }
      throw ImportError(file: file, line: line, problem: error.description)
    }
  }

  func gtin(_ key: String) throws(ImportError) -> GTIN {
    let text = try required(key)
    do { return try GTIN(text) } catch { throw self.error(key, error.description) }
  }

  func gln(_ key: String) throws(ImportError) -> GLN? {
    guard let text = optional(key) else { return nil }
    do { return try GLN(text) } catch { throw self.error(key, error.description) }
  }

  /// A date as `YYYY-MM-DD` or, as Vietnamese spreadsheets write it, `DD/MM/YYYY`.
  func date(_ key: String) throws(ImportError) -> GS1Date {
    let text = try required(key)
    do {
      return try GS1Date(entered: text)
    } catch {
      throw self.error(key, "\"\(text)\" is not a date (write 2026-11-02 or 02/11/2026)")
    }
  }

  func optionalDate(_ key: String) throws(ImportError) -> GS1Date? {
    optional(key) == nil ? nil : try date(key)
  }

  /// OCOP stars: exactly `3`, `4` or `5`, or nothing.
  func stars(_ key: String) throws(ImportError) -> Int? {
    guard let text = optional(key) else { return nil }
    guard let value = OCOPRating.stars(text) else {
      throw error(key, "\"\(text.clippedForMessage)\" must be 3, 4 or 5")
    }
    return value
  }

  /// A quantity; for a unit that measures, a decimal comma (`0,5`) is read as a point. A
  /// count is a whole number, written without separators (``Quantity``).
  func quantity(amount: String, unit: String) throws(ImportError) -> Quantity {
    var number = try required(amount)
    let code = try required(unit)
    let unitCode: UnitCode
    do { unitCode = try UnitCode(code.uppercased()) } catch {
      throw self.error(
        unit,
        "\"\(code)\" is not a known UN/ECE unit code (\(UnitCode.known.keys.sorted().joined(separator: ", ")))"
      )
    }
    if !unitCode.counts, !number.contains("."), number.filter({ $0 == "," }).count == 1 {
      number = number.replacingOccurrences(of: ",", with: ".")
    }
    return try build(["amount": amount]) { () throws(TraceError) in
      try Quantity(amount: number, unit: unitCode)
    }
  }

  func address(detail: String, commune: String, district: String, province: String)
    throws(ImportError) -> Address
  {
    try build(["detail": detail, "commune": commune, "district": district, "province": province]) {
      () throws(TraceError) in
      try Address(
        detail: optional(detail), commune: optional(commune) ?? "",
        district: optional(district), province: optional(province) ?? "")
    }
  }

  /// Input lots: `GTIN/LOT`, several joined with `|`.
  func lots(_ key: String) throws(ImportError) -> [LotReference] {
    guard let text = optional(key) else { return [] }
    var lots: [LotReference] = []
    for part in text.split(separator: "|") {
      let item = part.trimmed(newlines: false)
      guard let slash = item.firstIndex(of: "/") else {
        throw error(key, "\"\(item)\" must be GTIN/LOT, several joined with |")
      }
      do {
        lots.append(
          try LotReference(
            gtin: GTIN(String(item[..<slash])), lot: String(item[item.index(after: slash)...])))
      } catch let failure as GS1Error {
        throw error(key, "\"\(item)\": \(failure.description)")
      } catch let failure as TraceError {
        throw error(key, "\"\(item)\": \(failure.description)")
      } catch {
        throw self.error(key, "\"\(item)\": \(error)")
      }
    }
    return lots
  }

  func producerKind(_ key: String) throws(ImportError) -> ProducerKind {
    try choice(key, Vocabulary.producerKind, expected: Vocabulary.producerKinds)
  }

  func group(_ key: String) throws(ImportError) -> ProductGroup {
    try choice(key, Vocabulary.group, expected: Vocabulary.groups)
  }

  func status(_ key: String) throws(ImportError) -> RatingStatus {
    try choice(key, Vocabulary.status, expected: Vocabulary.statuses)
  }

  func level(_ key: String) throws(ImportError) -> DecisionLevel {
    try choice(key, Vocabulary.level, expected: Vocabulary.levels)
  }

  /// The photo file a cell names, relative to the import file's folder.
  func photo(_ key: String, path: String) throws(ImportError) -> PhotoFile {
    let folder = (file as NSString).deletingLastPathComponent
    let full = path.hasPrefix("/") ? path : (folder as NSString).appendingPathComponent(path)
    guard let data = FileManager.default.contents(atPath: full) else {
      throw error(key, "\(path): no such file (a photo's path is relative to \(file))")
    }
    do {
      return try PhotoFile(bytes: Array(data), file: path)
    } catch {
      throw self.error(key, error.description)
    }
  }

  /// A fixed value read through `read`, or nil when the cell is empty.
  func optionalChoice<T>(_ key: String, _ read: (String) -> T?, expected: String)
    throws(ImportError) -> T?
  {
    guard optional(key) != nil else { return nil }
    return try choice(key, read, expected: expected)
  }

  func choice<T>(_ key: String, _ read: (String) -> T?, expected: String)
    throws(ImportError) -> T
  {
    let text = try required(key)
    guard let value = read(text) else {
      throw error(key, "\"\(text)\" must be \(expected)")
    }
    return value
  }

}
