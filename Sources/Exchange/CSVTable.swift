import Foundation

/// A problem in an input file, where it is: file, line and column (1-based; 0 when the
/// problem is the whole file or a whole line).
public struct ImportError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The file, as given.
  public let file: String
  /// The line (1 is the header), or 0.
  public let line: Int
  /// The column's name as the file writes it, or empty.
  public let column: String
  /// What is wrong.
  public let problem: String

  public init(file: String, line: Int = 0, column: String = "", problem: String) {
    self.file = file
    self.line = line
    self.column = column
    self.problem = problem
  }

  public var description: String {
    var place = file
    if line > 0 { place += ":\(line)" }
    if !column.isEmpty { place += ": column \"\(column)\"" }
    return place + ": " + problem
  }
}

/// A CSV file read whole: RFC 4180 fields (quoted fields may hold commas, quotes written
/// twice and line breaks), lines ending in LF or CRLF, UTF-8 with or without the byte
/// order mark that spreadsheets write. Blank lines are skipped.
public struct CSVTable: Sendable {
  /// One record: its cells and the line it starts on.
  public struct Record: Sendable {
    public let line: Int
    public let cells: [String]
  }

  /// The file's name, as given, for messages.
  public let file: String
  /// The header, as written.
  public let header: [String]
  /// The records after the header.
  public let records: [Record]

  /// Reads `bytes`, named `file` in messages.
  public init(bytes: [UInt8], file: String) throws(ImportError) {
    self.file = file
    var parser = CSVParser(bytes: try Self.text(bytes, file: file), file: file)
    var records: [Record] = []
    while let record = try parser.next() { records.append(record) }
    guard !records.isEmpty else { throw ImportError(file: file, problem: "is empty: no header") }
    let header = records.removeFirst()
    self.header = header.cells.map { $0.trimmed(newlines: false) }
    for record in records {
      try Self.check(record, fields: header.cells.count, file: file)
    }
    self.records = records
  }

  /// Reads the file at `path`.
  public init(path: String) throws(ImportError) {
    try self.init(bytes: Self.contents(of: path), file: path)
  }

  /// The bytes of the file at `path`; an error names it when it is missing or unreadable.
  static func contents(of path: String) throws(ImportError) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
      let reason =
        FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
      throw ImportError(file: path, problem: reason)
    }
    return Array(data)
  }

  /// Refuses a record whose number of fields is not the header's.
  static func check(_ record: Record, fields: Int, file: String) throws(ImportError) {
    guard record.cells.count == fields else {
      throw ImportError(
        file: file, line: record.line,
        problem: "has \(record.cells.count) fields; the header has \(fields)")
    }
  }

  private static func firstInvalidLine(_ bytes: ArraySlice<UInt8>) -> Int {
    var line = 1
    var start = bytes.startIndex
    for index in bytes.indices where bytes[index] == 0x0A || index == bytes.endIndex - 1 {
      if String(validating: bytes[start...index], as: UTF8.self) == nil { return line }
      line += 1
      start = index + 1
    }
    return line
  }

  /// Checks a file's encoding as ``init(bytes:file:)`` does, and returns its text's bytes
  /// (without a byte order mark).
  static func text(_ bytes: [UInt8], file: String) throws(ImportError) -> [UInt8] {
    var body = bytes[...]
    if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
    if body.starts(with: [0xFF, 0xFE]) || body.starts(with: [0xFE, 0xFF]) {
      throw ImportError(
        file: file, problem: "is UTF-16; save it as CSV UTF-8 (comma delimited) and import again")
    }
    guard String(validating: body, as: UTF8.self) != nil else {
      throw ImportError(
        file: file, line: Self.firstInvalidLine(body),
        problem: "is not UTF-8 text (perhaps Windows-1258 or TCVN3); save it as CSV UTF-8")
    }
    return Array(body)
  }
}

/// A CSV file's records read one at a time: its bytes are held, its cells only a record
/// at a time. The same rules and messages as ``CSVTable``: the whole file's syntax and
/// field counts are checked when it is opened, as ``CSVTable`` reads it, before any row is
/// handed out.
public struct CSVStream {
  /// The file's name, as given, for messages.
  public let file: String
  /// The header, as written (trimmed).
  public let header: [String]
  private var parser: CSVParser

  /// Opens the file at `path` and reads its header.
  public init(path: String) throws(ImportError) {
    file = path
    let text = try CSVTable.text(CSVTable.contents(of: path), file: path)
    // A first pass that keeps nothing: the syntax and every record's field count.
    var check = CSVParser(bytes: text, file: path)
    var fields: Int?
    while let record = try check.next() {
      guard let count = fields else {
        fields = record.cells.count
        continue
      }
      try CSVTable.check(record, fields: count, file: path)
    }
    parser = CSVParser(bytes: text, file: path)
    guard let first = try parser.next() else {
      throw ImportError(file: path, problem: "is empty: no header")
    }
    header = first.cells.map { $0.trimmed(newlines: false) }
  }

  /// The next record; nil after the last.
  public mutating func next() throws(ImportError) -> CSVTable.Record? {
    try parser.next()
  }
}

/// The records of a CSV text, one at a time: RFC 4180 fields, LF or CRLF, blank lines
/// skipped.
struct CSVParser {
  private var bytes: [UInt8]
  private let file: String
  private var index = 0
  private var line = 1

  init(bytes: [UInt8], file: String) {
    self.bytes = bytes
    // A last line break ends the last record; one is added only where the file has none, so
    // that parsers of the same text share its bytes.
    if bytes.last != 0x0A { self.bytes.append(0x0A) }
    self.file = file
  }

  mutating func next() throws(ImportError) -> CSVTable.Record? {
    var cells: [String] = []
    var cell: [UInt8] = []
    var recordLine = line
    var quoted = false
    var quoteLine = 0
    var afterQuote = false
    func finishCell() {
      cells.append(String(decoding: cell, as: UTF8.self))
      cell.removeAll(keepingCapacity: true)
      afterQuote = false
    }
    while index < bytes.count {
      let byte = bytes[index]
      index += 1
      if quoted {
        if byte == UInt8(ascii: "\"") {
          if index < bytes.count && bytes[index] == UInt8(ascii: "\"") {
            cell.append(byte)
            index += 1
          } else {
            quoted = false
            afterQuote = true
          }
        } else {
          if byte == 0x0A { line += 1 }
          cell.append(byte)
        }
        continue
      }
      switch byte {
      case UInt8(ascii: "\""):
        guard cell.isEmpty && !afterQuote else {
          throw ImportError(
            file: file, line: line,
            problem:
              "a quote in the middle of a field; quote the whole field and write \"\" for a quote")
        }
        quoted = true
        quoteLine = line
      case UInt8(ascii: ","):
        finishCell()
      case 0x0D where index < bytes.count && bytes[index] == 0x0A:
        continue
      case 0x0A:
        finishCell()
        line += 1
        if !(cells.count == 1 && cells[0].isEmpty) {
          return CSVTable.Record(line: recordLine, cells: cells)
        }
        cells.removeAll()
        recordLine = line
      default:
        guard !afterQuote else {
          throw ImportError(
            file: file, line: line, problem: "text after a closing quote; the field must end there")
        }
        cell.append(byte)
      }
    }
    if quoted {
      throw ImportError(file: file, line: quoteLine, problem: "a quoted field is never closed")
    }
    return nil
  }
}
