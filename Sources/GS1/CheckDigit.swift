/// GS1's mod-10 check digit, shared by GTIN, GLN, SSCC and every other numeric key.
enum CheckDigit {
  /// The check digit for `body`, the digits before it: weights 3, 1, 3, 1… from the
  /// rightmost digit leftwards; the check digit brings the sum up to a multiple of 10.
  /// Returns nil if `body` holds anything but ASCII digits.
  static func mod10(for body: Substring.UTF8View) -> UInt8? {
    var sum = 0
    var weight = 3
    for byte in body.reversed() {
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
      sum += Int(byte - UInt8(ascii: "0")) * weight
      weight = 4 - weight
    }
    return UInt8((10 - sum % 10) % 10)
  }

  /// Checks the last digit of `digits` against the others. Throws a ``GS1Error`` that names
  /// the expected digit.
  static func verify(_ digits: String, subject: String) throws(GS1Error) {
    guard let last = digits.utf8.last, let expected = mod10(for: digits.dropLast().utf8) else {
      throw GS1Error(subject, digits, .notNumeric(position: 1))
    }
    if last - UInt8(ascii: "0") != expected {
      throw GS1Error(subject, digits, .checkDigit(expected: Character(String(expected))))
    }
  }
}

extension String {
  /// The 1-based position of the first character that is not an ASCII digit, or nil.
  var firstNonDigitPosition: Int? {
    var position = 1
    for byte in utf8 {
      if byte < UInt8(ascii: "0") || byte > UInt8(ascii: "9") { return position }
      position += 1
    }
    return nil
  }
}
