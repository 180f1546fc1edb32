/// Lays out and draws package labels: the QR code with its quiet zone on the left, the
/// element string under it, and the label text beside it.
///
/// Text is set in DejaVu Sans by default (any TTF by option), in Unicode NFC. Text that
/// does not fit shrinks, all together, down to a legible minimum; below that the label is
/// refused with the field that does not fit. Nothing is cut off, and no text enters the
/// code's quiet zone.
public final class LabelRenderer {
  private let regular: Font
  private let bold: Font
  /// The largest text size, in points.
  public let largestPoints = 8.0
  /// The smallest legible text size, in points (about 1.8 mm).
  public let smallestPoints = 5.0
  /// The last text column laid out, and the last one drawn: the labels of a print run
  /// share every field but the code and its element string, so each is set once per run.
  private var drawnCache: (key: DrawnKey, bitmap: Bitmap)?
  private var packedCache: (key: DrawnKey, label: PackedLabel)?

  private var fieldCache: (key: FieldKey, lines: [LabelLayout.Line], moved: [String])?

  private struct FieldKey: Equatable {
    let fields: [String]
    let regions: [Region]
    let dpi: Double
    let template: String
    let keepAll: Bool
  }

  private struct DrawnKey: Equatable {
    let width, height: Int
    let lines: ArraySlice<LabelLayout.Line>
    let mark: OCOPMark?
  }

  /// A part of the label text flows through, top to bottom: beside the code (narrower
  /// beside the OCOP mark), then under the code across the label.
  struct Region: Equatable {
    let x, top, width, bottom: Int
  }

  /// A renderer with the given regular and bold fonts.
  public init(regularFont: String = Font.defaultRegular, boldFont: String = Font.defaultBold)
    throws(LabelError)
  {
    regular = try Font(path: regularFont)
    bold = try Font(path: boldFont)
  }

