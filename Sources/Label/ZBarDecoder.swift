import CZBar

/// Reads QR codes back from images with libzbar. This file is the only one that calls it.
public enum ZBarDecoder {
  /// Every QR code's text found in `bitmap`.
  public static func decode(_ bitmap: Bitmap) throws(LabelError) -> [String] {
    guard let scanner = zbar_image_scanner_create() else {
      throw .library(name: "libzbar", reason: "could not create a scanner")
    }
    defer { zbar_image_scanner_destroy(scanner) }
    zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0)
    zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1)
    guard let image = zbar_image_create() else {
      throw .library(name: "libzbar", reason: "could not create an image")
    }
    defer { zbar_image_destroy(image) }
    // "Y800": 8-bit grayscale.
    zbar_image_set_format(image, 0x3030_3859)
    zbar_image_set_size(image, UInt32(bitmap.width), UInt32(bitmap.height))
    var results: [String] = []
    bitmap.pixels.withUnsafeBytes { pixels in
      zbar_image_set_data(image, pixels.baseAddress, UInt(pixels.count), nil)
      let found = zbar_scan_image(scanner, image)
      guard found > 0 else { return }
      var symbol = zbar_image_first_symbol(image)
      while let current = symbol {
        if zbar_symbol_get_type(current) == ZBAR_QRCODE, let data = zbar_symbol_get_data(current) {
          let length = Int(zbar_symbol_get_data_length(current))
          results.append(
            String(
              decoding: UnsafeBufferPointer(
                start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length),
              as: UTF8.self))
        }
        symbol = zbar_symbol_next(current)
      }
      // The image must not keep a pointer to the buffer once this closure ends.
      zbar_image_set_data(image, nil, 0, nil)
    }
    return results
  }
}
