import Foundation

/// Sets text in a font onto a bitmap: Unicode NFC first, so Vietnamese letters typed with
/// combining marks render as their precomposed glyphs instead of overlapping marks.
struct TextRenderer {
  let font: Font

  /// `text` in NFC, as it will be drawn.
  static func normalized(_ text: String) -> String { text.precomposedStringWithCanonicalMapping }

  /// The width of `text` in pixels at the font's current size.
  func width(of text: String) throws(LabelError) -> Int {
    var width = 0
    var previous: Unicode.Scalar?
    for scalar in Self.normalized(text).unicodeScalars {
      if let previous { width += font.kerning(previous, scalar) }
      width += try font.glyph(scalar).advance
      previous = scalar
    }
    return width
  }

  /// Characters of `text` the font has no glyph for.
  func missingGlyphs(in text: String) -> [Unicode.Scalar] {
    Self.normalized(text).unicodeScalars.filter {
      !$0.properties.isWhitespace && !font.hasGlyph($0)
    }
  }

  /// Draws `text` with its baseline at `y`, from `x`, darkening the bitmap by each glyph's
  /// coverage (anti-aliased).
  func draw(_ text: String, x: Int, baseline y: Int, into bitmap: inout Bitmap) throws(LabelError) {
    var pen = x
    var previous: Unicode.Scalar?
    for scalar in Self.normalized(text).unicodeScalars {
      if let previous { pen += font.kerning(previous, scalar) }
      let glyph = try font.glyph(scalar)
      for row in 0..<glyph.rows {
        let targetY = y - glyph.top + row
        guard targetY >= 0, targetY < bitmap.height else { continue }
        for column in 0..<glyph.width {
          let targetX = pen + glyph.left + column
          guard targetX >= 0, targetX < bitmap.width else { continue }
          let coverage = glyph.coverage[row * glyph.width + column]
          if coverage > 0 {
            let shade = UInt8(255 - Int(coverage))
            bitmap[targetX, targetY] = min(bitmap[targetX, targetY], shade)
          }
        }
      }
      pen += glyph.advance
      previous = scalar
    }
  }

  /// Breaks `text` into lines no wider than `width` pixels, at spaces; nil if a single word
  /// is wider than that.
  func wrap(_ text: String, width: Int) throws(LabelError) -> [String]? {
    var lines: [String] = []
    var current = ""
    for word in Self.normalized(text).split(separator: " ", omittingEmptySubsequences: true) {
      let candidate = current.isEmpty ? String(word) : current + " " + word
      if try self.width(of: candidate) <= width {
        current = candidate
      } else {
        guard try self.width(of: String(word)) <= width else { return nil }
        if !current.isEmpty { lines.append(current) }
        current = String(word)
      }
    }
    if !current.isEmpty { lines.append(current) }
    return lines
  }
}