  /// Where everything on a label goes, in printer dots: the code and every line of text.
  public func layout(
    _ content: LabelContent, symbol: QRSymbol, module: ModuleSize, template: LabelTemplate
  ) throws(LabelError) -> LabelLayout {
    var content = content
    let dpi = Double(module.dpi)
    func pixels(_ millimetres: Double) -> Int { Int((millimetres * dpi / 25.4).rounded()) }
    let width = pixels(template.widthMillimetres)
    let height = pixels(template.heightMillimetres)
    let margin = pixels(1.0)
    // The code, quiet zone included, sits at the top left inside the margin.
    let codeSide = (symbol.width + 8) * module.dots
    guard codeSide + 2 * margin <= width, codeSide + 2 * margin <= height else {
      throw .invalidOption(
        name: "label size", value: "\(template.name) mm",
        reason:
          "the QR code with its quiet zone is \(ModuleSize.format(Double(codeSide) * 25.4 / dpi)) mm "
          + "square and does not fit; use a larger label, a smaller module or a shorter URL")
    }
    // The element string under the code, as wide as the code (shrinking, then wrapping).
    var lines = try layOutElementString(
      content.elementString, x: margin, top: margin + codeSide, width: codeSide,
      maxBottom: height - margin, dpi: dpi)
    // The text column to the right of the code's quiet zone, narrower beside the OCOP
    // mark at its top right; then, below the code and its element string, the label's
    // whole width.
    let columnX = margin + codeSide + pixels(0.5)
    let codeTextLines = lines.count
    let codeBottom =
      lines.last.map { $0.baseline + Int((Double($0.size) * 0.3).rounded(.up)) }
      ?? margin + codeSide
    var mark: OCOPMark?
    var markLine: LabelLayout.Line?
    if let stars = content.ocopStars, (3...5).contains(stars) {
      let side = OCOPMark.side(labelHeight: height, dpi: module.dpi)
      if width - columnX - margin >= side + pixels(8) {
        let placed = OCOPMark(x: width - margin - side, y: margin, side: side, stars: stars)
        // The word inside the ring, as wide as fits: 70% of the ring's inside.
        var wordSize = placed.wordSize
        try bold.setSize(pixels: wordSize)
        var wordWidth = try TextRenderer(font: bold).width(of: "OCOP")
        let room = Int(placed.innerRadius * 1.4)
        if wordWidth > room {
          wordSize = max(4, wordSize * room / wordWidth)
          try bold.setSize(pixels: wordSize)
          wordWidth = try TextRenderer(font: bold).width(of: "OCOP")
        }
        mark = placed
        markLine = LabelLayout.Line(
          text: "OCOP", bold: true, size: wordSize,
          x: Int(placed.centre.x.rounded()) - wordWidth / 2, baseline: placed.wordBaseline,
          room: room)
      }
    }
    content.starsAsText = content.ocopStars != nil && mark == nil
    var regions: [Region] = []
    let columnWidth = width - columnX - margin
    var top = margin
    if let mark {
      regions.append(
        Region(
          x: columnX, top: top, width: columnWidth - mark.side - pixels(1),
          bottom: mark.y + mark.side + pixels(0.5)))
      // Below the ring's lowest point the column is whole again; a line a little above
      // it clears the ring, which curves away from the text.
      top = mark.y + mark.side - pixels(1)
    }
    let below = codeBottom + pixels(0.5)
    if below + pixels(2) <= height - margin {
      regions.append(Region(x: columnX, top: top, width: columnWidth, bottom: max(top, below)))
      regions.append(
        Region(x: margin, top: max(top, below), width: width - 2 * margin, bottom: height - margin))
    } else {
      regions.append(Region(x: columnX, top: top, width: columnWidth, bottom: height - margin))
    }
    let key = FieldKey(
      fields: content.fields().map { ($0.bold ? "b:" : "r:") + $0.text }, regions: regions,
      dpi: dpi, template: template.name, keepAll: content.keepAllOnLabel)
    var moved: [String] = []
    if let cached = fieldCache, cached.key == key {
      lines += cached.lines
      moved = cached.moved
    } else {
      let (fields, movedFields) = try layOutFields(
        content, regions: regions, dpi: dpi, template: template)
      fieldCache = (key, fields, movedFields)
      lines += fields
      moved = movedFields
    }
    if let markLine { lines.append(markLine) }
    var layout = LabelLayout(
      width: width, height: height, dpi: module.dpi, symbol: symbol, dotsPerModule: module.dots,
      codeX: margin, codeY: margin, lines: lines, codeTextLines: codeTextLines)
    layout.mark = mark
    layout.movedToPage = moved
    return layout
  }

  /// The drawn label, 8-bit gray at the module's resolution (anti-aliased text). Print it
  /// as a 1-bit PNG for a thermal printer, as 8-bit for a screen preview.
  public func render(
    _ content: LabelContent, symbol: QRSymbol, module: ModuleSize, template: LabelTemplate
  ) throws(LabelError) -> Bitmap {
    try draw(layout(content, symbol: symbol, module: module, template: template))
  }

  /// Draws a layout.
  public func draw(_ layout: LabelLayout) throws(LabelError) -> Bitmap {
    // The text column on its own, drawn once and copied for each label that shares it.
    let key = DrawnKey(
      width: layout.width, height: layout.height,
      lines: layout.lines[layout.codeTextLines...], mark: layout.mark)
    var label: Bitmap
    if let cached = drawnCache, cached.key == key {
      label = cached.bitmap
    } else {
      label = Bitmap(width: layout.width, height: layout.height)
      try drawLines(key.lines, into: &label)
      if let mark = layout.mark { label.fill(mark.polygons) }
      drawnCache = (key, label)
    }
    // Dark modules straight onto the label; the quiet zone is the label's white.
    let dots = layout.dotsPerModule
    let symbol = layout.symbol
    for row in 0..<symbol.width {
      for column in 0..<symbol.width where symbol.isDark(row: row, column: column) {
        label.fillBlack(
          x: layout.codeX + (column + 4) * dots, y: layout.codeY + (row + 4) * dots, width: dots,
          height: dots)
      }
    }
    try drawLines(layout.lines[..<layout.codeTextLines], into: &label)
    return label
  }

