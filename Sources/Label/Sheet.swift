/// N-up pages for office printers: labels in rows and columns on a sheet, such as A4
/// with 3 × 8 labels of 70 × 37 mm.
public struct SheetLayout: Hashable, Sendable {
  /// Page width in millimetres (A4: 210).
  public let pageWidth: Double
  /// Page height in millimetres (A4: 297).
  public let pageHeight: Double
  /// Labels across.
  public let columns: Int
  /// Labels down.
  public let rows: Int
  /// The label size.
  public let label: LabelTemplate
  /// Space between labels across and down, in millimetres.
  public let gapX: Double
  public let gapY: Double
  /// The left and top margins, in millimetres: by default the grid is centred.
  public let marginLeft: Double
  public let marginTop: Double
  /// Where the printer puts the page relative to where it is asked to, corrected: every
  /// label moves by this many millimetres right and down (`--offset X,Y`; negative moves
  /// left and up). Measured with the calibration page.
  public var offsetX: Double = 0
  public var offsetY: Double = 0
  /// The layout's name in ``named`` layouts, or its numbers.
  public var name: String {
    Self.table.first { $0.sameGrid(as: self) }?.layoutName
      ?? "\(columns)x\(rows) of \(label.name) mm"
  }

  /// A sheet layout; the grid must fit on the page.
  public init(
    pageWidth: Double = 210, pageHeight: Double = 297, columns: Int, rows: Int,
    label: LabelTemplate,
    gapX: Double = 0, gapY: Double = 0, marginLeft: Double? = nil, marginTop: Double? = nil
  ) throws(LabelError) {
    guard columns >= 1, rows >= 1 else {
      throw .invalidOption(
        name: "sheet", value: "\(columns)×\(rows)", reason: "needs at least one row and column")
    }
    let gridWidth = Double(columns) * label.widthMillimetres + Double(columns - 1) * gapX
    let gridHeight = Double(rows) * label.heightMillimetres + Double(rows - 1) * gapY
    let left = marginLeft ?? (pageWidth - gridWidth) / 2
    let top = marginTop ?? (pageHeight - gridHeight) / 2
    guard gapX >= 0, gapY >= 0, left >= 0, top >= 0, left + gridWidth <= pageWidth + 1e-9,
      top + gridHeight <= pageHeight + 1e-9
    else {
      throw .invalidOption(
        name: "sheet", value: "\(columns)×\(rows) of \(label.name) mm",
        reason:
          "the grid (\(ModuleSize.format(gridWidth))×\(ModuleSize.format(gridHeight)) mm with its "
          + "margins) does not fit on a \(ModuleSize.format(pageWidth))×\(ModuleSize.format(pageHeight)) mm page"
      )
    }
    self.pageWidth = pageWidth
    self.pageHeight = pageHeight
    self.columns = columns
    self.rows = rows
    self.label = label
    self.gapX = gapX
    self.gapY = gapY
    self.marginLeft = left
    self.marginTop = top
  }

  /// Labels per page.
  public var perPage: Int { columns * rows }

  /// The top-left corner of the `index`th label of a page (row by row), in millimetres
  /// from the page's top-left corner, offset included.
  public func origin(of index: Int) -> (x: Double, y: Double) {
    let place = index % perPage
    return (
      marginLeft + offsetX + Double(place % columns) * (label.widthMillimetres + gapX),
      marginTop + offsetY + Double(place / columns) * (label.heightMillimetres + gapY)
    )
  }

