/// The resolver's record of scans of serialised codes: not part of the signed log, kept
/// where the resolver may write (a file beside the store, or the primary database).
public protocol ScanLog: Sendable {
  /// Records a scan of `serial` under `lot` from `place` and returns the summary with it.
  func record(_ lot: LotReference, serial: String, place: String, at time: Timestamp)
    async throws(TraceError) -> ScanSummary
  /// The summary of the scans recorded for `serial` under `lot`, recording nothing.
  func summary(_ lot: LotReference, serial: String) async throws(TraceError) -> ScanSummary
}

/// How often, and from how many places, a serialised code has been scanned.
public struct ScanSummary: Hashable, Sendable {
  /// A summary as a scan log counts it.
  package init(scans: Int, places: Int, firstSeen: Timestamp?, unusual: Bool) {
    self.scans = scans
    self.places = places
    self.firstSeen = firstSeen
    self.unusual = unusual
  }

  /// Scans recorded, this one included.
  public let scans: Int
  /// Distinct places (truncated client networks) they came from.
  public let places: Int
  /// The first scan's time.
  public let firstSeen: Timestamp?
  /// Whether the count or the spread is unusual for one physical item: a sign of a copied
  /// code.
  public let unusual: Bool

  /// More scans than this, or scans from more places than ``placeLimit``, are unusual.
  public static let scanLimit = 10
  public static let placeLimit = 3
}

/// Where a scan came from, as the scan log keeps it: the client's network, hashed.
public enum ScanPlace {
  /// The place a client address stands for: its network, hashed.
  public static func of(address: String?) -> String {
    guard let address, !address.isEmpty else { return "unknown" }
    let network: String
    if address.contains(":") {
      network = address.split(separator: ":", omittingEmptySubsequences: false).prefix(3)
        .joined(separator: ":")
    } else {
      network = address.split(separator: ".").prefix(3).joined(separator: ".")
    }
    let digest = network.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) {
      ($0 ^ UInt64($1)) &* 0x100_0000_01b3
    }
    return String(digest, radix: 16)
  }

}
