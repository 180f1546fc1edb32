import Foundation
import TestSupport
import Testing

@testable import Label

/// Photos of labels: JPEG files made by another encoder (libjpeg-turbo's `cjpeg`, from
/// Debian's libjpeg-turbo-progs) are read and their codes decoded.
@Suite("JPEG photos")
struct JPEGTests {
  /// `bitmap` as a JPEG file at `quality`, made by cjpeg from a PGM file.
  static func jpeg(_ bitmap: Bitmap, quality: Int) throws -> [UInt8] {
    let folder = NSTemporaryDirectory() + "ocop-jpeg-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    var pgm = Array("P5\n\(bitmap.width) \(bitmap.height)\n255\n".utf8)
    pgm += bitmap.pixels
    try Data(pgm).write(to: URL(fileURLWithPath: folder + "/in.pgm"))
    let result = try Subprocess.run([
      "/usr/bin/cjpeg", "-quality", String(quality), "-outfile", folder + "/out.jpg",
      folder + "/in.pgm",
    ])
    try #require(
      result.status == 0, "cjpeg failed: \(String(decoding: result.stderr, as: UTF8.self))")
    return Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/out.jpg")))
  }

  @Test(arguments: [95, 60, 30])
  func aLabelPhotographedAsJPEGIsRead(quality: Int) throws {
    let symbol = try QRSymbol.encode(QRTests.link)
    // A quiet zone around the code, as on a label.
    let code = try symbol.bitmap(dotsPerModule: 6)
    var image = Bitmap(width: code.width + 120, height: code.height + 120)
    for row in 0..<code.height {
      for column in 0..<code.width {
        image.pixels[(row + 60) * image.width + column + 60] =
          code.pixels[row * code.width + column]
      }
    }
    let bytes = try Self.jpeg(image, quality: quality)
    #expect(JPEGDecoder.isJPEG(bytes))
    let decoded = try JPEGDecoder.decode(bytes)
    #expect(decoded.width == image.width && decoded.height == image.height)
    // Lossy, but close: no pixel far from what was drawn.
    let worst = zip(decoded.pixels, image.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
    #expect(worst < 128, "\(worst)")
    #expect(try ZBarDecoder.decode(decoded) == [QRTests.link])
  }

  @Test func aDamagedOrForeignFileIsRefusedWithLibjpegsReason() throws {
    #expect(!JPEGDecoder.isJPEG(Array("not an image".utf8)))
    #expect(throws: LabelError.self) { try JPEGDecoder.decode([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]) }
    do {
      _ = try JPEGDecoder.decode(Array("not an image".utf8))
      Issue.record("a text file was read as a JPEG")
    } catch {
      #expect(error.description.hasPrefix("libturbojpeg"), "\(error)")
    }
  }
}