  /// The text column of `layout` alone, packed one bit a pixel: drawn once for the labels
  /// that share it.
  func packedColumn(_ layout: LabelLayout) throws(LabelError) -> PackedLabel {
    let key = DrawnKey(
      width: layout.width, height: layout.height,
      lines: layout.lines[layout.codeTextLines...], mark: layout.mark)
    let codeSide = (layout.symbol.width + 8) * layout.dotsPerModule
    if let cached = packedCache, cached.key == key, cached.label.codeX == layout.codeX,
      cached.label.codeY == layout.codeY, cached.label.codeSide == codeSide
    {
      return cached.label
    }
    var column = Bitmap(width: layout.width, height: layout.height)
    try drawLines(key.lines, into: &column)
    if let mark = layout.mark { column.fill(mark.polygons) }
    let (rows, stride) = column.packedOneBit()
    let label = PackedLabel(
      width: layout.width, height: layout.height, stride: stride, rows: rows, codeX: layout.codeX,
      codeY: layout.codeY, codeSide: codeSide)
    packedCache = (key, label)
    return label
  }

  func drawLines(_ lines: ArraySlice<LabelLayout.Line>, into label: inout Bitmap)
    throws(LabelError)
  {
    for line in lines {
      let font = line.bold ? bold : regular
      try font.setSize(pixels: line.size)
      try TextRenderer(font: font).draw(line.text, x: line.x, baseline: line.baseline, into: &label)
    }
  }

  private func layOutElementString(
    _ text: String, x: Int, top: Int, width: Int, maxBottom: Int, dpi: Double
  ) throws(LabelError) -> [LabelLayout.Line] {
    let renderer = TextRenderer(font: regular)
    var points = 6.0
    while points >= 4.0 {
      let size = Self.pixels(points: points, dpi: dpi)
      try regular.setSize(pixels: size)
      // Break before an AI: "(01)…(10)…" wraps before a "(" when it must.
      let lines = try wrapElementString(text, width: width, renderer: renderer)
      let lineHeight = regular.lineHeight
      if let lines, top + lines.count * lineHeight <= maxBottom {
        let ascender = regular.ascender
        return lines.enumerated().map { index, line in
          LabelLayout.Line(
            text: line, bold: false, size: size, x: x,
            baseline: top + ascender + index * lineHeight, room: width)
        }
      }
      points -= 0.5
    }
    throw .invalidOption(name: "element string", value: text, reason: "does not fit under the code")
  }

  private func wrapElementString(_ text: String, width: Int, renderer: TextRenderer)
    throws(LabelError) -> [String]?
  {
    var pieces: [String] = []
    var current = ""
    for character in text {
      if character == "(", !current.isEmpty {
        pieces.append(current)
        current = ""
      }
      current.append(character)
    }
    if !current.isEmpty { pieces.append(current) }
    // Each piece measured once; a line grows by the piece and the kerning at the join.
    var lines: [String] = []
    var line = ""
    var lineWidth = 0
    for piece in pieces {
      let pieceWidth = try renderer.width(of: piece)
      let joined =
        line.isEmpty
        ? pieceWidth
        : lineWidth + regular.kerning(line.unicodeScalars.last!, piece.unicodeScalars.first!)
          + pieceWidth
      if joined <= width {
        line += piece
        lineWidth = joined
      } else {
        guard pieceWidth <= width else { return nil }
        lines.append(line)
        line = piece
        lineWidth = pieceWidth
      }
    }
    if !line.isEmpty { lines.append(line) }
    return lines
  }