  /// Lays `labels` (each drawn at `dpi` for this layout's label size) out on pages.
  public func pages(_ labels: [Bitmap], dpi: Int) throws(LabelError) -> [Bitmap] {
    let scale = Double(dpi) / 25.4
    func pixels(_ millimetres: Double) -> Int { Int((millimetres * scale).rounded()) }
    var pages: [Bitmap] = []
    for first in stride(from: 0, to: labels.count, by: perPage) {
      var page = Bitmap(width: pixels(pageWidth), height: pixels(pageHeight))
      for (index, label) in labels[first..<min(first + perPage, labels.count)].enumerated() {
        let (left, top) = origin(of: index)
        let x = Int((left * scale).rounded())
        let y = Int((top * scale).rounded())
        // A label drawn at this size may overrun the page edge by the one pixel that
        // rounding gives; more than that is a label of another size.
        guard x + label.width <= page.width + 1, y + label.height <= page.height + 1, x >= 0, y >= 0
        else {
          throw .invalidOption(
            name: "label", value: "\(first + index + 1)",
            reason: "is larger than its place on the sheet")
        }
        let copyWidth = min(label.width, page.width - x)
        guard copyWidth > 0 else { continue }
        for labelRow in 0..<min(label.height, page.height - y) {
          let source = labelRow * label.width
          let target = (y + labelRow) * page.width + x
          page.pixels.replaceSubrange(
            target..<(target + copyWidth), with: label.pixels[source..<(source + copyWidth)])
        }
      }
      pages.append(page)
    }
    return pages
  }
}

extension SheetLayout {
  /// One of the common A4 decal sheets: its name and its measurements as printed on the
  /// pack (see docs/printing.md).
  struct Entry {
    let layoutName: String
    let columns, rows: Int
    let width, height: Double
    let left, top: Double
    let gapX, gapY: Double

    func sameGrid(as sheet: SheetLayout) -> Bool {
      sheet.pageWidth == 210 && sheet.pageHeight == 297 && sheet.columns == columns
        && sheet.rows == rows && sheet.label.widthMillimetres == width
        && sheet.label.heightMillimetres == height && sheet.gapX == gapX && sheet.gapY == gapY
        && abs(sheet.marginLeft - left) < 1e-9 && abs(sheet.marginTop - top) < 1e-9
    }
  }

  /// The common A4 decal sheets, by name: `COLUMNSxROWS-WIDTHxHEIGHT`, every measure in
  /// millimetres (left and top margins, gaps between labels across and down).
  static let table: [Entry] = [
    Entry(
      layoutName: "3x8-70x37", columns: 3, rows: 8, width: 70, height: 37, left: 0, top: 0.5,
      gapX: 0, gapY: 0),
    Entry(
      layoutName: "3x8-70x36", columns: 3, rows: 8, width: 70, height: 36, left: 0, top: 4.5,
      gapX: 0, gapY: 0),
    Entry(
      layoutName: "3x8-63.5x33.9", columns: 3, rows: 8, width: 63.5, height: 33.9, left: 7.25,
      top: 12.9, gapX: 2.5, gapY: 0),
    Entry(
      layoutName: "3x7-63.5x38.1", columns: 3, rows: 7, width: 63.5, height: 38.1, left: 7.25,
      top: 15.15, gapX: 2.5, gapY: 0),
    Entry(
      layoutName: "3x11-70x25.4", columns: 3, rows: 11, width: 70, height: 25.4, left: 0,
      top: 8.8, gapX: 0, gapY: 0),
    Entry(
      layoutName: "2x7-99.1x38.1", columns: 2, rows: 7, width: 99.1, height: 38.1, left: 4.65,
      top: 15.15, gapX: 2.5, gapY: 0),
    Entry(
      layoutName: "2x4-105x74", columns: 2, rows: 4, width: 105, height: 74, left: 0, top: 0.5,
      gapX: 0, gapY: 0),
    Entry(
      layoutName: "4x10-48.5x25.4", columns: 4, rows: 10, width: 48.5, height: 25.4, left: 8,
      top: 21.5, gapX: 0, gapY: 0),
    Entry(
      layoutName: "5x13-38.1x21.2", columns: 5, rows: 13, width: 38.1, height: 21.2, left: 4.75,
      top: 10.7, gapX: 2.5, gapY: 0),
  ]

  /// The names of the common layouts.
  public static var layoutNames: [String] { table.map(\.layoutName) }

