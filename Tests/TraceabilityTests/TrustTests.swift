import Foundation
import GS1
import TestSupport
import Testing

@testable import Traceability

@Suite("Issuer keys, trust lists and signed links")
struct TrustTests {
  @Test func keyFilesAreWrittenOwnerOnlyAndNeverOverwritten() throws {
    let folder = TemporaryFolder()
    let path = folder.file("issuer.key")
    let key = try IssuerKey.generate(name: "HTX Mắm Châu Đốc")
    try key.write(to: path)
    let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    #expect(mode == 0o600)
    #expect(
      throws: TraceError.key(path: path, reason: "already exists; a key file is never overwritten")
    ) {
      try key.write(to: path)
    }
    let loaded = try IssuerKey.load(from: path)
    #expect(loaded.kid == key.kid)
    #expect(loaded.name == "HTX Mắm Châu Đốc")
  }

  @Test(arguments: [0o644, 0o640, 0o604, 0o660])
  func keyFilesOthersCanReadAreRefused(_ mode: Int) throws {
    let folder = TemporaryFolder()
    let path = folder.file("issuer.key")
    try IssuerKey.generate(name: "A").write(to: path)
    chmod(path, mode_t(mode))
    let error = #expect(throws: TraceError.self) { try IssuerKey.load(from: path) }
    #expect(error?.description.contains("chmod 600") == true)
  }

  @Test func aDamagedKeyFileIsRefused() throws {
    let folder = TemporaryFolder()
    let path = folder.file("issuer.key")
    _ = FileManager.default.createFile(
      atPath: path, contents: Data("{}".utf8), attributes: [.posixPermissions: 0o600])
    #expect(throws: TraceError.key(path: path, reason: "is not an ocop-trace issuer key file")) {
      try IssuerKey.load(from: path)
    }
  }

  @Test func thePrivateKeyNeverAppearsInDescriptionsOrTrustLists() throws {
    let folder = TemporaryFolder()
    let path = folder.file("issuer.key")
    let key = try IssuerKey.generate(name: "A")
    try key.write(to: path)
    let file =
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
      as? [String: Any]
    let secret = try #require(file?["privateKey"] as? String)
    let list = String(
      decoding: TrustList([key.trustedIssuer(validFrom: .now())]).json(), as: UTF8.self)
    #expect(!list.contains(secret))
    #expect(!String(describing: key).contains(secret))
    #expect(!"\(key)".contains(secret))
    // Nor in what a debugger or a log of the value would show, in any encoding.
    var dumped = ""
    dump(key, to: &dumped)
    let raw = try #require(Data(base64Encoded: secret))
    let forms = [
      secret, raw.map { String(format: "%02x", $0) }.joined(),
      secret.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"),
      raw.map { String($0) }.joined(separator: ", "),
    ]
    for shown in [
      String(reflecting: key), dumped, "\(Mirror(reflecting: key).children.map(\.value))",
    ] {
      for form in forms { #expect(!shown.contains(form), "\(shown.prefix(80))") }
    }
  }

  @Test func trustListsRoundTripAndMerge() throws {
    let a = try IssuerKey.generate(name: "Sở NN&PTNT An Giang")
    let b = try IssuerKey.generate(name: "HTX B")
    var list = TrustList([a.trustedIssuer(validFrom: try Timestamp("2026-01-01"))])
    let read = try TrustList(json: list.json())
    #expect(read == list)
    let revokedA = TrustedIssuer(
      kid: a.kid, name: a.name, publicKey: a.publicKey, validFrom: try Timestamp("2026-01-01"),
      validUntil: nil,
      revoked: true)
    try list.merge(TrustList([revokedA, b.trustedIssuer(validFrom: try Timestamp("2026-01-01"))]))
    #expect(list.issuers.count == 2)
    #expect(list.issuers[a.kid]?.revoked == true)
    // A revocation stays when a later list does not carry it.
    try list.merge(TrustList([a.trustedIssuer(validFrom: try Timestamp("2026-01-01"))]))
    #expect(list.issuers[a.kid]?.revoked == true)
  }

  @Test func trustListsWithAMismatchedKeyAreRefused() throws {
    let a = try IssuerKey.generate(name: "A")
    let b = try IssuerKey.generate(name: "B")
    let text = String(
      decoding: TrustList([a.trustedIssuer(validFrom: .now())]).json(), as: UTF8.self
    )
    .replacingOccurrences(
      of: Data(a.publicKey).base64EncodedString(), with: Data(b.publicKey).base64EncodedString())
    #expect(throws: TraceError.self) { try TrustList(json: Data(text.utf8)) }
    #expect(throws: TraceError.self) { try TrustList(json: Data("{\"issuers\":[]}".utf8)) }
    var list = TrustList([a.trustedIssuer(validFrom: .now())])
    let impostor = TrustedIssuer(
      kid: a.kid, name: "A", publicKey: b.publicKey, validFrom: .now(), validUntil: nil,
      revoked: false)
    #expect(throws: TraceError.self) { try list.merge(TrustList([impostor])) }
  }

  static let link = try! DigitalLink(
    parsing:
      "https://truyxuat.angiang.example/01/08936059000017/10/DTN-01/21/42?17=271101&11=261102")

  @Test func signedLinksVerifyOfflineWithTheTrustListAlone() throws {
    let key = try IssuerKey(seed: [UInt8](repeating: 3, count: 32), name: "HTX")
    let list = TrustList([key.trustedIssuer(validFrom: try Timestamp("2026-01-01"))])
    let signed = try SignedLink.sign(Self.link, with: key)
    let value = try #require(signed.parameter("s"))
    #expect(value.utf8.count == 168)
    #expect(value.utf8.allSatisfy { (0x30...0x39).contains($0) })
    // Still a valid Digital Link, and the signature survives a round trip of the URI.
    let scanned = try DigitalLink(parsing: signed.uri)
    #expect(
      SignedLink.verify(scanned, trustList: list, at: .now()) == .valid(kid: key.kid, issuer: "HTX")
    )
    // The same data under another host, or with its attributes in another order, verifies.
    let moved = try DigitalLink(
      parsing:
        "HTTPS://EXAMPLE.ORG/x/01/08936059000017/10/DTN-01/21/42?11=261102&17=271101&s=\(value)")
    #expect(
      SignedLink.verify(moved, trustList: list, at: .now()) == .valid(kid: key.kid, issuer: "HTX"))
  }

  @Test func tamperedOrUntrustedLinksAreRefused() throws {
    let key = try IssuerKey(seed: [UInt8](repeating: 3, count: 32), name: "HTX")
    let list = TrustList([key.trustedIssuer(validFrom: try Timestamp("2026-01-01"))])
    let signed = try SignedLink.sign(Self.link, with: key)
    let value = try #require(signed.parameter("s"))
    let otherSerial = try DigitalLink(
      parsing:
        "https://truyxuat.angiang.example/01/08936059000017/10/DTN-01/21/43?17=271101&11=261102&s=\(value)"
    )
    #expect(
      SignedLink.verify(otherSerial, trustList: list, at: .now())
        == .refused(.badSignature(kid: key.kid)))
    let laterExpiry = try DigitalLink(
      parsing:
        "https://truyxuat.angiang.example/01/08936059000017/10/DTN-01/21/42?17=281101&11=261102&s=\(value)"
    )
    #expect(
      SignedLink.verify(laterExpiry, trustList: list, at: .now())
        == .refused(.badSignature(kid: key.kid)))
    #expect(
      SignedLink.verify(signed, trustList: TrustList(), at: .now())
        == .refused(.unknownIssuer(kid: key.kid)))
    #expect(SignedLink.verify(Self.link, trustList: list, at: .now()) == .unsigned)
    let malformed = SignedLink.Verdict.malformed(
      "parameter s must be 168 digits: a 13-digit key id and a 155-digit signature")
    let garbled = try Self.link.setting(.init(name: "s", value: "ABC"))
    #expect(SignedLink.verify(garbled, trustList: list, at: .now()) == malformed)
    let short = try Self.link.setting(.init(name: "s", value: String(value.dropLast())))
    #expect(SignedLink.verify(short, trustList: list, at: .now()) == malformed)
    // A 155-digit number too large for 64 bytes.
    let tooLarge = try Self.link.setting(
      .init(name: "s", value: String(value.prefix(13)) + String(repeating: "9", count: 155)))
    #expect(SignedLink.verify(tooLarge, trustList: list, at: .now()) == malformed)
  }
}
