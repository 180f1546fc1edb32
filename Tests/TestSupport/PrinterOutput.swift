import Foundation

/// A grayscale image read from a file: one byte a pixel, 0 black to 255 white.
public struct GrayImage: Hashable, Sendable {
  public let width: Int
  public let height: Int
  public var pixels: [UInt8]
}

/// Reading what a printer would print: the tools the tests run over PDF and printer
/// streams (poppler's pdfinfo, pdftoppm and pdftotext; `scripts/printers/unpack.py`).
public enum PrinterOutput {
  public struct ToolFailure: Error, CustomStringConvertible {
    public let description: String
  }

  /// The project's root folder.
  public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

  /// Runs `tool` (found on the PATH) and returns its standard output; a non-zero exit
  /// throws with its standard error.
  public static func run(_ tool: String, _ arguments: [String]) throws -> String {
    let result = try Subprocess.run(["/usr/bin/env", tool] + arguments)
    guard result.status == 0 else {
      throw ToolFailure(
        description:
          "\(tool) \(arguments.joined(separator: " ")) exited \(result.status): \(String(decoding: result.stderr, as: UTF8.self))"
      )
    }
    return String(decoding: result.stdout, as: UTF8.self)
  }

  /// A binary PGM (P5, 8-bit) file.
  public static func readPGM(_ path: String) throws -> GrayImage {
    let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    var fields: [String] = []
    var index = 0
    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D }
    while fields.count < 4, index < data.count {
      while index < data.count, isSpace(data[index]) { index += 1 }
      let start = index
      while index < data.count, !isSpace(data[index]) { index += 1 }
      fields.append(String(decoding: data[start..<index], as: UTF8.self))
    }
    index += 1
    guard fields.count == 4, fields[0] == "P5", fields[3] == "255", let width = Int(fields[1]),
      let height = Int(fields[2]), data.count >= index + width * height
    else { throw ToolFailure(description: "\(path) is not an 8-bit binary PGM") }
    return GrayImage(
      width: width, height: height, pixels: Array(data[index..<(index + width * height)]))
  }

  /// What `scripts/printers/unpack.py` finds in a ZPL or TSPL stream: for each label, its
  /// graphic's image file (`image`), `width`, `height` and the printer's own QR commands
  /// (`printerQR`: `x`, `y`, `module`, `ecc`, `data`).
  public static func unpack(_ language: String, _ path: String, into folder: String) throws
    -> [[String: Any]]
  {
    let output = try run("python3", [root + "/scripts/printers/unpack.py", language, path, folder])
    return try output.split(separator: "\n").map {
      guard let object = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
      else { throw ToolFailure(description: "unpack.py printed \($0)") }
      return object
    }
  }
}
