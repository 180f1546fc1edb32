import Foundation

/// A moment in UTC, written `2026-11-29T02:21:18.123Z`: fixed width, so text order is
/// time order.
public struct Timestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The ISO 8601 text.
  public let text: String

  /// Reads `YYYY-MM-DD`, `YYYY-MM-DDThh:mm:ssZ` or `YYYY-MM-DDThh:mm:ss.sssZ`.
  public init(_ text: String) throws(TraceError) {
    let bytes = Array(text.utf8)
    func digits(_ range: Range<Int>) -> Bool {
      range.upperBound <= bytes.count && bytes[range].allSatisfy { (0x30...0x39).contains($0) }
    }
    func at(_ index: Int, _ character: Character) -> Bool {
      index < bytes.count && bytes[index] == character.asciiValue
    }
    let dateOK = digits(0..<4) && at(4, "-") && digits(5..<7) && at(7, "-") && digits(8..<10)
    if dateOK && bytes.count == 10 {
      self.text = text + "T00:00:00.000Z"
    } else if dateOK && at(10, "T") && digits(11..<13) && at(13, ":") && digits(14..<16)
      && at(16, ":") && digits(17..<19)
    {
      if bytes.count == 20 && at(19, "Z") {
        self.text = String(text.prefix(19)) + ".000Z"
      } else if bytes.count == 24 && at(19, ".") && digits(20..<23) && at(23, "Z") {
        self.text = text
      } else {
        throw .invalidField(record: "timestamp", field: "time", value: text, reason: Self.format)
      }
    } else {
      throw .invalidField(record: "timestamp", field: "time", value: text, reason: Self.format)
    }
  }

  private static let format = "must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.sss]Z (UTC)"

  /// The moment `date`, to the millisecond.
  public init(_ date: Date) {
    var seconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    let milliseconds = seconds % 1000
    seconds /= 1000
    let days = Int(seconds / 86400)
    let rest = Int(seconds % 86400)
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    func pad(_ value: Int, _ width: Int) -> String {
      let digits = String(value)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    text =
      "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(rest / 3600, 2)):"
      + "\(pad(rest / 60 % 60, 2)):\(pad(rest % 60, 2)).\(pad(Int(milliseconds), 3))Z"
  }

  /// Now.
  public static func now() -> Timestamp { Timestamp(Date()) }

  /// The moment as a `Date`.
  public var date: Date {
    let parts = text.split(whereSeparator: { "-T:.Z".contains($0) }).compactMap { Int($0) }
    var components = DateComponents()
    components.timeZone = TimeZone(identifier: "UTC")
    (components.year, components.month, components.day) = (parts[0], parts[1], parts[2])
    (components.hour, components.minute, components.second) = (parts[3], parts[4], parts[5])
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
    let whole = calendar.date(from: components) ?? Date(timeIntervalSince1970: 0)
    return whole.addingTimeInterval(Double(parts[6]) / 1000)
  }

  /// The calendar day, `2026-11-29`.
  public var day: String { String(text.prefix(10)) }

  public var description: String { text }

  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.text < rhs.text }
}
