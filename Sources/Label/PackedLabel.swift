/// A label already in print form: rows one bit a pixel, as the PNG file holds them (most
/// significant bit first, 1 for white), and where its code lies.
public struct PackedLabel: Hashable, Sendable {
  /// Pixels across and down.
  public let width: Int
  public let height: Int
  /// Bytes a row.
  public let stride: Int
  /// The rows.
  public var rows: [UInt8]
  /// The code's square, quiet zone included, in dots: its top-left corner and side.
  public let codeX: Int
  public let codeY: Int
  public let codeSide: Int

  /// Makes the square from (`x`, `y`), `side` dots, white.
  public mutating func clear(x: Int, y: Int, side: Int) {
    for row in y..<min(height, y + side) {
      for dot in x..<min(width, x + side) {
        rows[row * stride + dot / 8] |= 0x80 >> UInt8(dot % 8)
      }
    }
  }

  /// The code's square as a grayscale bitmap, pixel for pixel as printed: what the
  /// read-back check decodes.
  public func codeBitmap() -> Bitmap {
    Bitmap(
      square: (codeX, codeY, codeSide), ofRows: rows, stride: stride, width: width, height: height)
  }
}

extension Bitmap {
  /// The square from (`x`, `y`), `side` dots, of rows packed one bit a dot (most
  /// significant bit first, 1 for white), `width` × `height` dots: black and white.
  init(
    square: (x: Int, y: Int, side: Int), ofRows rows: [UInt8], stride: Int, width: Int,
    height: Int
  ) {
    let (x, y, side) = square
    self.init(width: side, height: side)
    for row in 0..<side where y + row < height {
      for column in 0..<side where x + column < width {
        let dot = x + column
        if rows[(y + row) * stride + dot / 8] & (0x80 >> UInt8(dot % 8)) == 0 {
          self[column, row] = 0
        }
      }
    }
  }
}

extension LabelRenderer {
  /// The label in print form, exactly ``draw(_:)`` thresholded by
  /// ``Bitmap/packedOneBit()``, made without drawing the whole label in gray: the text
  /// column is drawn and packed once for the labels that share it, and each label adds its
  /// code's modules as bits and its element string.
  public func drawPacked(_ layout: LabelLayout) throws(LabelError) -> PackedLabel {
    var label = try packedColumn(layout)
    let dots = layout.dotsPerModule
    let symbol = layout.symbol
    // Each row of modules as one row of bits (0 for a dark module's dots), placed at the
    // code's left edge, then ANDed into each of the row's dots.
    let firstByte = layout.codeX / 8
    let shift = layout.codeX % 8
    let byteCount = (shift + label.codeSide + 7) / 8
    var mask = [UInt8](repeating: 0xFF, count: byteCount)
    for row in 0..<symbol.width {
      for index in 0..<byteCount { mask[index] = 0xFF }
      var darkInRow = false
      for column in 0..<symbol.width where symbol.isDark(row: row, column: column) {
        darkInRow = true
        let start = shift + (column + 4) * dots
        for bit in start..<(start + dots) { mask[bit >> 3] &= ~(0x80 >> UInt8(bit & 7)) }
      }
      guard darkInRow else { continue }
      let y = layout.codeY + (row + 4) * dots
      label.rows.withUnsafeMutableBufferPointer { rows in
        for dot in 0..<dots where y + dot < label.height {
          let start = (y + dot) * label.stride + firstByte
          for index in 0..<min(byteCount, label.stride - firstByte) {
            rows[start + index] &= mask[index]
          }
        }
      }
    }
    // The element string under the code, drawn on a strip from the top of its highest line,
    // an em wider than the code on each side (a glyph's side bearing may reach past it),
    // starting on a whole byte so that its packed rows AND straight in.
    let codeLines = layout.lines[..<layout.codeTextLines]
    if let highest = codeLines.map({ $0.baseline - $0.size }).min() {
      let top = max(0, highest)
      let slack = codeLines.map(\.size).max() ?? 0
      let left = max(0, layout.codeX - slack) / 8 * 8
      let right = min(layout.width, layout.codeX + label.codeSide + slack)
      var strip = Bitmap(width: right - left, height: max(1, layout.height - top))
      let shifted = codeLines.map {
        LabelLayout.Line(
          text: $0.text, bold: $0.bold, size: $0.size, x: $0.x - left,
          baseline: $0.baseline - top, room: $0.room)
      }
      try drawLines(shifted[...], into: &strip)
      let (packed, stripStride) = strip.packedOneBit()
      label.rows.withUnsafeMutableBufferPointer { rows in
        for row in 0..<strip.height where top + row < label.height {
          let target = (top + row) * label.stride + left / 8
          let source = row * stripStride
          for index in 0..<stripStride { rows[target + index] &= packed[source + index] }
        }
      }
    }
    return label
  }
}
