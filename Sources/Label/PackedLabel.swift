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

  /// Blackens `count` pixels of row `y` from `x`.
  mutating func clear(row y: Int, from x: Int, count: Int) {
    guard count > 0 else { return }
    rows.withUnsafeMutableBufferPointer { rows in
      let start = y * stride
      var x = x
      let end = x + count
      // Leading bits up to a byte boundary, whole bytes, then trailing bits.
      while x < end && x % 8 != 0 {
        rows[start + x / 8] &= ~(0x80 >> UInt8(x % 8))
        x += 1
      }
      while x + 8 <= end {
        rows[start + x / 8] = 0
        x += 8
      }
      while x < end {
        rows[start + x / 8] &= ~(0x80 >> UInt8(x % 8))
        x += 1
      }
    }
  }

  /// Blackens every pixel of `bitmap` darker than mid-gray, placed with its top-left corner
  /// at `x`, `y`: the same threshold as ``Bitmap/packedOneBit()``.
  mutating func darken(with bitmap: Bitmap, x: Int, y: Int) {
    let width = width
    let height = height
    let stride = stride
    bitmap.pixels.withUnsafeBytes { source in
      rows.withUnsafeMutableBufferPointer { rows in
        for row in 0..<bitmap.height where y + row >= 0 && y + row < height {
          let input = row * bitmap.width
          let output = (y + row) * stride
          var column = 0
          while column < bitmap.width {
            // Eight white pixels (top bits all set) are passed over at once.
            if column + 8 <= bitmap.width {
              let word = source.loadUnaligned(fromByteOffset: input + column, as: UInt64.self)
              if word & 0x8080_8080_8080_8080 == 0x8080_8080_8080_8080 {
                column += 8
                continue
              }
            }
            let target = x + column
            if source[input + column] < 128 && target >= 0 && target < width {
              rows[output + target / 8] &= ~(0x80 >> UInt8(target % 8))
            }
            column += 1
          }
        }
      }
    }
  }

  /// The code's square as a grayscale bitmap, pixel for pixel as printed: what the
  /// read-back check decodes.
  public func codeBitmap() -> Bitmap {
    var bitmap = Bitmap(width: codeSide, height: codeSide)
    for row in 0..<codeSide where codeY + row < height {
      for column in 0..<codeSide where codeX + column < width {
        let x = codeX + column
        if rows[(codeY + row) * stride + x / 8] & (0x80 >> UInt8(x % 8)) == 0 {
          bitmap[column, row] = 0
        }
      }
    }
    return bitmap
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
    // Each dark run of modules in a row of the code, as bits in that row's dots.
    for row in 0..<symbol.width {
      var column = 0
      while column < symbol.width {
        guard symbol.isDark(row: row, column: column) else {
          column += 1
          continue
        }
        let start = column
        while column < symbol.width && symbol.isDark(row: row, column: column) { column += 1 }
        let y = layout.codeY + (row + 4) * dots
        for dot in 0..<dots {
          label.clear(
            row: y + dot, from: layout.codeX + (start + 4) * dots, count: (column - start) * dots)
        }
      }
    }
    // The element string under the code, drawn on a strip from the top of its highest line,
    // an em wider than the code on each side (a glyph's side bearing may reach past it).
    let codeLines = layout.lines[..<layout.codeTextLines]
    if let highest = codeLines.map({ $0.baseline - $0.size }).min() {
      let top = max(0, highest)
      let slack = codeLines.map(\.size).max() ?? 0
      let left = max(0, layout.codeX - slack)
      let right = min(layout.width, layout.codeX + label.codeSide + slack)
      var strip = Bitmap(width: right - left, height: max(1, layout.height - top))
      let shifted = codeLines.map {
        LabelLayout.Line(
          text: $0.text, bold: $0.bold, size: $0.size, x: $0.x - left,
          baseline: $0.baseline - top)
      }
      try drawLines(shifted[...], into: &strip)
      label.darken(with: strip, x: left, y: top)
    }
    return label
  }
}
