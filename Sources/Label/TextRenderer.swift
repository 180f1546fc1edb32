import Foundation

/// Sets text in a font onto a bitmap: Unicode NFC first, so Vietnamese letters typed with
/// combining marks render as their precomposed glyphs instead of overlapping marks.
struct TextRenderer {
  let font: Font

  /// `text` in NFC, as it will be drawn.
  /// Text whose every character lies below U+0300 or among the precomposed Vietnamese
  /// letters (U+1E00–U+1EFF) is already NFC and is returned as it is.
  static func normalized(_ text: String) -> String {
    let composed = text.unicodeScalars.allSatisfy {
      $0.value < 0x300 || (0x1E00...0x1EFF).contains($0.value)
    }
    return composed ? text : text.precomposedStringWithCanonicalMapping
  }

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
    let width = bitmap.width
    let height = bitmap.height
    for scalar in Self.normalized(text).unicodeScalars {
      if let previous { pen += font.kerning(previous, scalar) }
      let glyph = try font.glyph(scalar)
      // The glyph's rows and columns that fall inside the bitmap.
      let left = pen + glyph.left
      let top = y - glyph.top
      let columns = max(0, -left)..<min(glyph.width, width - left)
      let rows = max(0, -top)..<min(glyph.rows, height - top)
      if !columns.isEmpty && !rows.isEmpty {
        glyph.coverage.withUnsafeBufferPointer { coverage in
          bitmap.pixels.withUnsafeMutableBufferPointer { pixels in
            for row in rows {
              let source = row * glyph.width
              let target = (top + row) * width + left
              for column in columns {
                let value = coverage[source + column]
                if value > 0 {
                  let shade = 255 &- value
                  if shade < pixels[target + column] { pixels[target + column] = shade }
                }
              }
            }
          }
        }
      }
      pen += glyph.advance
      previous = scalar
    }
  }

  /// The width of already-normalised scalars, with their kerning.
  private func width(of scalars: Substring.UnicodeScalarView) throws(LabelError) -> Int {
    var width = 0
    var previous: Unicode.Scalar?
    for scalar in scalars {
      if let previous { width += font.kerning(previous, scalar) }
      width += try font.glyph(scalar).advance
      previous = scalar
    }
    return width
  }

  /// Breaks `text` into lines no wider than `width` pixels, at spaces; nil if a single word
  /// is wider than that. Each word is measured once; a line grows by the space and the
  /// word with the kerning at both joins, so the widths are exact.
  func wrap(_ text: String, width: Int) throws(LabelError) -> [String]? {
    try wrap(text) { _ in width }
  }

  /// `text` broken into lines at spaces, line `n` at most `width(n)` dots wide (nil: no
  /// more room); nil when a word does not fit its line.
  func wrap(_ text: String, width: (Int) -> Int?) throws(LabelError) -> [String]? {
    let space: Unicode.Scalar = " "
    let spaceAdvance = try font.glyph(space).advance
    var lines: [String] = []
    var current = ""
    var currentWidth = 0
    var last: Unicode.Scalar?
    for word in Self.normalized(text).split(separator: " ", omittingEmptySubsequences: true) {
      let scalars = word.unicodeScalars
      let wordWidth = try self.width(of: scalars)
      guard let lineWidth = width(lines.count), wordWidth <= lineWidth, let first = scalars.first
      else { return nil }
      if let last {
        let joined =
          currentWidth + font.kerning(last, space) + spaceAdvance + font.kerning(space, first)
          + wordWidth
        if joined <= lineWidth {
          current += " " + word
          currentWidth = joined
        } else {
          lines.append(current)
          guard let nextWidth = width(lines.count), wordWidth <= nextWidth else { return nil }
          current = String(word)
          currentWidth = wordWidth
        }
      } else {
        current = String(word)
        currentWidth = wordWidth
      }
      last = scalars.last
    }
    if !current.isEmpty { lines.append(current) }
    return lines
  }
}
