import CFreeType
import Foundation

/// A TrueType font rendered by FreeType, with its glyphs cached as Swift values. This file
/// is the only one that calls FreeType; its handles never leave it.
///
/// A font is not shared between threads (FreeType faces are not thread-safe): each
/// thread that renders labels opens its own.
public final class Font {
  /// DejaVu Sans from Debian's fonts-dejavu-core: every precomposed Vietnamese letter.
  public static let defaultRegular = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
  /// Its bold face.
  public static let defaultBold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

  /// One rendered glyph: anti-aliased coverage, 0 none to 255 full.
  struct Glyph {
    let width: Int
    let rows: Int
    let left: Int
    let top: Int
    let advance: Int
    let coverage: [UInt8]
  }

  private var library: FT_Library?
  private var face: FT_Face?
  private var size = 0
  /// Rendered glyphs and kerning by size: a print run sets the same few sizes on every
  /// label, and rasterising (with hinting) is the costly part.
  private var glyphs: [Int: [UInt32: Glyph]] = [:]
  private var kernings: [Int: [UInt64: Int]] = [:]
  /// ASCII glyphs and kerning at the current size, by index: element strings, lot codes
  /// and dates are ASCII, and a table is faster than two dictionary lookups a letter.
  private final class ASCIITable {
    var glyphs = [Glyph?](repeating: nil, count: 128)
    var kerning = [Int16](repeating: .min, count: 128 * 128)
  }
  private var asciiTables: [Int: ASCIITable] = [:]
  private var ascii = ASCIITable()
  /// The font file.
  public let path: String

  /// Opens the TrueType or OpenType font at `path`.
  public init(path: String) throws(LabelError) {
    self.path = path
    guard FileManager.default.isReadableFile(atPath: path) else {
      throw .invalidOption(name: "font", value: path, reason: "does not exist or cannot be read")
    }
    guard FT_Init_FreeType(&library) == 0, let library else {
      throw .library(name: "FreeType", reason: "could not start")
    }
    guard FT_New_Face(library, path, 0, &face) == 0, face != nil else {
      FT_Done_FreeType(library)
      self.library = nil
      throw .invalidOption(name: "font", value: path, reason: "is not a font FreeType can read")
    }
  }

  deinit {
    if let face { FT_Done_Face(face) }
    if let library { FT_Done_FreeType(library) }
  }

  /// The FreeType face, for the PDF writer's cairo font, which keeps this font alive for
  /// as long as it uses the face and is then its only user.
  var faceHandle: OpaquePointer? { face.map { OpaquePointer($0) } }

  /// Sets the size: the em square in pixels.
  func setSize(pixels: Int) throws(LabelError) {
    guard pixels != size else { return }
    guard let face, FT_Set_Pixel_Sizes(face, 0, UInt32(pixels)) == 0 else {
      throw .library(name: "FreeType", reason: "cannot set \(path) to \(pixels) pixels")
    }
    size = pixels
    if let table = asciiTables[pixels] {
      ascii = table
    } else {
      ascii = ASCIITable()
      asciiTables[pixels] = ascii
    }
  }

  /// The line height at the current size, in pixels.
  var lineHeight: Int {
    guard let metrics = face?.pointee.size.pointee.metrics else { return size }
    return Int((metrics.height + 63) >> 6)
  }

  /// The ascender at the current size, in pixels.
  var ascender: Int {
    guard let metrics = face?.pointee.size.pointee.metrics else { return size }
    return Int((metrics.ascender + 63) >> 6)
  }

  /// Whether the font has a glyph for `scalar`.
  func hasGlyph(_ scalar: Unicode.Scalar) -> Bool {
    guard let face else { return false }
    return FT_Get_Char_Index(face, FT_ULong(scalar.value)) != 0
  }

  /// The rendered glyph for `scalar` at the current size.
  func glyph(_ scalar: Unicode.Scalar) throws(LabelError) -> Glyph {
    if scalar.value < 128, let cached = ascii.glyphs[Int(scalar.value)] { return cached }
    if let cached = glyphs[size]?[scalar.value] { return cached }
    guard let face else { throw .library(name: "FreeType", reason: "no face") }
    let index = FT_Get_Char_Index(face, FT_ULong(scalar.value))
    guard FT_Load_Glyph(face, index, ocop_ft_load_render()) == 0, let slot = face.pointee.glyph
    else {
      throw .library(
        name: "FreeType",
        reason: "cannot render U+\(String(scalar.value, radix: 16, uppercase: true))")
    }
    let bitmap = slot.pointee.bitmap
    let width = Int(bitmap.width)
    let rows = Int(bitmap.rows)
    var coverage = [UInt8](repeating: 0, count: width * rows)
    if let buffer = bitmap.buffer, width > 0 {
      let pitch = Int(bitmap.pitch)
      for row in 0..<rows {
        for column in 0..<width { coverage[row * width + column] = buffer[row * pitch + column] }
      }
    }
    let glyph = Glyph(
      width: width, rows: rows, left: Int(slot.pointee.bitmap_left),
      top: Int(slot.pointee.bitmap_top),
      advance: Int((slot.pointee.advance.x + 32) >> 6), coverage: coverage)
    glyphs[size, default: [:]][scalar.value] = glyph
    if scalar.value < 128 { ascii.glyphs[Int(scalar.value)] = glyph }
    return glyph
  }

  /// The kerning between two letters, in pixels.
  func kerning(_ left: Unicode.Scalar, _ right: Unicode.Scalar) -> Int {
    if left.value < 128 && right.value < 128 {
      let index = Int(left.value) << 7 | Int(right.value)
      let cached = ascii.kerning[index]
      if cached != .min { return Int(cached) }
      let value = uncachedKerning(left, right)
      ascii.kerning[index] = Int16(clamping: value)
      return value
    }
    let key = UInt64(left.value) << 32 | UInt64(right.value)
    if let cached = kernings[size]?[key] { return cached }
    let value = uncachedKerning(left, right)
    kernings[size, default: [:]][key] = value
    return value
  }

  private func uncachedKerning(_ left: Unicode.Scalar, _ right: Unicode.Scalar) -> Int {
    guard let face, ocop_ft_has_kerning(face) != 0 else { return 0 }
    var vector = FT_Vector()
    let first = FT_Get_Char_Index(face, FT_ULong(left.value))
    let second = FT_Get_Char_Index(face, FT_ULong(right.value))
    guard FT_Get_Kerning(face, first, second, UInt32(FT_KERNING_DEFAULT.rawValue), &vector) == 0
    else { return 0 }
    return Int((vector.x + 32) >> 6)
  }
}

@available(*, unavailable)
extension Font: Sendable {}