  /// The label's text laid out through `regions`, largest size first; when it does not
  /// fit at the smallest, the contents the law lets a small label give elsewhere go to the
  /// trace page one by one (the last shown first), and the label says so; when even then it
  /// does not fit, or the content must keep everything on the label, the label is refused
  /// with the content that does not fit named. Returns the lines and the contents moved.
  private func layOutFields(
    _ content: LabelContent, regions: [Region], dpi: Double, template: LabelTemplate
  ) throws(LabelError) -> (lines: [LabelLayout.Line], moved: [String]) {
    for field in content.fields() {
      let font = field.bold ? bold : regular
      if let first = TextRenderer(font: font).missingGlyphs(in: field.text).first {
        throw .invalidOption(
          name: field.name, value: field.text,
          reason: "the font \(font.path) has no glyph for U+"
            + String(first.value, radix: 16, uppercase: true))
      }
    }
    var moved: [LabelRules.Field] = []
    let movable = content.keepAllOnLabel ? [] : content.movable()
    while true {
      let fields = content.fields(moving: Set(moved))
      switch try flow(fields, regions: regions, dpi: dpi, template: template) {
      case .success(let lines):
        return (lines, moved.map(\.rawValue))
      case .failure(let failure):
        guard moved.count < movable.count else {
          guard case .invalidOption(let name, let value, let reason) = failure, !moved.isEmpty
          else { throw failure }
          throw .invalidOption(
            name: name, value: value,
            reason: reason
              + ", even with \(moved.map(\.rawValue).joined(separator: ", ")) given on the trace page; use a larger template"
          )
        }
        moved.append(movable[moved.count])
      }
    }
  }

  /// `fields` flowed through `regions` at the largest size that fits (8 down to 5 pt).
  private func flow(
    _ fields: [LabelContent.Field], regions: [Region], dpi: Double, template: LabelTemplate
  ) throws(LabelError) -> Result<[LabelLayout.Line], LabelError> {
    var points = largestPoints
    var failure = "does not fit"
    var failedField: (name: String, text: String)?
    let widest = regions.map(\.width).max() ?? 0
    while points >= smallestPoints - 1e-9 {
      let size = Self.pixels(points: points, dpi: dpi)
      try regular.setSize(pixels: size)
      try bold.setSize(pixels: size)
      var laidOut: [LabelLayout.Line] = []
      // Where the next line goes: a region, and the top of the line in it.
      var region = 0
      var y = regions.first?.top ?? 0
      failedField = nil
      /// The slot of the `n`th line from (`region`, `y`), each `height` high: its region
      /// and top; nil when the regions are full.
      func slot(_ n: Int, from start: (Int, Int), height: Int) -> (Int, Int)? {
        var (index, top) = start
        var placed = -1
        while index < regions.count {
          top = max(top, regions[index].top)
          if top + height <= regions[index].bottom {
            placed += 1
            if placed == n { return (index, top) }
            top += height
          } else {
            index += 1
          }
        }
        return nil
      }
      fieldLoop: for field in fields {
        let font = field.bold ? bold : regular
        let height = font.lineHeight
        let start = (region, y)
        let lines = try TextRenderer(font: font).wrap(field.text) { n in
          slot(n, from: start, height: height).map { regions[$0.0].width }
        }
        guard let lines else {
          let wordTooWide = try TextRenderer(font: font).wrap(field.text, width: widest) == nil
          failure =
            wordTooWide
            ? "has a word wider than the \(template.name) label's text column"
            : "does not fit on the \(template.name) label, even at \(Int(smallestPoints)) pt"
          failedField = (field.name, field.text)
          break fieldLoop
        }
        for (index, line) in lines.enumerated() {
          guard let (at, top) = slot(index, from: start, height: height) else {
            failure =
              "does not fit on the \(template.name) label, even at \(Int(smallestPoints)) pt"
            failedField = (field.name, field.text)
            break fieldLoop
          }
          laidOut.append(
            LabelLayout.Line(
              text: line, bold: field.bold, size: size, x: regions[at].x,
              baseline: top + font.ascender, room: regions[at].width))
          region = at
          y = top + height
        }
      }
      if failedField == nil { return .success(laidOut) }
      points -= 0.5
    }
    return .failure(
      .invalidOption(
        name: failedField?.name ?? "label text", value: failedField?.text ?? "", reason: failure))
  }

  static func pixels(points: Double, dpi: Double) -> Int { Int((points / 72 * dpi).rounded()) }
}

@available(*, unavailable)
extension LabelRenderer: Sendable {}
