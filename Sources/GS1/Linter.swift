/// GS1's content checks ("linters"), named as in the syntax dictionary.
///
/// Each check looks at one component of an AI value after its length and character set
/// have passed. A few checks need code lists that GS1 publishes separately (ISO 3166
/// countries, ISO 4217 currencies, UN/ECE package types, coupon grammars); those are
/// listed in ``Linter/isFormatOnly`` and pass on format alone.
public enum Linter: String, Sendable, CaseIterable {
  case csum, csumalpha, gcppos1, gcppos2
  case yymmd0, yymmdd, yyyymmdd, hhmi, hh, mi, ss
  case iso4217, iso3166, iso3166999, iso3166alpha2, iban
  case pcenc, latitude, longitude, yesno, hyphen, importeridx, packagetype, mediatype
  case iso5218, posinseqslash, nonzero, zero, winding, pieceoftotal, nozeroprefix
  case hasnondigit, couponcode, couponposoffer

  /// Whether the check needs an external code list and is not run (the component's length
  /// and character set are still checked).
  public var isFormatOnly: Bool {
    switch self {
    case .iso4217, .iso3166, .iso3166999, .iso3166alpha2, .packagetype, .mediatype,
      .couponcode, .couponposoffer:
      true
    default: false
    }
  }

  /// Runs the check on one component; returns why it failed, or nil when it passes.
  func problem(in data: Substring) -> String? {
    let bytes = Array(data.utf8)
    switch self {
    case .csum:
      guard let last = bytes.last, let expected = CheckDigit.mod10(for: data.dropLast().utf8)
      else { return "is not numeric" }
      return last - 0x30 == expected ? nil : "check digit should be \(expected)"
    case .csumalpha: return Self.alphanumericCheckPairProblem(bytes)
    case .gcppos1: return Self.companyPrefixProblem(bytes, from: 0)
    case .gcppos2: return Self.companyPrefixProblem(bytes, from: 1)
    case .yymmd0: return Self.dateProblem(bytes, yearDigits: 2, dayZeroAllowed: true)
    case .yymmdd: return Self.dateProblem(bytes, yearDigits: 2, dayZeroAllowed: false)
    case .yyyymmdd: return Self.dateProblem(bytes, yearDigits: 4, dayZeroAllowed: false)
    case .hhmi:
      return Self.range(bytes, 0, 2, 0...23, "hour") ?? Self.range(bytes, 2, 2, 0...59, "minute")
    case .hh: return Self.range(bytes, 0, 2, 0...23, "hour")
    case .mi: return Self.range(bytes, 0, 2, 0...59, "minute")
    case .ss: return Self.range(bytes, 0, 2, 0...59, "second")
    case .iban: return Self.ibanProblem(bytes)
    case .pcenc:
      return PercentEncoding.hasWellFormedEscapes(bytes)
        ? nil : "'%' must be followed by two hexadecimal digits"
    case .latitude: return Self.range(bytes, 0, bytes.count, 0...1_800_000_000, "latitude")
    case .longitude: return Self.range(bytes, 0, bytes.count, 0...3_600_000_000, "longitude")
    case .yesno: return data == "0" || data == "1" ? nil : "must be 0 (no) or 1 (yes)"
    case .hyphen: return data == "-" ? nil : "must be a hyphen"
    case .importeridx:
      return bytes.allSatisfy { Self.isAlphanumeric($0) || $0 == 0x2D || $0 == 0x5F }
        ? nil : "is not a valid importer index"
    case .iso5218: return ["0", "1", "2", "9"].contains(data) ? nil : "must be 0, 1, 2 or 9"
    case .posinseqslash: return Self.positionInSequenceProblem(bytes)
    case .nonzero: return bytes.allSatisfy { $0 == 0x30 } ? "must not be zero" : nil
    case .zero: return data == "0" ? nil : "must be 0"
    case .winding: return ["0", "1", "9"].contains(data) ? nil : "winding must be 0, 1 or 9"
    case .pieceoftotal: return Self.pieceOfTotalProblem(bytes)
    case .nozeroprefix:
      return bytes.count > 1 && bytes.first == 0x30 ? "must not start with 0" : nil
    case .hasnondigit:
      return bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } ? "must contain a non-digit" : nil
    case .iso4217, .iso3166, .iso3166999, .iso3166alpha2, .packagetype, .mediatype,
      .couponcode, .couponposoffer:
      return nil
    }
  }

  private static func isAlphanumeric(_ byte: UInt8) -> Bool {
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
      || (byte >= 0x61 && byte <= 0x7A)
  }

  private static func number(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int? {
    guard start + count <= bytes.count, count > 0 else { return nil }
    var value = 0
    for byte in bytes[start..<(start + count)] {
      guard byte >= 0x30, byte <= 0x39 else { return nil }
      value = value * 10 + Int(byte - 0x30)
    }
    return value
  }

  private static func range(
    _ bytes: [UInt8], _ start: Int, _ count: Int, _ allowed: ClosedRange<Int>, _ what: String
  ) -> String? {
    guard let value = number(bytes, start, count) else { return "\(what) is not numeric" }
    return allowed.contains(value)
      ? nil : "\(what) \(value) is outside \(allowed.lowerBound)–\(allowed.upperBound)"
  }

  /// Days in `month`; February has 29 in a leap year.
  static func daysIn(month: Int, leap: Bool) -> Int {
    switch month {
    case 2: leap ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  private static func dateProblem(_ bytes: [UInt8], yearDigits: Int, dayZeroAllowed: Bool)
    -> String?
  {
    guard let year = number(bytes, 0, yearDigits),
      let month = number(bytes, yearDigits, 2), let day = number(bytes, yearDigits + 2, 2)
    else { return "is not a date" }
    guard (1...12).contains(month) else { return "month \(month) is not 01–12" }
    if day == 0 {
      return dayZeroAllowed ? nil : "day 00 is not allowed here"
    }
    // A two-digit year lies within 50 years of today; every year divisible by 4 in that
    // window (2000 included) is a leap year.
    let leap = yearDigits == 2 ? year % 4 == 0 : GS1Date.isLeap(year)
    let days = daysIn(month: month, leap: leap)
    return day <= days ? nil : "day \(day) does not exist in month \(month)"
  }

  private static func companyPrefixProblem(_ bytes: [UInt8], from start: Int) -> String? {
    guard bytes.count >= start + 4 else { return "is too short to hold a GS1 company prefix" }
    let prefix = bytes[start..<(start + 4)]
    return prefix.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
      ? nil : "does not start with a GS1 company prefix"
  }

  private static let cset82Order = Array(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz".utf8)
  private static let cset32Order = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ".utf8)

  // GS1 General Specifications, check character pair for alphanumeric keys: data
  // characters valued by their place in CSET 82, weighted by successive primes from the
  // right, summed modulo 1021; the two check characters are that sum's high and low five
  // bits, written in CSET 32.
  private static func alphanumericCheckPairProblem(_ bytes: [UInt8]) -> String? {
    guard bytes.count >= 2 else { return "is too short for a check character pair" }
    var primes: [Int] = []
    var candidate = 2
    while primes.count < bytes.count - 2 {
      if primes.allSatisfy({ candidate % $0 != 0 }) { primes.append(candidate) }
      candidate += 1
    }
    var sum = 0
    for (index, byte) in bytes.dropLast(2).reversed().enumerated() {
      guard let value = cset82Order.firstIndex(of: byte) else { return "is not in CSET 82" }
      sum += value * primes[index]
    }
    sum %= 1021
    let expected = [cset32Order[sum >> 5], cset32Order[sum & 31]]
    return Array(bytes.suffix(2)) == expected
      ? nil : "check characters should be \(String(decoding: expected, as: UTF8.self))"
  }

  private static func ibanProblem(_ bytes: [UInt8]) -> String? {
    guard bytes.count >= 5, bytes[0...1].allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }),
      number(bytes, 2, 2) != nil
    else { return "is not an IBAN (country code, two check digits, account)" }
    var remainder = 0
    for byte in bytes[4...] + bytes[0..<4] {
      switch byte {
      case 0x30...0x39: remainder = (remainder * 10 + Int(byte - 0x30)) % 97
      case 0x41...0x5A: remainder = (remainder * 100 + Int(byte - 0x41 + 10)) % 97
      default: return "IBAN holds a character other than A–Z and 0–9"
      }
    }
    return remainder == 1 ? nil : "IBAN check digits do not match"
  }

  private static func positionInSequenceProblem(_ bytes: [UInt8]) -> String? {
    guard bytes.count == 3, bytes[1] == 0x2F, let position = number(bytes, 0, 1),
      let total = number(bytes, 2, 1), position >= 1, total >= 1, position <= total
    else { return "must be position/total, such as 1/2" }
    return nil
  }

  private static func pieceOfTotalProblem(_ bytes: [UInt8]) -> String? {
    guard let piece = number(bytes, 0, bytes.count / 2),
      let total = number(bytes, bytes.count / 2, bytes.count / 2)
    else { return "is not numeric" }
    guard piece >= 1, total >= 1 else { return "piece and total must be at least 1" }
    return piece <= total ? nil : "piece \(piece) is beyond the total \(total)"
  }
}
