/// Why a code or label could not be made, and what to do about it.
public enum LabelError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The text does not fit in any QR symbol allowed.
  case tooLong(bytes: Int, level: ErrorCorrection, capacity: Int, maximumVersion: Int)
  /// The text was empty.
  case emptyText
  /// A size or option is out of range.
  case invalidOption(name: String, value: String, reason: String)
  /// libqrencode, libpng or libzbar failed.
  case library(name: String, reason: String)
  /// A code read back from a label is not the URL it was meant to carry.
  case readBack(label: String, expected: String, found: [String])

  public var description: String {
    switch self {
    case .tooLong(let bytes, let level, let capacity, let version):
      "the URL has \(bytes) bytes; a QR code of version \(version) at error correction "
        + "\(level.rawValue) holds at most \(capacity) (choose a lower level, a higher maximum "
        + "version, or a shorter URL)"
    case .emptyText: "there is nothing to encode"
    case .invalidOption(let name, let value, let reason): "\(name) \(value): \(reason)"
    case .library(let name, let reason): "\(name): \(reason)"
    case .readBack(let label, let expected, let found):
      found.isEmpty
        ? "label \(label): no QR code could be read back (expected \(expected))"
        : "label \(label): read back \(found.joined(separator: ", ")), expected \(expected)"
    }
  }
}

/// QR error-correction level: how much of the symbol may be damaged and still read.
public enum ErrorCorrection: String, CaseIterable, Sendable {
  /// L: about 7 % recoverable.
  case low = "L"
  /// M: about 15 %; the default, suited to packaging.
  case medium = "M"
  /// Q: about 25 %.
  case quartile = "Q"
  /// H: about 30 %.
  case high = "H"
}
