/// Command streams for thermal label printers: ZPL (Zebra, and the many printers that
/// emulate it) and TSPL (TSC, Xprinter and most low-cost label printers).
///
/// The label is sent as a bitmap of our own rendering, at the printer's resolution: the
/// printers' built-in fonts have no Vietnamese. The code is part of that bitmap (what the
/// read-back decodes, dot for dot), or, with ``Code/printerCommand``, drawn by the
/// printer's own QR command (ZPL `^BQ`, TSPL `QRCODE`) with the exact data, error
/// correction and module size, in the square the label keeps free for it.
public enum ThermalStream {
  /// The printer's language.
  public enum Language: String, Hashable, Sendable, CaseIterable {
    case zpl
    case tspl

    /// The run file's extension.
    public var fileExtension: String { rawValue }
  }

  /// How the code reaches the label.
  public enum Code: String, Hashable, Sendable, CaseIterable {
    /// In the label's bitmap, drawn by us: exactly what was read back.
    case bitmap
    /// By the printer's QR command.
    case printerCommand = "printer"
  }

  /// The largest module the printers' QR commands draw, in dots (ZPL `^BQ` magnification
  /// and TSPL cell width are both 1 to 10).
  public static let largestPrinterModule = 10

  /// The stream's opening for a run of labels `width` × `height` millimetres (TSPL sets
  /// the media size and gap once; ZPL sets its page with each label).
  public static func header(
    _ language: Language, widthMillimetres: Double, heightMillimetres: Double,
    gapMillimetres: Double
  ) -> [UInt8] {
    switch language {
    case .zpl:
      return []
    case .tspl:
      let text =
        "SIZE \(short(widthMillimetres)) mm,\(short(heightMillimetres)) mm\r\n"
        + "GAP \(short(gapMillimetres)) mm,0 mm\r\nDIRECTION 0\r\nREFERENCE 0,0\r\n"
      return Array(text.utf8)
    }
  }

