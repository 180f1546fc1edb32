import Foundation

/// A GS1 date (AI 11, 13, 15, 16, 17…): six digits `YYMMDD`, where day `00` means the
/// last day of the month.
public struct GS1Date: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The full year, resolved from two digits by GS1's 50-year window.
  public let year: Int
  /// The month, 1–12.
  public let month: Int
  /// The day as written, 0–31; 0 stands for the end of the month.
  public let dayAsWritten: Int

  /// Creates a date from its parts; `day` 0 means the end of the month.
  public init(year: Int, month: Int, day: Int) throws(GS1Error) {
    let written = Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
    guard (1951...2149).contains(year) else {
      throw GS1Error("date", written, .content("year must be within GS1's 1951–2149 window"))
    }
    guard (1...12).contains(month) else {
      throw GS1Error("date", written, .content("month \(month) is not 01–12"))
    }
    guard (0...Linter.daysIn(month: month, leap: Self.isLeap(year))).contains(day) else {
      throw GS1Error("date", written, .content("day \(day) does not exist in month \(month)"))
    }
    self.year = year
    self.month = month
    self.dayAsWritten = day
  }

  /// Reads `YYMMDD`, placing the year in the century that GS1 General Specifications
  /// (section 7.12) prescribe: within 49 years ahead of, or 50 years behind, `referenceYear`.
  public init(yymmdd text: String, referenceYear: Int) throws(GS1Error) {
    guard text.utf8.count == 6, text.firstNonDigitPosition == nil,
      let yy = Int(text.prefix(2)), let month = Int(text.dropFirst(2).prefix(2)),
      let day = Int(text.suffix(2))
    else { throw GS1Error("date", text, .content("must be six digits YYMMDD")) }
    let century = referenceYear - referenceYear % 100
    var year = century + yy
    let difference = yy - referenceYear % 100
    if difference >= 51 { year -= 100 } else if difference <= -50 { year += 100 }
    try self.init(year: year, month: month, day: day)
  }

  /// Reads an ISO 8601 calendar date, `2026-12-31`.
  public init(iso text: String) throws(GS1Error) {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].utf8.count == 4, parts[1].utf8.count == 2,
      parts[2].utf8.count == 2, let year = Int(parts[0]), let month = Int(parts[1]),
      let day = Int(parts[2]), parts.allSatisfy({ String($0).firstNonDigitPosition == nil })
    else { throw GS1Error("date", text, .content("must be written YYYY-MM-DD")) }
    guard day > 0 else { throw GS1Error("date", text, .content("day 00 is not a calendar day")) }
    try self.init(year: year, month: month, day: day)
  }

  /// The day of the month, with day 00 resolved to the month's last day.
  public var day: Int {
    dayAsWritten == 0 ? Linter.daysIn(month: month, leap: Self.isLeap(year)) : dayAsWritten
  }

  /// The six digits GS1 encodes.
  public var yymmdd: String {
    Self.pad(year % 100, 2) + Self.pad(month, 2) + Self.pad(dayAsWritten, 2)
  }

  /// ISO 8601, `2026-12-31`, with day 00 resolved.
  public var iso: String { Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2) }

  /// Day/month/year as Vietnamese labels write dates, `31/12/2026`.
  public var dayMonthYear: String {
    Self.pad(day, 2) + "/" + Self.pad(month, 2) + "/" + String(year)
  }

  public var description: String { iso }

  /// The same day `months` later, or the month's last day when it is shorter:
  /// 2025-01-31 plus one month is 2025-02-28.
  public func addingMonths(_ months: Int) -> GS1Date {
    let index = year * 12 + (month - 1) + months
    let newYear = index / 12
    let newMonth = index % 12 + 1
    let newDay = Swift.min(day, Linter.daysIn(month: newMonth, leap: Self.isLeap(newYear)))
    return GS1Date(unchecked: newYear, newMonth, newDay)
  }

  /// A date as people type it: `2026-11-02`, or day first as Vietnamese documents and
  /// spreadsheets write it, `02/11/2026` (day and month may have one digit).
  public init(entered text: String) throws(GS1Error) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[2].count == 4, (1...2).contains(parts[0].count),
      (1...2).contains(parts[1].count)
    else {
      try self.init(iso: text)
      return
    }
    func pad(_ part: Substring) -> String { part.count == 1 ? "0" + part : String(part) }
    try self.init(iso: "\(parts[2])-\(pad(parts[1]))-\(pad(parts[0]))")
  }

  /// The day `days` later (earlier when negative).
  public func adding(days: Int) -> GS1Date {
    var year = year
    var month = month
    var remaining = days
    var day = self.day
    while remaining > 0 {
      let length = Linter.daysIn(month: month, leap: Self.isLeap(year))
      if day + remaining <= length {
        day += remaining
        remaining = 0
      } else {
        remaining -= length - day + 1
        day = 1
        month += 1
        if month > 12 {
          month = 1
          year += 1
        }
      }
    }
    while remaining < 0 {
      if day + remaining >= 1 {
        day += remaining
        remaining = 0
      } else {
        remaining += day
        month -= 1
        if month < 1 {
          month = 12
          year -= 1
        }
        day = Linter.daysIn(month: month, leap: Self.isLeap(year))
      }
    }
    return GS1Date(unchecked: year, month, day)
  }

  /// Today, in the machine's calendar.
  public static func today() -> GS1Date {
    let parts = Calendar(identifier: .gregorian).dateComponents(
      [.year, .month, .day], from: Date())
    return GS1Date(unchecked: parts.year ?? 2000, parts.month ?? 1, parts.day ?? 1)
  }

  private init(unchecked year: Int, _ month: Int, _ day: Int) {
    self.year = year
    self.month = month
    self.dayAsWritten = day
  }

  public static func < (lhs: GS1Date, rhs: GS1Date) -> Bool {
    (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
  }

  /// Whether `year` is a Gregorian leap year.
  public static func isLeap(_ year: Int) -> Bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
  }

  private static func pad(_ number: Int, _ width: Int) -> String {
    let digits = String(number)
    return String(repeating: "0", count: max(0, width - digits.utf8.count)) + digits
  }
}
