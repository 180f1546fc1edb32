import CTurboJPEG

/// Reads a JPEG image (a phone's photo of a label) as grey pixels, with libjpeg-turbo's
/// TurboJPEG API: the one file that wraps it.
public enum JPEGDecoder {
  /// The largest image read, in pixels (a 100-megapixel photo): more is refused before any
  /// memory is taken for it.
  public static let maximumPixels = 100_000_000

  /// Whether `bytes` start as a JPEG file does (SOI marker, then another marker).
  public static func isJPEG(_ bytes: [UInt8]) -> Bool {
    bytes.count > 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF
  }

  /// The image's pixels, one byte of grey each.
  public static func decode(_ bytes: [UInt8]) throws(LabelError) -> Bitmap {
    guard let handle = tjInitDecompress() else {
      throw .library(name: "libturbojpeg", reason: "could not start a decompressor")
    }
    defer { tjDestroy(handle) }
    func failure() -> LabelError {
      .library(name: "libturbojpeg", reason: String(cString: tjGetErrorStr2(handle)))
    }
    var width: Int32 = 0
    var height: Int32 = 0
    var subsampling: Int32 = 0
    var colourspace: Int32 = 0
    let header = bytes.withUnsafeBufferPointer { input in
      tjDecompressHeader3(
        handle, input.baseAddress, UInt(input.count), &width, &height, &subsampling,
        &colourspace)
    }
    guard header == 0 else { throw failure() }
    guard width > 0, height > 0, Int(width) * Int(height) <= maximumPixels else {
      throw .library(
        name: "libturbojpeg",
        reason: "the image is \(width)×\(height) pixels; at most \(maximumPixels) are read")
    }
    var bitmap = Bitmap(width: Int(width), height: Int(height))
    let status = bytes.withUnsafeBufferPointer { input in
      bitmap.pixels.withUnsafeMutableBufferPointer { output in
        tjDecompress2(
          handle, input.baseAddress, UInt(input.count), output.baseAddress, width, 0, height,
          Int32(TJPF_GRAY.rawValue), 0)
      }
    }
    // A warning (a truncated or slightly damaged file) still leaves an image to read.
    if status != 0, tjGetErrorCode(handle) != Int32(TJERR_WARNING.rawValue) {
      throw failure()
    }
    return bitmap
  }
}