  /// A sheet layout by name or by numbers:
  /// - a name from the table (`3x8-70x37`), or its grid alone when one layout has it (`3x8`
  ///   is not one: two have it);
  /// - `COLUMNSxROWS` with `label`, the grid centred on A4 without gaps;
  /// - `COLUMNSxROWS,WIDTHxHEIGHT,LEFT,TOP[,GAPX,GAPY]` in millimetres.
  ///
  /// `label`, when given with a named or numbered layout, must be its label size.
  public static func named(_ text: String, label: LabelTemplate? = nil) throws(LabelError)
    -> SheetLayout
  {
    let spec = text.lowercased().replacingOccurrences(of: "×", with: "x")
    func refuse(_ reason: String) -> LabelError {
      .invalidOption(name: "sheet", value: text, reason: reason)
    }
    func grid(_ part: Substring) -> (Int, Int)? {
      let numbers = part.split(separator: "x").compactMap { Int($0) }
      return numbers.count == 2 ? (numbers[0], numbers[1]) : nil
    }
    let layout: SheetLayout
    let parts = spec.split(separator: ",", omittingEmptySubsequences: false)
    if let entry = table.first(where: { $0.layoutName == spec })
      ?? table.filter({ $0.layoutName.hasPrefix(spec + "-") }).onlyOne
    {
      layout = try SheetLayout(
        columns: entry.columns, rows: entry.rows,
        label: LabelTemplate.custom(width: entry.width, height: entry.height), gapX: entry.gapX,
        gapY: entry.gapY, marginLeft: entry.left, marginTop: entry.top)
    } else if parts.count >= 4 {
      guard let (columns, rows) = grid(parts[0]) else {
        throw refuse("must begin with COLUMNSxROWS, e.g. 3x8,70x37,0,0.5")
      }
      let numbers = parts[2...].map { Double($0) }
      guard parts.count == 4 || parts.count == 6, numbers.allSatisfy({ $0 != nil }) else {
        throw refuse(
          "must be COLUMNSxROWS,WIDTHxHEIGHT,LEFT,TOP or COLUMNSxROWS,WIDTHxHEIGHT,LEFT,TOP,GAPX,GAPY in mm"
        )
      }
      let size = try LabelTemplate.named(String(parts[1]))
      layout = try SheetLayout(
        columns: columns, rows: rows, label: size, gapX: numbers.count == 4 ? numbers[2]! : 0,
        gapY: numbers.count == 4 ? numbers[3]! : 0, marginLeft: numbers[0]!,
        marginTop: numbers[1]!)
    } else if parts.count == 1, let (columns, rows) = grid(parts[0]) {
      guard let label else {
        let known = table.filter { $0.layoutName.hasPrefix(spec + "-") }.map(\.layoutName)
        throw refuse(
          known.isEmpty
            ? "needs --template, the size of the labels on the sheet (e.g. 70x37)"
            : "is the grid of \(known.joined(separator: " and ")): name one in --sheet, or give --template"
        )
      }
      return try SheetLayout(columns: columns, rows: rows, label: label)
    } else {
      throw refuse(
        "is not a layout: name one of \(layoutNames.joined(separator: ", ")), or give COLUMNSxROWS with --template, or COLUMNSxROWS,WIDTHxHEIGHT,LEFT,TOP[,GAPX,GAPY]"
      )
    }
    if let label,
      label.widthMillimetres != layout.label.widthMillimetres
        || label.heightMillimetres != layout.label.heightMillimetres
    {
      throw refuse(
        "holds labels of \(layout.label.name) mm, not the --template \(label.name) mm; leave --template out"
      )
    }
    return layout
  }

  /// This layout with every label moved `x` mm right and `y` mm down; the labels must stay
  /// on the page.
  public func offset(x: Double, y: Double) throws(LabelError) -> SheetLayout {
    var moved = self
    moved.offsetX = x
    moved.offsetY = y
    let (left, top) = moved.origin(of: 0)
    let (right, bottom) = moved.origin(of: perPage - 1)
    guard left >= -1e-9, top >= -1e-9,
      right + label.widthMillimetres <= pageWidth + 1e-9,
      bottom + label.heightMillimetres <= pageHeight + 1e-9
    else {
      throw .invalidOption(
        name: "offset", value: "\(ModuleSize.format(x)),\(ModuleSize.format(y)) mm",
        reason: "moves the labels of \(name) off the page")
    }
    return moved
  }
}

extension Array {
  /// The one element, when there is exactly one.
  fileprivate var onlyOne: Element? { count == 1 ? first : nil }
}
