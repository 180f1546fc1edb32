/// A grayscale image in memory: one byte a pixel, 0 black to 255 white.
public struct Bitmap: Hashable, Sendable {
  /// Pixels across.
  public let width: Int
  /// Pixels down.
  public let height: Int
  /// Row-major pixels.
  public var pixels: [UInt8]

  /// A white image.
  public init(width: Int, height: Int) {
    self.width = width
    self.height = height
    pixels = [UInt8](repeating: 255, count: width * height)
  }

  /// The pixel at `x`, `y`.
  public subscript(x: Int, y: Int) -> UInt8 {
    get { pixels[y * width + x] }
    set { pixels[y * width + x] = newValue }
  }

  /// Paints the rectangle black, clipped to the image.
  public mutating func fillBlack(x: Int, y: Int, width w: Int, height h: Int) {
    let x0 = max(0, x)
    let x1 = min(width, x + w)
    guard x0 < x1 else { return }
    for row in max(0, y)..<min(height, y + h) {
      let start = row * width
      for column in x0..<x1 { pixels[start + column] = 0 }
    }
  }

  /// Rows packed one bit a pixel, most significant bit first, 1 for white (PNG's
  /// grayscale convention), pixels darker than mid-gray black. The bits that pad a row to
  /// whole bytes are white too: runs of white compress best.
  public func packedOneBit() -> (rows: [UInt8], stride: Int) {
    let stride = (width + 7) / 8
    var rows = [UInt8](repeating: 0xFF, count: stride * height)
    let whole = width / 8
    pixels.withUnsafeBytes { source in
      rows.withUnsafeMutableBufferPointer { target in
        for y in 0..<height {
          let input = y * width
          let rowStart = y * stride
          // Eight pixels at a time: a pixel is white when its top bit is set, and one
          // multiplication gathers the eight top bits, first pixel highest.
          for byteIndex in 0..<whole {
            let word = source.loadUnaligned(fromByteOffset: input + byteIndex * 8, as: UInt64.self)
            let tops = (UInt64(littleEndian: word) >> 7) & 0x0101_0101_0101_0101
            target[rowStart + byteIndex] = UInt8(
              truncatingIfNeeded: (tops &* 0x8040_2010_0804_0201) >> 56)
          }
          // The last pixels of a row; the byte's unused bits stay white.
          if whole < stride {
            var byte: UInt8 = 0xFF
            for bit in 0..<(width - whole * 8) where source[input + whole * 8 + bit] < 128 {
              byte &= ~(0x80 >> UInt8(bit))
            }
            target[rowStart + whole] = byte
          }
        }
      }
    }
    return (rows, stride)
  }
}

extension QRSymbol {
  /// The symbol drawn at `dotsPerModule`, with a quiet zone of `quietZone` modules
  /// (at least 4) on every side.
  public func bitmap(dotsPerModule: Int, quietZone: Int = 4) throws(LabelError) -> Bitmap {
    guard quietZone >= 4 else {
      throw .invalidOption(
        name: "quiet zone", value: "\(quietZone) modules", reason: "must be at least 4 modules")
    }
    guard dotsPerModule >= 1 else {
      throw .invalidOption(
        name: "module", value: "\(dotsPerModule) dots", reason: "must be at least 1 dot")
    }
    let side = (width + 2 * quietZone) * dotsPerModule
    var image = Bitmap(width: side, height: side)
    for row in 0..<width {
      for column in 0..<width where isDark(row: row, column: column) {
        image.fillBlack(
          x: (column + quietZone) * dotsPerModule, y: (row + quietZone) * dotsPerModule,
          width: dotsPerModule, height: dotsPerModule)
      }
    }
    return image
  }
}

extension QRSymbol {
  /// The symbol as a print-ready 1-bit PNG: `module` dots per module, a quiet zone of
  /// `quietZone` modules, pHYs at the module's resolution. Rows are packed straight from
  /// the modules, without an 8-bit image in between.
  public func png(module: ModuleSize, quietZone: Int = 4) throws(LabelError) -> [UInt8] {
    guard quietZone >= 4 else {
      throw .invalidOption(
        name: "quiet zone", value: "\(quietZone) modules", reason: "must be at least 4 modules")
    }
    let dots = module.dots
    let side = (width + 2 * quietZone) * dots
    let stride = (side + 7) / 8
    // White is 1, and so are the bits that pad a row to whole bytes, as in packedOneBit().
    let blank = [UInt8](repeating: 0xFF, count: stride)
    var rows = [UInt8]()
    rows.reserveCapacity(stride * side)
    for _ in 0..<side { rows += blank }
    var moduleRow = blank
    for row in 0..<width {
      moduleRow.replaceSubrange(0..<stride, with: blank)
      for column in 0..<width where isDark(row: row, column: column) {
        let start = (column + quietZone) * dots
        for x in start..<(start + dots) { moduleRow[x >> 3] &= ~(0x80 >> UInt8(x & 7)) }
      }
      let first = (row + quietZone) * dots
      for line in first..<(first + dots) {
        rows.replaceSubrange((line * stride)..<(line * stride + stride), with: moduleRow)
      }
    }
    return try PNGEncoder.encode(
      rows: rows, width: side, height: side, stride: stride, depth: .oneBit,
      pixelsPerMetre: module.pixelsPerMetre)
  }
}
