import Foundation
import Testing

@testable import Label

/// The chunks of a PNG file, by type, in order.
func pngChunks(_ bytes: [UInt8]) -> [(type: String, data: [UInt8])] {
  var chunks: [(String, [UInt8])] = []
  var offset = 8
  while offset + 8 <= bytes.count {
    let length =
      Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8
      | Int(bytes[offset + 3])
    let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
    chunks.append((type, Array(bytes[(offset + 8)..<(offset + 8 + length)])))
    offset += 12 + length
  }
  return chunks
}

func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt32 {
  bytes.reduce(0) { $0 << 8 | UInt32($1) }
}

@Suite("PNG and SVG output")
struct PNGTests {
  static let symbol = try! QRSymbol.encode(QRTests.link)

  @Test func printOutputIsOneBitGrayWithPhysicalSize() throws {
    let size = try ModuleSize(millimetres: 0.423, dpi: 300)
    let image = try Self.symbol.bitmap(dotsPerModule: size.dots)
    let png = try PNGEncoder.encode(image, depth: .oneBit, pixelsPerMetre: size.pixelsPerMetre)
    #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    let chunks = pngChunks(png)
    let header = try #require(chunks.first { $0.type == "IHDR" }?.data)
    #expect(bigEndian(header[0..<4]) == UInt32(image.width))
    #expect(header[8] == 1)  // bit depth
    #expect(header[9] == 0)  // grayscale
    let physical = try #require(chunks.first { $0.type == "pHYs" }?.data)
    #expect(bigEndian(physical[0..<4]) == 11811)
    #expect(bigEndian(physical[4..<8]) == 11811)
    #expect(physical[8] == 1)  // unit: metre
    #expect(!chunks.contains { $0.type == "tIME" })
  }

  @Test func theSameInputGivesTheSameBytes() throws {
    let image = try Self.symbol.bitmap(dotsPerModule: 5)
    let first = try PNGEncoder.encode(image, depth: .oneBit, pixelsPerMetre: 11811)
    let second = try PNGEncoder.encode(image, depth: .oneBit, pixelsPerMetre: 11811)
    #expect(first == second)
    let preview = try PNGEncoder.encode(image, depth: .eightBit, pixelsPerMetre: 11811)
    #expect(pngChunks(preview).first?.data[8] == 8)
    #expect(first.count < preview.count)
  }

  @Test func theQuietZoneIsFourModulesOfWhite() throws {
    let image = try Self.symbol.bitmap(dotsPerModule: 5)
    let margin = 4 * 5
    #expect(image.width == (Self.symbol.width + 8) * 5)
    for y in 0..<image.height {
      for x in 0..<image.width
      where x < margin || y < margin || x >= image.width - margin || y >= image.height - margin {
        #expect(image[x, y] == 255)
      }
    }
    // The finder pattern's corner module is dark, just inside the quiet zone.
    #expect(image[margin, margin] == 0)
    #expect(throws: LabelError.self) { try Self.symbol.bitmap(dotsPerModule: 5, quietZone: 3) }
  }

  @Test func oneBitPackingIsWhiteAsOne() {
    var image = Bitmap(width: 10, height: 1)
    image.fillBlack(x: 0, y: 0, width: 1, height: 1)
    image.fillBlack(x: 9, y: 0, width: 1, height: 1)
    let packed = image.packedOneBit()
    #expect(packed.stride == 2)
    #expect(packed.rows == [0b0111_1111, 0b1011_1111])
  }

  @Test(arguments: [1, 7, 8, 9, 16, 23, 591])
  func oneBitPackingMatchesAPixelByPixelThreshold(width: Int) {
    // Grays around the threshold, from a fixed seed, at widths around whole bytes.
    var image = Bitmap(width: width, height: 5)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(width)
    for y in 0..<5 {
      for x in 0..<width {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        image[x, y] = [0, 126, 127, 128, 129, 255][Int(state >> 61) % 6]
      }
    }
    let packed = image.packedOneBit()
    for y in 0..<5 {
      for byteIndex in 0..<packed.stride {
        var expected: UInt8 = 0
        for bit in 0..<8 {
          let x = byteIndex * 8 + bit
          let white = x >= width || image[x, y] >= 128
          if white { expected |= 0x80 >> UInt8(bit) }
        }
        #expect(
          packed.rows[y * packed.stride + byteIndex] == expected, "row \(y) byte \(byteIndex)")
      }
    }
  }

  @Test func pngFilesReadBackAsGray() throws {
    let (label, _, module) = try LabelRenderTests.render()
    let gray = try PNGEncoder.encode(label, depth: .eightBit, pixelsPerMetre: module.pixelsPerMetre)
    #expect(try PNGEncoder.decode(gray) == label)
    let oneBit = try PNGEncoder.encode(
      label, depth: .oneBit, pixelsPerMetre: module.pixelsPerMetre, packing: .runs)
    let read = try PNGEncoder.decode(oneBit)
    #expect(read.pixels == label.pixels.map { $0 < 128 ? 0 : 255 })
    #expect(throws: LabelError.self) { try PNGEncoder.decode(Array(oneBit.prefix(100))) }
    #expect(throws: LabelError.self) { try PNGEncoder.decode(Array("not a png".utf8)) }
  }

  @Test func anEmptyImageIsRefused() {
    #expect(throws: LabelError.self) {
      try PNGEncoder.encode(Bitmap(width: 0, height: 0), depth: .oneBit, pixelsPerMetre: 0)
    }
  }

  @Test func svgDrawsTheCodeAsOnePathInMillimetres() throws {
    let svg = try SVGWriter.qr(Self.symbol, moduleMillimetres: 0.5)
    let side = Double(Self.symbol.width + 8) * 0.5
    #expect(svg.contains("width=\"\(ModuleSize.format(side))mm\""))
    #expect(svg.components(separatedBy: "<path").count == 2)
    // Every dark module is covered exactly once by the path's runs.
    let path = SVGWriter.path(Self.symbol, offset: 4)
    let covered = path.split(separator: "M").reduce(0) { total, run in
      let width = run.split(separator: "h")[1].split(separator: "v")[0]
      return total + (Int(width) ?? 0)
    }
    #expect(covered == Self.symbol.dark.filter { $0 }.count)
  }
}

@Suite("Print-ready code PNG")
struct CodePNGTests {
  @Test func packedCodeMatchesTheDrawnBitmap() throws {
    let symbol = try QRSymbol.encode(QRTests.link)
    let module = try ModuleSize(millimetres: 0.423, dpi: 300)
    let direct = try symbol.png(module: module)
    let drawn = try PNGEncoder.encode(
      symbol.bitmap(dotsPerModule: module.dots), depth: .oneBit,
      pixelsPerMetre: module.pixelsPerMetre)
    #expect(direct == drawn)
  }
}
