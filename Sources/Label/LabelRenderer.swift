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
  private var fieldCache: (key: FieldKey, lines: [LabelLayout.Line])?
  private var drawnCache: (key: DrawnKey, bitmap: Bitmap)?
  private var packedCache: (key: DrawnKey, label: PackedLabel)?

  private struct FieldKey: Equatable {
    let fields: [String]
    let x, top, width, bottom: Int
    let dpi: Double
    let template: String
  }

  private struct DrawnKey: Equatable {
    let width, height: Int
    let lines: ArraySlice<LabelLayout.Line>
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
    // The text column to the right of the code's quiet zone.
    let columnX = margin + codeSide + pixels(0.5)
    let codeTextLines = lines.count
    let key = FieldKey(
      fields: content.fields.map { ($0.bold ? "b:" : "r:") + $0.text }, x: columnX, top: margin,
      width: width - columnX - margin, bottom: height - margin, dpi: dpi, template: template.name)
    if let cached = fieldCache, cached.key == key {
      lines += cached.lines
    } else {
      let fields = try layOutFields(
        content, x: key.x, top: key.top, width: key.width, bottom: key.bottom, dpi: dpi,
        template: template)
      fieldCache = (key, fields)
      lines += fields
    }
    return LabelLayout(
      width: width, height: height, dpi: module.dpi, symbol: symbol, dotsPerModule: module.dots,
      codeX: margin, codeY: margin, lines: lines, codeTextLines: codeTextLines)
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
      lines: layout.lines[layout.codeTextLines...])
    var label: Bitmap
    if let cached = drawnCache, cached.key == key {
      label = cached.bitmap
    } else {
      label = Bitmap(width: layout.width, height: layout.height)
      try drawLines(key.lines, into: &label)
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
      lines: layout.lines[layout.codeTextLines...])
    let codeSide = (layout.symbol.width + 8) * layout.dotsPerModule
    if let cached = packedCache, cached.key == key, cached.label.codeX == layout.codeX,
      cached.label.codeY == layout.codeY, cached.label.codeSide == codeSide
    {
      return cached.label
    }
    var column = Bitmap(width: layout.width, height: layout.height)
    try drawLines(key.lines, into: &column)
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
            text: line, bold: false, size: size, x: x, baseline: top + ascender + index * lineHeight
          )
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

  private func layOutFields(
    _ content: LabelContent, x: Int, top: Int, width: Int, bottom: Int, dpi: Double,
    template: LabelTemplate
  ) throws(LabelError) -> [LabelLayout.Line] {
    let fields = content.fields
    for field in fields {
      let font = field.bold ? bold : regular
      if let first = TextRenderer(font: font).missingGlyphs(in: field.text).first {
        throw .invalidOption(
          name: field.name, value: field.text,
          reason: "the font \(font.path) has no glyph for U+"
            + String(first.value, radix: 16, uppercase: true))
      }
    }
    var points = largestPoints
    var failure = "does not fit"
    var failedField: (name: String, text: String)?
    while points >= smallestPoints - 1e-9 {
      let size = Self.pixels(points: points, dpi: dpi)
      try regular.setSize(pixels: size)
      try bold.setSize(pixels: size)
      var laidOut: [LabelLayout.Line] = []
      var y = top
      failedField = nil
      fieldLoop: for field in fields {
        let font = field.bold ? bold : regular
        guard let lines = try TextRenderer(font: font).wrap(field.text, width: width) else {
          failure = "has a word wider than the \(template.name) label's text column"
          failedField = (field.name, field.text)
          break
        }
        for line in lines {
          guard y + font.lineHeight <= bottom else {
            failure =
              "does not fit on the \(template.name) label, even at \(Int(smallestPoints)) pt"
            failedField = (field.name, field.text)
            break fieldLoop
          }
          laidOut.append(
            LabelLayout.Line(
              text: line, bold: field.bold, size: size, x: x, baseline: y + font.ascender))
          y += font.lineHeight
        }
      }
      if failedField == nil { return laidOut }
      points -= 0.5
    }
    throw .invalidOption(
      name: failedField?.name ?? "label text", value: failedField?.text ?? "", reason: failure)
  }

  static func pixels(points: Double, dpi: Double) -> Int { Int((points / 72 * dpi).rounded()) }
}

@available(*, unavailable)
extension LabelRenderer: Sendable {}