  /// One label's commands: `label` (one bit a dot, 1 white, as ``PackedLabel`` holds it)
  /// as a graphic, and, with `printerCode`, the printer's QR command at the code's place.
  public static func label(
    _ label: PackedLabel, language: Language, printerCode: PrinterQR? = nil, name: String
  ) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(label.stride * label.height / 4 + 256)
    switch language {
    case .zpl:
      out += Array(
        "^XA\n^FX ocop label \(name)^FS\n^PW\(label.width)\n^LL\(label.height)\n^LH0,0\n".utf8)
      out += Array(
        "^FO0,0^GFA,\(label.stride * label.height),\(label.stride * label.height),\(label.stride),"
          .utf8)
      compressZPL(label, into: &out)
      out += Array("^FS\n".utf8)
      if let code = printerCode {
        out += Array(
          "^FO\(code.x),\(code.y)^BQN,2,\(code.module)^FH\\^FD\(code.level.rawValue)A,\(escapeZPL(code.data))^FS\n"
            .utf8)
      }
      out += Array("^PQ1\n^XZ\n".utf8)
    case .tspl:
      out += Array("CLS\r\nBITMAP 0,0,\(label.stride),\(label.height),0,".utf8)
      // TSPL's bitmap: 1 a white dot, 0 a printed one, as the label holds them.
      out += label.rows
      out += Array("\r\n".utf8)
      if let code = printerCode {
        out += Array(
          "QRCODE \(code.x),\(code.y),\(code.level.rawValue),\(code.module),A,0,M2,S7,\"\(escapeTSPL(code.data))\"\r\n"
            .utf8)
      }
      out += Array("PRINT 1,1\r\n".utf8)
    }
    return out
  }

  /// A QR code the printer draws: its top-left corner (the symbol's, inside the quiet zone)
  /// in dots, module size in dots, error correction, and data.
  public struct PrinterQR: Hashable, Sendable {
    public let x, y, module: Int
    public let level: ErrorCorrection
    public let data: String

    public init(x: Int, y: Int, module: Int, level: ErrorCorrection, data: String) {
      self.x = x
      self.y = y
      self.module = module
      self.level = level
      self.data = data
    }
  }

  /// `^FD` data behind `^FH\`: the characters ZPL would take for commands (`^`, `~`), the
  /// escape itself and anything outside printable ASCII as `\HH`.
  static func escapeZPL(_ data: String) -> String {
    var out = ""
    for byte in data.utf8 {
      if byte < 0x20 || byte > 0x7E || byte == UInt8(ascii: "^") || byte == UInt8(ascii: "~")
        || byte == UInt8(ascii: "\\")
      {
        out += "\\" + hexByte(byte)
      } else {
        out.append(Character(Unicode.Scalar(byte)))
      }
    }
    return out
  }

  /// TSPL string content: a double quote as `\["]`.
  static func escapeTSPL(_ data: String) -> String {
    data.replacingOccurrences(of: "\"", with: "\\[\"]")
  }

  private static let hexDigits = Array("0123456789ABCDEF".utf8)

  private static func hexByte(_ byte: UInt8) -> String {
    String(decoding: [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]], as: UTF8.self)
  }

  /// The graphic's rows in ZPL's compressed ASCII hex (1 a printed dot): a row equal to
  /// the one before is `:`; trailing zeros are `,` and trailing `F`s `!`; a run of one
  /// digit is a repeat count (`G`–`Y` 1–19, `g`–`z` 20–400) before it.
  static func compressZPL(_ label: PackedLabel, into out: inout [UInt8]) {
    let stride = label.stride
    let hexPerRow = stride * 2
    // The last byte's pad bits are white in the label: blank (0) in ZPL.
    let lastMask: UInt8 =
      label.width % 8 == 0 ? 0xFF : UInt8(truncatingIfNeeded: 0xFF << (8 - label.width % 8))
    var nibbles = [UInt8](repeating: 0, count: hexPerRow)
    var previous = [UInt8](repeating: 0, count: stride)
    var current = [UInt8](repeating: 0, count: stride)
    label.rows.withUnsafeBufferPointer { rows in
      for y in 0..<label.height {
        let start = y * stride
        for index in 0..<stride { current[index] = ~rows[start + index] }
        current[stride - 1] &= lastMask
        if y > 0, current == previous {
          out.append(UInt8(ascii: ":"))
          continue
        }
        swap(&current, &previous)
        // previous now holds this row.
        for index in 0..<stride {
          nibbles[2 * index] = previous[index] >> 4
          nibbles[2 * index + 1] = previous[index] & 15
        }
        // The end of the row: zeros or F's to the end are one character.
        var end = hexPerRow
        while end > 0, nibbles[end - 1] == 0 { end -= 1 }
        var filler: UInt8? = end < hexPerRow ? UInt8(ascii: ",") : nil
        if filler == nil {
          while end > 0, nibbles[end - 1] == 15 { end -= 1 }
          if end < hexPerRow { filler = UInt8(ascii: "!") }
        }
        var index = 0
        while index < end {
          let value = nibbles[index]
          var run = 1
          while index + run < end, nibbles[index + run] == value { run += 1 }
          if run > 1 { appendCount(run, to: &out) }
          out.append(hexDigits[Int(value)])
          index += run
        }
        if let filler { out.append(filler) }
      }
    }
  }

  private static func appendCount(_ count: Int, to out: inout [UInt8]) {
    var left = count
    while left >= 400 {
      out.append(UInt8(ascii: "z"))
      left -= 400
    }
    if left >= 20 {
      out.append(UInt8(ascii: "g") + UInt8(left / 20 - 1))
      left %= 20
    }
    if left > 0 { out.append(UInt8(ascii: "G") + UInt8(left - 1)) }
  }
}

extension ThermalStream {
  /// One label read back out of a stream: its graphic (1 a white dot, as ``PackedLabel``)
  /// and the QR codes the printer would draw.
  public struct ReadLabel: Hashable, Sendable {
    public var width: Int
    public var height: Int
    public var stride: Int
    public var rows: [UInt8]
    public var printerCodes: [PrinterQR]

    /// The dots from (`x`, `y`), `side` square, as a grayscale bitmap.
    public func bitmap(x: Int, y: Int, side: Int) -> Bitmap {
      Bitmap(square: (x, y, side), ofRows: rows, stride: stride, width: width, height: height)
    }
  }

  /// The labels in a ZPL or TSPL stream this writer made (or any stream of the same
  /// commands: `^GFA` graphics in plain or compressed hex; `BITMAP` in mode 0), so that what
  /// a printer would print can be decoded.
  public static func read(_ stream: [UInt8], language: Language) throws(LabelError) -> [ReadLabel] {
    switch language {
    case .zpl: return try readZPL(stream)
    case .tspl: return try readTSPL(stream)
    }
  }

  private static func malformed(_ reason: String) -> LabelError {
    .invalidOption(name: "printer stream", value: "", reason: reason)
  }

