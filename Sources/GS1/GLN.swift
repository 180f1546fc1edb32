/// A Global Location Number: 13 digits with a mod-10 check digit, naming a producer's site.
public struct GLN: Hashable, Sendable, CustomStringConvertible {
  /// The 13 digits, check digit last.
  public let digits: String

  /// Parses a GLN and checks its check digit.
  public init(_ text: String) throws(GS1Error) {
    guard text.utf8.count == 13 else {
      throw GS1Error("GLN", text, .length(allowed: "13 digits"))
    }
    if let position = text.firstNonDigitPosition {
      throw GS1Error("GLN", text, .notNumeric(position: position))
    }
    try CheckDigit.verify(text, subject: "GLN")
    digits = text
  }

  public var description: String { digits }
}
