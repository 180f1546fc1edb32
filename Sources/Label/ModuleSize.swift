/// The printed size of one QR module (the X-dimension), snapped to whole printer dots.
public struct ModuleSize: Hashable, Sendable, CustomStringConvertible {
  /// GS1's smallest module for a QR code at retail, in millimetres.
  public static let gs1Minimum = 0.396
  /// GS1's largest module for a QR code at retail, in millimetres.
  public static let gs1Maximum = 0.990

  /// Printer resolution, dots per inch.
  public let dpi: Int
  /// Printer dots per module.
  public let dots: Int
  /// The size asked for, in millimetres.
  public let requested: Double
  /// Set when the module is below GS1's minimum and that was allowed.
  public let warning: String?

  /// The module's true size in millimetres: whole dots at this resolution.
  public var millimetres: Double { Double(dots) * 25.4 / Double(dpi) }

  /// Snaps `millimetres` to the nearest whole number of dots at `dpi`. A module smaller
  /// than GS1's 0.396 mm is refused unless `allowBelowMinimum`, in which case it is kept
  /// with a ``warning``.
  public init(millimetres: Double, dpi: Int, allowBelowMinimum: Bool = false) throws(LabelError) {
    guard (72...4800).contains(dpi) else {
      throw .invalidOption(
        name: "resolution", value: "\(dpi) dpi", reason: "must be 72 to 4800 dpi")
    }
    guard millimetres > 0, millimetres <= 10 else {
      throw .invalidOption(
        name: "module size", value: "\(millimetres) mm",
        reason: "must be more than 0 and at most 10 mm")
    }
    let smallest = Int((Self.gs1Minimum * Double(dpi) / 25.4).rounded(.up))
    var dots = max(1, Int((millimetres * Double(dpi) / 25.4).rounded()))
    // A size at or above the minimum never snaps below it: 0.4 mm at 600 dpi is 10 dots
    // (0.423 mm), not the nearer 9 (0.381 mm).
    if millimetres >= Self.gs1Minimum, dots < smallest { dots = smallest }
    let actual = Double(dots) * 25.4 / Double(dpi)
    var warning: String?
    if actual < Self.gs1Minimum - 1e-9 {
      let message =
        "\(Self.format(actual)) mm (\(dots) dots at \(dpi) dpi) is below GS1's "
        + "\(Self.gs1Minimum) mm minimum for QR at retail; \(smallest) dots "
        + "(\(Self.format(Double(smallest) * 25.4 / Double(dpi))) mm) is the smallest that meets it"
      guard allowBelowMinimum else {
        throw .invalidOption(name: "module size", value: "\(millimetres) mm", reason: message)
      }
      warning = message
    }
    self.dpi = dpi
    self.dots = dots
    self.requested = millimetres
    self.warning = warning
  }

  /// `0.423 mm (5 dots at 300 dpi)`.
  public var description: String { "\(Self.format(millimetres)) mm (\(dots) dots at \(dpi) dpi)" }

  /// Pixels per metre for a PNG pHYs chunk: round(dpi / 0.0254).
  public var pixelsPerMetre: UInt32 { UInt32((Double(dpi) / 0.0254).rounded()) }

  /// `value` to the thousandth, as `0.423`.
  public static func format(_ value: Double) -> String {
    let thousandths = Int((value * 1000).rounded())
    let sign = thousandths < 0 ? "-" : ""
    let fraction = String(abs(thousandths) % 1000)
    return sign + "\(abs(thousandths) / 1000)."
      + String(repeating: "0", count: 3 - fraction.count) + fraction
  }
}
