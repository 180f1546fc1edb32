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

  /// Lays `labels` (each drawn at `dpi` for this layout's label size) out on pages.
  public func pages(_ labels: [Bitmap], dpi: Int) throws(LabelError) -> [Bitmap] {
    let scale = Double(dpi) / 25.4
    func pixels(_ millimetres: Double) -> Int { Int((millimetres * scale).rounded()) }
    var pages: [Bitmap] = []
    for first in stride(from: 0, to: labels.count, by: perPage) {
      var page = Bitmap(width: pixels(pageWidth), height: pixels(pageHeight))
      for (index, label) in labels[first..<min(first + perPage, labels.count)].enumerated() {
        let x = Int(
          (marginLeft + Double(index % columns) * (self.label.widthMillimetres + gapX)) * scale)
        let y = Int(
          (marginTop + Double(index / columns) * (self.label.heightMillimetres + gapY)) * scale)
        // A label drawn at this size may overrun the page edge by the one pixel that
        // rounding gives; more than that is a label of another size.
        guard x + label.width <= page.width + 1, y + label.height <= page.height + 1 else {
          throw .invalidOption(
            name: "label", value: "\(first + index + 1)",
            reason: "is larger than its place on the sheet")
        }
        let copyWidth = min(label.width, page.width - x)
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
