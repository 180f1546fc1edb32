import Crypto
import Foundation

/// An issuer's Ed25519 signing key: the key that signs every event a store records and
/// every signed trace link.
///
/// The private key lives only in its key file (mode 0600) and in memory; it never
/// appears in a description, an export or a log. Others verify with ``publicKey`` and
/// ``kid``, through a ``TrustList``.
public struct IssuerKey: Sendable, CustomStringConvertible, CustomReflectable {
  private let privateKey: Curve25519.Signing.PrivateKey
  /// Who the key belongs to: a producer, a cooperative, a provincial OCOP office.
  public let name: String

  /// Creates a new random key.
  public static func generate(name: String) throws(TraceError) -> IssuerKey {
    IssuerKey(privateKey: Curve25519.Signing.PrivateKey(), name: try Self.checkedName(name))
  }

  /// A key from its 32-byte seed; for test vectors, whose signatures must be reproducible.
  package init(seed: [UInt8], name: String) throws {
    self.init(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: seed), name: name)
  }

  private init(privateKey: Curve25519.Signing.PrivateKey, name: String) {
    self.privateKey = privateKey
    self.name = name
  }

  /// The 32-byte public key.
  public var publicKey: [UInt8] { Array(privateKey.publicKey.rawRepresentation) }

  /// The key id: the first 8 characters of the base32 SHA-256 of the public key.
  public var kid: String { Self.kid(of: publicKey) }

  /// The key id of a public key.
  public static func kid(of publicKey: [UInt8]) -> String {
    String(ByteText.base32(SHA256.hash(data: publicKey)).prefix(8))
  }

  /// Signs `message` (Ed25519, 64 bytes).
  public func sign(_ message: [UInt8]) throws(TraceError) -> [UInt8] {
    do {
      return Array(try privateKey.signature(for: message))
    } catch {
      throw .key(path: kid, reason: "signing failed: \(error)")
    }
  }

  /// The entry a trust list holds for this key.
  public func trustedIssuer(validFrom: Timestamp, validUntil: Timestamp? = nil) -> TrustedIssuer {
    TrustedIssuer(
      kid: kid, name: name, publicKey: publicKey, validFrom: validFrom, validUntil: validUntil,
      revoked: false)
  }

  /// Names the key by its id only.
  public var description: String { "IssuerKey(kid: \(kid), name: \(name))" }

  /// What `dump` and debuggers show: the key id and name, never the key.
  public var customMirror: Mirror { Mirror(self, children: ["kid": kid, "name": name]) }

  private static func checkedName(_ name: String) throws(TraceError) -> String {
    try Text.required(name, record: "issuer key", field: "name", maxLength: 200)
  }

  private struct FileContents: Codable {
    var format = "ocop-trace issuer key"
    var version = 1
    var name: String
    var kid: String
    var publicKey: String
    var privateKey: String
  }

  /// Writes the key to a new file that only its owner can read or write (mode 0600).
  /// An existing file is never overwritten.
  public func write(to path: String) throws(TraceError) {
    let contents = FileContents(
      name: name, kid: kid, publicKey: Data(publicKey).base64EncodedString(),
      privateKey: privateKey.rawRepresentation.base64EncodedString())
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let data: Data
    do { data = try encoder.encode(contents) } catch {
      throw .key(path: path, reason: "could not encode the key")
    }
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      let reason =
        errno == EEXIST
        ? "already exists; a key file is never overwritten" : String(cString: strerror(errno))
      throw .key(path: path, reason: reason)
    }
    defer { close(descriptor) }
    // The mode given to open is filtered by the umask; set it exactly.
    fchmod(descriptor, 0o600)
    let written = data.withUnsafeBytes { buffer in
      Foundation.write(descriptor, buffer.baseAddress, buffer.count)
    }
    guard written == data.count, fsync(descriptor) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(path)
      throw .key(path: path, reason: "could not be written: \(reason)")
    }
  }

  /// Reads a key file, refusing one that anyone but its owner can read or write.
  public static func load(from path: String) throws(TraceError) -> IssuerKey {
    var status = stat()
    guard stat(path, &status) == 0 else {
      throw .key(path: path, reason: String(cString: strerror(errno)))
    }
    try ownerOnly(status, path: path)
    guard let data = FileManager.default.contents(atPath: path),
      let contents = try? JSONDecoder().decode(FileContents.self, from: data),
      contents.format == "ocop-trace issuer key", contents.version == 1,
      let raw = Data(base64Encoded: contents.privateKey),
      let privateKey = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    else { throw .key(path: path, reason: "is not an ocop-trace issuer key file") }
    let key = IssuerKey(privateKey: privateKey, name: try checkedName(contents.name))
    guard key.kid == contents.kid else {
      throw .key(path: path, reason: "its key id does not match its key")
    }
    return key
  }

  /// Refuses a secret file (at `path`, with `status`) that anyone but its owner can read
  /// or write.
  static func ownerOnly(_ status: stat, path: String) throws(TraceError) {
    let mode = status.st_mode & 0o777
    guard mode & 0o077 == 0 else {
      throw .key(
        path: path,
        reason: "is readable or writable by others (mode \(String(mode, radix: 8))); "
          + "run: chmod 600 \(path)")
    }
  }
}