  private static func readZPL(_ stream: [UInt8]) throws(LabelError) -> [ReadLabel] {
    var labels: [ReadLabel] = []
    var label: ReadLabel?
    var origin = (x: 0, y: 0)
    var pendingModule: Int?
    var hexEscape: Character?
    let caret = UInt8(ascii: "^")
    var index = stream.firstIndex(of: caret) ?? stream.count
    while index < stream.count {
      // One command: from this caret to the next.
      var end = index + 1
      while end < stream.count, stream[end] != caret { end += 1 }
      let command = stream[(index + 1)..<end]
      index = end
      guard command.count >= 2 else { continue }
      let name = String(decoding: command.prefix(2), as: UTF8.self)
      let body = command.dropFirst(2)
      func text() -> String {
        String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      }
      switch name {
      case "XA":
        label = ReadLabel(width: 0, height: 0, stride: 0, rows: [], printerCodes: [])
        origin = (0, 0)
      case "XZ":
        guard var finished = label else { continue }
        guard finished.stride > 0 else { throw malformed("a label has no ^GF graphic") }
        if finished.width == 0 { finished.width = finished.stride * 8 }
        finished.height = finished.rows.count / finished.stride
        labels.append(finished)
        label = nil
      case "PW": label?.width = Int(text()) ?? 0
      case "LL": label?.height = Int(text()) ?? 0
      case "FO":
        let numbers = text().split(separator: ",").map { Int($0) ?? 0 }
        origin = (numbers.first ?? 0, numbers.count > 1 ? numbers[1] : 0)
      case "GF":
        // A,total,total,bytes-a-row,data: the data are the bytes after the fourth comma.
        var commas: [Int] = []
        for position in body.indices where body[position] == UInt8(ascii: ",") {
          commas.append(position)
          if commas.count == 4 { break }
        }
        guard commas.count == 4 else { throw malformed("a ^GF graphic field has no data") }
        let fields = String(decoding: body[body.startIndex..<commas[3]], as: UTF8.self).split(
          separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 4, fields[0] == "A", let total = Int(fields[1]),
          let perRow = Int(fields[3]), perRow > 0, total % perRow == 0
        else { throw malformed("a ^GF graphic field is not ^GFA,total,total,bytes-a-row,data") }
        guard origin == (0, 0) else { throw malformed("a ^GF graphic field not at ^FO0,0") }
        label?.stride = perRow
        label?.rows = try unpackZPL(
          body[(commas[3] + 1)...], bytesPerRow: perRow, rows: total / perRow)
      case "BQ":
        let numbers = text().split(separator: ",", omittingEmptySubsequences: false)
        guard numbers.count >= 3, numbers[1] == "2", let module = Int(numbers[2]) else {
          throw malformed("a ^BQ command is not ^BQN,2,magnification")
        }
        pendingModule = module
      case "FH": hexEscape = text().first ?? "_"
      case "FD":
        guard let module = pendingModule else { continue }
        var data = text()
        if let escape = hexEscape { data = unescapeZPL(data, escape: escape) }
        guard data.count >= 3, let level = ErrorCorrection(rawValue: String(data.prefix(1))),
          data.dropFirst().first == "A", data.dropFirst(2).first == ","
        else { throw malformed("a QR ^FD does not begin with its error correction and A,") }
        label?.printerCodes.append(
          PrinterQR(
            x: origin.x, y: origin.y, module: module, level: level,
            data: String(data.dropFirst(3))))
        pendingModule = nil
        hexEscape = nil
      case "FS": hexEscape = nil
      default: continue
      }
    }
    return labels
  }

  private static func unescapeZPL(_ data: String, escape: Character) -> String {
    var bytes: [UInt8] = []
    var characters = Array(data.utf8)[...]
    let mark = UInt8(ascii: escape.unicodeScalars.first ?? "_")
    while let byte = characters.popFirst() {
      if byte == mark, characters.count >= 2,
        let value = UInt8(String(decoding: characters.prefix(2), as: UTF8.self), radix: 16)
      {
        bytes.append(value)
        characters = characters.dropFirst(2)
      } else {
        bytes.append(byte)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// ZPL's ASCII hex, plain or compressed, back to rows with 1 a white dot.
  static func unpackZPL(_ data: ArraySlice<UInt8>, bytesPerRow: Int, rows: Int)
    throws(LabelError) -> [UInt8]
  {
    let hexPerRow = bytesPerRow * 2
    // Built as ZPL has it (1 a printed dot), a nibble at a time, then inverted.
    var bytes = [UInt8](repeating: 0, count: bytesPerRow * rows)
    var row = 0
    var nibble = 0
    var count = 0
    var failure: LabelError?
    bytes.withUnsafeMutableBufferPointer { out in
      /// `times` nibbles of `value` from the current place, within the row.
      func put(_ value: UInt8, times: Int) {
        var left = times
        var base = row * bytesPerRow
        // A half byte first, then whole bytes, then a last half.
        if nibble % 2 == 1, left > 0 {
          out[base + nibble / 2] |= value
          nibble += 1
          left -= 1
        }
        let whole = left / 2
        if whole > 0 {
          let byte = value << 4 | value
          let first = base + nibble / 2
          for index in first..<(first + whole) { out[index] = byte }
          nibble += 2 * whole
          left -= 2 * whole
        }
        if left > 0 {
          out[base + nibble / 2] = value << 4
          nibble += 1
        }
        if nibble == hexPerRow {
          nibble = 0
          row += 1
          base += bytesPerRow
        }
      }
      for character in data {
        switch character {
        case UInt8(ascii: "G")...UInt8(ascii: "Y"): count += Int(character - UInt8(ascii: "G")) + 1
        case UInt8(ascii: "g")...UInt8(ascii: "z"):
          count += (Int(character - UInt8(ascii: "g")) + 1) * 20
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "F"):
          let value =
            character <= UInt8(ascii: "9")
            ? character - UInt8(ascii: "0") : character - UInt8(ascii: "A") + 10
          let times = max(1, count)
          guard row < rows, nibble + times <= hexPerRow else {
            failure = malformed("a ^GF row is longer than its \(bytesPerRow) bytes")
            return
          }
          put(value, times: times)
          count = 0
        case UInt8(ascii: ","), UInt8(ascii: "!"):
          guard row < rows else {
            failure = malformed("a ^GF graphic holds more than \(rows) rows")
            return
          }
          put(character == UInt8(ascii: ",") ? 0 : 15, times: hexPerRow - nibble)
          count = 0
        case UInt8(ascii: ":"):
          guard nibble == 0, row < rows else {
            failure = malformed("a ^GF row repeat inside a row or past the last row")
            return
          }
          if row > 0 {
            let previous = (row - 1) * bytesPerRow
            for offset in 0..<bytesPerRow {
              out[row * bytesPerRow + offset] = out[previous + offset]
            }
          }
          row += 1
        case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"): continue
        default:
          failure = malformed("a ^GF graphic holds \"\(Character(Unicode.Scalar(character)))\"")
          return
        }
      }
    }
    if let failure { throw failure }
    guard row == rows, nibble == 0 else {
      throw malformed("a ^GF graphic holds \(row) whole rows, not \(rows)")
    }
    // ZPL's 1 is a printed dot; a label's rows hold 1 for white.
    for index in bytes.indices { bytes[index] = ~bytes[index] }
    return bytes
  }

  private static func readTSPL(_ stream: [UInt8]) throws(LabelError) -> [ReadLabel] {
    var labels: [ReadLabel] = []
    var current: ReadLabel?
    var index = 0
    func line() -> String {
      let start = index
      while index < stream.count, stream[index] != UInt8(ascii: "\n") { index += 1 }
      let text = String(decoding: stream[start..<index], as: UTF8.self)
      index += 1
      return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    let bitmapPrefix = Array("BITMAP ".utf8)
    while index < stream.count {
      if stream[index...].starts(with: bitmapPrefix) {
        // BITMAP x,y,width-bytes,height,mode, then width × height bytes of data.
        var commas = 0
        var end = index
        while end < stream.count, commas < 5 {
          if stream[end] == UInt8(ascii: ",") { commas += 1 }
          end += 1
        }
        let head = String(decoding: stream[(index + bitmapPrefix.count)..<(end - 1)], as: UTF8.self)
        let numbers = head.split(separator: ",").map {
          Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard numbers.count == 5, let x = numbers[0], let y = numbers[1], let width = numbers[2],
          let height = numbers[3], numbers[4] == 0, x == 0, y == 0,
          end + width * height <= stream.count
        else { throw malformed("a BITMAP command is not BITMAP 0,0,bytes-a-row,height,0,data") }
        guard var label = current else { throw malformed("a BITMAP before CLS") }
        label.stride = width
        label.width = width * 8
        label.height = height
        label.rows = Array(stream[end..<(end + width * height)])
        current = label
        index = end + width * height
        continue
      }
      let command = line()
      if command == "CLS" {
        current = ReadLabel(width: 0, height: 0, stride: 0, rows: [], printerCodes: [])
      } else if command.hasPrefix("QRCODE ") {
        let fields = command.dropFirst(7).split(separator: ",", maxSplits: 8)
        guard fields.count == 9, let x = Int(fields[0]), let y = Int(fields[1]),
          let level = ErrorCorrection(rawValue: String(fields[2])), let module = Int(fields[3]),
          fields[8].hasPrefix("\""), fields[8].hasSuffix("\"")
        else { throw malformed("a QRCODE command is not QRCODE x,y,ECC,cell,A,0,M2,mask,\"data\"") }
        let data = String(fields[8].dropFirst().dropLast()).replacingOccurrences(
          of: "\\[\"]", with: "\"")
        current?.printerCodes.append(
          PrinterQR(x: x, y: y, module: module, level: level, data: data))
      } else if command.hasPrefix("PRINT") {
        guard let label = current, label.stride > 0 else {
          throw malformed("a PRINT without a BITMAP")
        }
        labels.append(label)
        current = nil
      }
    }
    return labels
  }

  private static func short(_ value: Double) -> String {
    var text = ModuleSize.format(value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
  }
}
