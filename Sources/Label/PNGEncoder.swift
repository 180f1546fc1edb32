import CPNGWrite

/// PNG files through libpng. This file is the only one that calls it; libpng's errors are
/// caught in C (its classic interface reports them by longjmp) and come back as
/// ``LabelError`` values.
public enum PNGEncoder {
  /// The bit depth of the file.
  public enum Depth: Int, Sendable {
    /// Black and white: what a thermal label printer prints, and the smallest file.
    case oneBit = 1
    /// 256 grays: for screen previews with anti-aliased text.
    case eightBit = 8
  }

  /// How the image data is compressed. Both are lossless and give the same pixels.
  public enum Packing: Sendable {
    /// zlib's default search, unfiltered rows: the smallest file for a code on its own.
    case compact
    /// Rows filtered against the row above and deflated as runs: several times faster on
    /// whole labels and sheets (mostly white runs and repeated rows), files a little larger.
    case runs
  }

  /// Encodes `bitmap` as a grayscale PNG with a pHYs chunk of `pixelsPerMetre`, so it
  /// prints at its true size. The same input always gives the same bytes (no time chunk).
  public static func encode(
    _ bitmap: Bitmap, depth: Depth, pixelsPerMetre: UInt32, packing: Packing = .compact
  ) throws(LabelError) -> [UInt8] {
    guard bitmap.width > 0, bitmap.height > 0 else {
      throw .invalidOption(
        name: "image", value: "\(bitmap.width)×\(bitmap.height)", reason: "is empty")
    }
    let rows: [UInt8]
    let stride: Int
    switch depth {
    case .oneBit: (rows, stride) = bitmap.packedOneBit()
    case .eightBit: (rows, stride) = (bitmap.pixels, bitmap.width)
    }
    return try encode(
      rows: rows, width: bitmap.width, height: bitmap.height, stride: stride, depth: depth,
      pixelsPerMetre: pixelsPerMetre, packing: packing)
  }

  /// Encodes rows already packed for `depth` (1-bit rows: most significant bit first,
  /// 1 for white).
  public static func encode(
    rows: [UInt8], width: Int, height: Int, stride: Int, depth: Depth, pixelsPerMetre: UInt32,
    packing: Packing = .compact
  ) throws(LabelError) -> [UInt8] {
    guard width > 0, height > 0, rows.count >= stride * height else {
      throw .invalidOption(
        name: "image", value: "\(width)×\(height)", reason: "is empty or incomplete")
    }
    var output: UnsafeMutablePointer<UInt8>?
    var length = 0
    var message = [CChar](repeating: 0, count: 256)
    let status = rows.withUnsafeBufferPointer { buffer in
      ocop_png_write_gray(
        buffer.baseAddress, UInt32(width), UInt32(height), stride,
        Int32(depth.rawValue),
        pixelsPerMetre, packing == .runs ? 1 : 0, &output, &length, &message, message.count)
    }
    defer { ocop_png_free(output) }
    guard status == 0, let output else {
      throw .library(
        name: "libpng",
        reason: String(
          decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return Array(UnsafeBufferPointer(start: output, count: length))
  }

  /// Reads a PNG file as an 8-bit gray bitmap (colour turned to gray, alpha dropped), for
  /// decoding the codes a label image holds.
  public static func decode(_ bytes: [UInt8]) throws(LabelError) -> Bitmap {
    var output: UnsafeMutablePointer<UInt8>?
    var width: UInt32 = 0
    var height: UInt32 = 0
    var message = [CChar](repeating: 0, count: 256)
    let status = bytes.withUnsafeBufferPointer { buffer in
      ocop_png_read_gray(
        buffer.baseAddress, buffer.count, &output, &width, &height, &message, message.count)
    }
    defer { ocop_png_free(output) }
    guard status == 0, let output, width > 0, height > 0 else {
      throw .library(
        name: "libpng",
        reason: String(
          decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    var bitmap = Bitmap(width: Int(width), height: Int(height))
    bitmap.pixels = Array(UnsafeBufferPointer(start: output, count: Int(width) * Int(height)))
    return bitmap
  }
}
