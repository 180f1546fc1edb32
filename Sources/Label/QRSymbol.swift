import GS1

/// A QR symbol: its version and its square of modules, dark or light.
public struct QRSymbol: Hashable, Sendable {
  /// The version, 1 to 40.
  public let version: Int
  /// Modules along each side (17 + 4 × version), without the quiet zone.
  public let width: Int
  /// Row-major: `dark[row * width + column]`.
  public let dark: [Bool]
  /// The error-correction level.
  public let level: ErrorCorrection

  /// Whether the module at `row`, `column` is dark.
  public func isDark(row: Int, column: Int) -> Bool { dark[row * width + column] }

  /// Encodes `text` (case-sensitive) at `level` in the smallest version from
  /// `minimumVersion`, never above `maximumVersion`.
  public static func encode(
    _ text: String, level: ErrorCorrection = .medium, minimumVersion: Int = 1,
    maximumVersion: Int = 40
  ) throws(LabelError) -> QRSymbol {
    guard (1...40).contains(minimumVersion) else {
      throw .invalidOption(
        name: "minimum version", value: String(minimumVersion), reason: "must be 1 to 40")
    }
    guard (minimumVersion...40).contains(maximumVersion) else {
      throw .invalidOption(
        name: "maximum version", value: String(maximumVersion),
        reason: "must be from the minimum version (\(minimumVersion)) to 40")
    }
    // libqrencode treats the version asked for as a minimum and raises it silently:
    // the maximum is checked on what it made.
    if let symbol = try QREncoder.encode(text, level: level, minimumVersion: minimumVersion),
      symbol.version <= maximumVersion
    {
      return symbol
    }
    throw .tooLong(
      bytes: text.utf8.count, level: level,
      capacity: try byteCapacity(version: maximumVersion, level: level),
      maximumVersion: maximumVersion)
  }

  /// How many bytes of text (in byte mode) a symbol of `version` holds at `level`,
  /// found by asking libqrencode, so no capacity table is copied here.
  static func byteCapacity(version: Int, level: ErrorCorrection) throws(LabelError) -> Int {
    var low = 0
    var high = 3000
    while low < high {
      let middle = (low + high + 1) / 2
      let fits =
        try QREncoder.encode(
          String(repeating: "a", count: middle), level: level, minimumVersion: version
        )
        .map { $0.version <= version } ?? false
      if fits { low = middle } else { high = middle - 1 }
    }
    return low
  }
}

/// The symbol chosen for a Digital Link, and the exact text it carries.
public struct LinkSymbol: Hashable, Sendable {
  /// The text encoded: the link, with scheme and host in the casing that gave the
  /// smaller symbol.
  public let text: String
  /// The symbol.
  public let symbol: QRSymbol
  /// Whether scheme and host were written in upper case.
  public let uppercasedSchemeAndHost: Bool

  /// Encodes `link` in the smallest symbol: scheme and host may be written in either case
  /// without changing the link's meaning, so both are tried and the smaller version wins
  /// (lower case on a tie, as people read it). Path and query are never touched.
  public static func smallest(
    for link: DigitalLink, level: ErrorCorrection = .medium, minimumVersion: Int = 1,
    maximumVersion: Int = 40
  ) throws(LabelError) -> LinkSymbol {
    var best: LinkSymbol?
    var lastError: LabelError?
    for upper in [false, true] {
      let text = link.withSchemeAndHost(uppercased: upper).uri
      do {
        let symbol = try QRSymbol.encode(
          text, level: level, minimumVersion: minimumVersion, maximumVersion: maximumVersion)
        if best == nil || symbol.version < best!.symbol.version {
          best = LinkSymbol(text: text, symbol: symbol, uppercasedSchemeAndHost: upper)
        }
      } catch {
        lastError = error
      }
    }
    if let best { return best }
    throw lastError ?? .emptyText
  }
}
