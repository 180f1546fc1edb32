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
    var body = bytes[...]
    if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
    if body.starts(with: [0xFF, 0xFE]) || body.starts(with: [0xFE, 0xFF]) {
      throw ImportError(
        file: file, problem: "is UTF-16; save it as CSV UTF-8 (comma delimited) and import again")
    }
    guard let text = String(validating: body, as: UTF8.self) else {
      throw ImportError(
        file: file, line: Self.firstInvalidLine(body),
        problem: "is not UTF-8 text (perhaps Windows-1258 or TCVN3); save it as CSV UTF-8")
    }
    var records = try Self.parse(text, file: file)
    guard !records.isEmpty else { throw ImportError(file: file, problem: "is empty: no header") }
    let header = records.removeFirst()
    self.header = header.cells.map { $0.trimmed(newlines: false) }
    for record in records where record.cells.count != header.cells.count {
      throw ImportError(
        file: file, line: record.line,
        problem: "has \(record.cells.count) fields; the header has \(header.cells.count)")
    }
    self.records = records
  }

  /// Reads the file at `path`.
  public init(path: String) throws(ImportError) {
    guard let data = FileManager.default.contents(atPath: path) else {
      let reason =
        FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
      throw ImportError(file: path, problem: reason)
    }
    try self.init(bytes: Array(data), file: path)
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

  private static func parse(_ text: String, file: String) throws(ImportError) -> [Record] {
    var records: [Record] = []
    var cells: [String] = []
    var cell: [UInt8] = []
    var line = 1
    var recordLine = 1
    var quoted = false
    var quoteLine = 0
    var afterQuote = false
    var bytes = Array(text.utf8)
    bytes.append(0x0A)
    var index = 0
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
        if !(cells.count == 1 && cells[0].isEmpty) {
          records.append(Record(line: recordLine, cells: cells))
        }
        cells.removeAll()
        line += 1
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
    return records
  }
}
