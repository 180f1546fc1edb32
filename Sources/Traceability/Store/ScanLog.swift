import Crypto
import Foundation

/// Where the resolver counts scans of serialised codes. It is not part of the signed log:
/// neither signed nor audited, and bounded by retention settings.
public protocol ScanLog: Sendable {
  /// Records `scans` together, in one transaction.
  func record(_ scans: [Scan]) async throws(TraceError)
  /// How often `serial` under `lot` has been scanned, by place, as stored; and which of
  /// `ids` (scans of it given to ``record(_:)`` that may not be stored yet) are stored. One
  /// snapshot answers both, so a caller that adds the scans not stored counts each once.
  func tally(_ lot: LotReference, serial: String, storedAmong ids: [String])
    async throws(TraceError) -> (tally: ScanTally, stored: Set<String>)
  /// Removes the scans recorded before `cutoff` (when given), then the oldest beyond `rows`
  /// (when given); returns how many were removed.
  func prune(before cutoff: Timestamp?, keepingAtMost rows: Int?) async throws(TraceError) -> Int
}

/// One scan as the log keeps it: the code, a hashed place, the time, and a random id that
/// tells it apart; never the client's address.
public struct Scan: Hashable, Sendable {
  public let lot: LotReference
  public let serial: String
  public let place: String
  public let time: Timestamp
  public let id: String

  public init(
    lot: LotReference, serial: String, place: String, time: Timestamp,
    id: String = ByteText.hex((0..<8).map { _ in UInt8.random(in: 0...255) })
  ) {
    self.lot = lot
    self.serial = serial
    self.place = place
    self.time = time
    self.id = id
  }
}

/// The scans of one serialised code, by place.
public struct ScanTally: Hashable, Sendable {
  /// Scans by place.
  public private(set) var places: [String: Int] = [:]
  /// The first scan's time.
  public private(set) var firstSeen: Timestamp?

  public init() {}

  /// Counts `count` scans from `place`, the first of them at `first`.
  public mutating func add(place: String, count: Int, first: Timestamp?) {
    guard count > 0 else { return }
    places[place, default: 0] += count
    if let first, firstSeen.map({ first < $0 }) ?? true { firstSeen = first }
  }

  /// Counts one scan.
  public mutating func add(_ scan: Scan) {
    add(place: scan.place, count: 1, first: scan.time)
  }

  /// What the resolver shows.
  public var summary: ScanSummary {
    let scans = places.values.reduce(0, +)
    return ScanSummary(
      scans: scans, places: places.count, firstSeen: firstSeen,
      unusual: places.count > ScanSummary.placeLimit)
  }
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
  /// Distinct places (client networks, hashed) they came from.
  public let places: Int
  /// The first scan's time.
  public let firstSeen: Timestamp?
  /// Whether the spread is unusual for one physical item: scans from more places than
  /// ``placeLimit``, a sign of a copied code. However often it is scanned from a few places
  /// (a shopper reloading, a family passing the package round), a code is not unusual.
  public let unusual: Bool

  /// Scans from more distinct places than this are unusual: one package travels from a
  /// shop to a home, and a phone changes networks on the way, but it does not turn up in
  /// six networks.
  public static let placeLimit = 5
}

/// Where a scan came from, as the scan log keeps it: the client's network (an IPv4 /24, an
/// IPv6 /48; an IPv4 client seen through an IPv6 socket as its IPv4 network), hashed with
/// a secret key, so the log cannot be turned back into networks by trying them all.
public enum ScanPlace {
  /// The place a client address stands for at `time`, hashed with `key`.
  public static func of(address: String?, key: ScanPlaceKey, at time: Timestamp) -> String {
    guard let address, !address.isEmpty, let network = network(address) else { return "unknown" }
    let code = HMAC<SHA256>.authenticationCode(for: network, using: key.periodKey(at: time))
    return ByteText.hex(code.prefix(8))
  }

  /// The network of a numeric address: a family byte and the kept prefix; nil for text
  /// that is not an address.
  package static func network(_ address: String) -> [UInt8]? {
    // A zone (fe80::1%eth0) names an interface, not a network.
    let text = address.split(separator: "%", maxSplits: 1).first.map(String.init) ?? address
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1 {
      return [4] + withUnsafeBytes(of: &v4) { Array($0.prefix(3)) }
    }
    var v6 = in6_addr()
    guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
    let bytes = withUnsafeBytes(of: &v6) { Array($0) }
    if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
      return [4] + bytes[12..<15]
    }
    return [6] + bytes.prefix(6)
  }
}

/// The secret that keys scan places: 32 random bytes in a file of the workspace, readable
/// by its owner only. Each calendar month (UTC) hashes with a key derived from it, so places
/// rotate monthly without the resolvers that share a scan log having to agree on anything
/// but the file.
public struct ScanPlaceKey: Sendable {
  private let secret: SymmetricKey

  /// A new random key.
  public static func generate() -> ScanPlaceKey {
    ScanPlaceKey(secret: SymmetricKey(size: .bits256))
  }

  /// The key for the month of `time`.
  func periodKey(at time: Timestamp) -> SymmetricKey {
    let month = String(time.text.prefix(7))
    let code = HMAC<SHA256>.authenticationCode(
      for: Data("ocop-trace scan place \(month)".utf8), using: secret)
    return SymmetricKey(data: Data(code))
  }

  private static let header = "ocop-trace scan place key 1\n"

  /// Reads the key at `path`, or makes one there if there is no file: returns the key and
  /// whether it was made.
  public static func loadOrCreate(path: String) throws(TraceError) -> (ScanPlaceKey, made: Bool) {
    var status = stat()
    if lstat(path, &status) != 0 {
      guard errno == ENOENT else {
        throw .key(path: path, reason: String(cString: strerror(errno)))
      }
      let key = generate()
      try key.write(to: path)
      return (key, true)
    }
    return (try load(from: path), false)
  }

  /// Reads a key file, refusing one that anyone but its owner can read or write.
  public static func load(from path: String) throws(TraceError) -> ScanPlaceKey {
    var status = stat()
    guard lstat(path, &status) == 0 else {
      throw .key(path: path, reason: String(cString: strerror(errno)))
    }
    guard status.st_mode & S_IFMT == S_IFREG else {
      throw .key(path: path, reason: "is not a regular file (a link or a folder)")
    }
    try IssuerKey.ownerOnly(status, path: path)
    guard let data = FileManager.default.contents(atPath: path),
      let text = String(data: data, encoding: .utf8), text.hasPrefix(header)
    else { throw .key(path: path, reason: "is not an ocop-trace scan place key file") }
    let hex = text.dropFirst(header.count).trimmingCharacters(in: .whitespacesAndNewlines)
    guard let bytes = ByteText.bytes(hex: hex), bytes.count == 32 else {
      throw .key(path: path, reason: "does not hold a 32-byte key in hexadecimal")
    }
    return ScanPlaceKey(secret: SymmetricKey(data: bytes))
  }

  /// Writes the key to a new file that only its owner can read or write (mode 0600); an
  /// existing file or link is never followed or overwritten.
  public func write(to path: String) throws(TraceError) {
    let hex = secret.withUnsafeBytes { ByteText.hex($0) }
    let data = Array((Self.header + hex + "\n").utf8)
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw .key(path: path, reason: String(cString: strerror(errno)))
    }
    defer { close(descriptor) }
    fchmod(descriptor, 0o600)
    let written = data.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
    guard written == data.count, fsync(descriptor) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(path)
      throw .key(path: path, reason: "could not be written: \(reason)")
    }
  }
}
