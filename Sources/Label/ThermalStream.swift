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
    let hexPerRow = label.stride * 2
    var row = [UInt8](repeating: 0, count: hexPerRow)
    var previous: [UInt8]?
    for y in 0..<label.height {
      let start = y * label.stride
      for index in 0..<label.stride {
        // Inverted: the label holds 1 for white; ZPL wants 1 for a printed dot. The pad bits
        // at a row's end are white in the label, so blank here.
        var byte = ~label.rows[start + index]
        if index == label.stride - 1, label.width % 8 != 0 {
          byte &= UInt8(truncatingIfNeeded: 0xFF << (8 - label.width % 8))
        }
        row[2 * index] = hexDigits[Int(byte >> 4)]
        row[2 * index + 1] = hexDigits[Int(byte & 15)]
      }
      if let previous, previous == row {
        out.append(UInt8(ascii: ":"))
        continue
      }
      previous = row
      // The end of the row: zeros or F's to the end are one character.
      var end = hexPerRow
      while end > 0, row[end - 1] == UInt8(ascii: "0") { end -= 1 }
      var filler: UInt8? = end < hexPerRow ? UInt8(ascii: ",") : nil
      if filler == nil {
        while end > 0, row[end - 1] == UInt8(ascii: "F") { end -= 1 }
        if end < hexPerRow { filler = UInt8(ascii: "!") }
      }
      var index = 0
      while index < end {
        let digit = row[index]
        var run = 1
        while index + run < end, row[index + run] == digit { run += 1 }
        if run > 1 { appendCount(run, to: &out) }
        out.append(digit)
        index += run
      }
      if let filler { out.append(filler) }
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
      var bitmap = Bitmap(width: side, height: side)
      for row in 0..<side where y + row < height {
        for column in 0..<side where x + column < width {
          let dot = x + column
          if rows[(y + row) * stride + dot / 8] & (0x80 >> UInt8(dot % 8)) == 0 {
            bitmap[column, row] = 0
          }
        }
      }
      return bitmap
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
    let text = String(decoding: stream, as: UTF8.self)
    var labels: [ReadLabel] = []
    for format in text.components(separatedBy: "^XA").dropFirst() {
      guard let body = format.components(separatedBy: "^XZ").first else { continue }
      var label = ReadLabel(width: 0, height: 0, stride: 0, rows: [], printerCodes: [])
      var origin = (x: 0, y: 0)
      var pendingModule: Int?
      var hexEscape: Character?
      for command in body.components(separatedBy: "^").dropFirst() {
        let name = String(command.prefix(2))
        let arguments = String(command.dropFirst(2)).trimmingCharacters(in: .whitespacesAndNewlines)
        switch name {
        case "PW": label.width = Int(arguments) ?? 0
        case "LL": label.height = Int(arguments) ?? 0
        case "FO":
          let numbers = arguments.split(separator: ",").map { Int($0) ?? 0 }
          origin = (numbers.first ?? 0, numbers.count > 1 ? numbers[1] : 0)
        case "GF":
          let fields = arguments.split(
            separator: ",", maxSplits: 4, omittingEmptySubsequences: false)
          guard fields.count == 5, fields[0] == "A", let total = Int(fields[1]),
            let perRow = Int(fields[3]), perRow > 0, total % perRow == 0
          else { throw malformed("a ^GF graphic field is not ^GFA,total,total,bytes-a-row,data") }
          guard origin == (0, 0) else { throw malformed("a ^GF graphic field not at ^FO0,0") }
          label.stride = perRow
          label.rows = try unpackZPL(
            Array(fields[4].utf8), bytesPerRow: perRow, rows: total / perRow)
        case "BQ":
          let numbers = arguments.split(separator: ",", omittingEmptySubsequences: false)
          guard numbers.count >= 3, numbers[1] == "2", let module = Int(numbers[2]) else {
            throw malformed("a ^BQ command is not ^BQN,2,magnification")
          }
          pendingModule = module
        case "FH": hexEscape = arguments.first ?? "_"
        case "FD":
          guard let module = pendingModule else { continue }
          var data = arguments
          if let escape = hexEscape { data = unescapeZPL(data, escape: escape) }
          guard data.count >= 3, let level = ErrorCorrection(rawValue: String(data.prefix(1))),
            data.dropFirst().first == "A", data.dropFirst(2).first == ","
          else { throw malformed("a QR ^FD does not begin with its error correction and A,") }
          label.printerCodes.append(
            PrinterQR(
              x: origin.x, y: origin.y, module: module, level: level,
              data: String(data.dropFirst(3))))
          pendingModule = nil
          hexEscape = nil
        case "FS": hexEscape = nil
        default: continue
        }
      }
      guard label.stride > 0 else { throw malformed("a label has no ^GF graphic") }
      if label.width == 0 { label.width = label.stride * 8 }
      label.height = label.rows.count / label.stride
      labels.append(label)
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
  static func unpackZPL(_ data: [UInt8], bytesPerRow: Int, rows: Int) throws(LabelError) -> [UInt8]
  {
    let hexPerRow = bytesPerRow * 2
    var digits: [UInt8] = []
    digits.reserveCapacity(hexPerRow * rows)
    var row: [UInt8] = []
    var previous = [UInt8](repeating: UInt8(ascii: "0"), count: hexPerRow)
    var count = 0
    func finishRow() {
      digits += row
      previous = row
      row = []
    }
    for character in data {
      switch character {
      case UInt8(ascii: "G")...UInt8(ascii: "Y"): count += Int(character - UInt8(ascii: "G")) + 1
      case UInt8(ascii: "g")...UInt8(ascii: "z"):
        count += (Int(character - UInt8(ascii: "g")) + 1) * 20
      case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "F"):
        row += [UInt8](repeating: character, count: max(1, count))
        count = 0
        guard row.count <= hexPerRow else { throw malformed("a ^GF row is longer than its width") }
        if row.count == hexPerRow { finishRow() }
      case UInt8(ascii: ","), UInt8(ascii: "!"):
        let fill = character == UInt8(ascii: ",") ? UInt8(ascii: "0") : UInt8(ascii: "F")
        row += [UInt8](repeating: fill, count: hexPerRow - row.count)
        finishRow()
      case UInt8(ascii: ":"):
        guard row.isEmpty else { throw malformed("a ^GF row repeat inside a row") }
        row = previous
        finishRow()
      case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"): continue
      default:
        throw malformed("a ^GF graphic holds \"\(Character(Unicode.Scalar(character)))\"")
      }
    }
    guard row.isEmpty, digits.count == hexPerRow * rows else {
      throw malformed("a ^GF graphic holds \(digits.count / 2) bytes, not \(bytesPerRow * rows)")
    }
    var bytes = [UInt8](repeating: 0, count: bytesPerRow * rows)
    func value(_ digit: UInt8) -> UInt8 {
      digit <= UInt8(ascii: "9") ? digit - UInt8(ascii: "0") : digit - UInt8(ascii: "A") + 10
    }
    for index in 0..<bytes.count {
      bytes[index] = ~(value(digits[2 * index]) << 4 | value(digits[2 * index + 1]))
    }
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
