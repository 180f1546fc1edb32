import Foundation
import Testing

@Suite("ocop command line")
struct CommandTests {
  @Test func gtinCheckAcceptsAndNormalises() throws {
    let result = try CommandRunner.run(["gtin", "check", "8931234567897"])
    #expect(result.status == 0)
    #expect(result.stdout == "08931234567897  valid  GTIN-13 8931234567897  GS1 Vietnam (893)\n")
    #expect(result.stderr.isEmpty)
  }

  @Test func gtinCheckRejectsWithTheExpectedDigitOnStandardError() throws {
    let result = try CommandRunner.run(["gtin", "check", "8931234567897", "08931234567892"])
    #expect(result.status == 1)
    #expect(result.stderr == "ocop: GTIN 08931234567892: check digit should be 7\n")
    #expect(result.stdout.contains("08931234567897  valid"))
  }

  @Test func gtinCheckJSON() throws {
    let result = try CommandRunner.run(["gtin", "check", "--json", "12345670"])
    #expect(result.status == 0)
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect(object?["gtin14"] as? String == "00000012345670")
    #expect(object?["valid"] as? Bool == true)
  }

  @Test func gtinAllocateConsecutiveItems() throws {
    let result = try CommandRunner.run(
      ["gtin", "allocate", "--prefix", "8931234", "--item", "00009", "--count", "2"])
    #expect(result.status == 0)
    #expect(
      result.stdout.split(separator: "\n").map { $0.prefix(13) } == [
        "8931234000097", "8931234000103",
      ])
  }

  @Test func gtinAllocateRefusesAnItemThatDoesNotFit() throws {
    let result = try CommandRunner.run([
      "gtin", "allocate", "--prefix", "8931234", "--item", "123456",
    ])
    #expect(result.status == 1)
    #expect(result.stderr.contains("item reference 123456: does not fit"))
    #expect(result.stdout.isEmpty)
  }

  @Test func linkMakeBuildsACanonicalURI() throws {
    let result = try CommandRunner.run([
      "link", "make", "--base", "https://truyxuat.example", "--gtin", "8931234567897",
      "--lot", "DT/26", "--serial", "7", "--expiry", "2027-06-30", "--net-weight", "0.500",
      "--param", "s=K1",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout
        == "https://truyxuat.example/01/08931234567897/10/DT%2F26/21/7?17=270630&3103=000500&s=K1\n"
    )
  }

  @Test func linkMakeFromAnElementString() throws {
    let result = try CommandRunner.run([
      "link", "make", "--elements", "(17)270630(01)08931234567897(10)A", "--json",
    ])
    #expect(result.status == 0)
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect(object?["uri"] as? String == "https://id.gs1.org/01/08931234567897/10/A?17=270630")
    #expect(object?["elementString"] as? String == "(01)08931234567897(10)A(17)270630")
  }

  @Test func linkMakeRejectsABadLotAndSaysWhy() throws {
    let result = try CommandRunner.run(["link", "make", "--gtin", "8931234567897", "--lot", "Lô 1"])
    #expect(result.status == 1)
    #expect(
      result.stderr.contains(
        "AI (10) \"Lô 1\": character 'ô' at position 2 is outside GS1 character set 82"))
  }

  @Test func linkMakeNeedsAGTINOrElements() throws {
    let result = try CommandRunner.run(["link", "make"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("--gtin or --elements"))
  }

  @Test func linkParseShowsEachElementWithItsTitle() throws {
    let result = try CommandRunner.run([
      "link", "parse", "https://id.gs1.org/01/08931234567897/10/A?17=270630&s=K1",
    ])
    #expect(result.status == 0)
    #expect(result.stdout.contains("(10) BATCH/LOT"))
    #expect(result.stdout.contains("270630  (30/06/2027)"))
    #expect(result.stdout.contains("?s"))
    #expect(result.stdout.contains("element string  (01)08931234567897(10)A(17)270630"))
  }

  @Test func linkParseReadsScansFromStandardInput() throws {
    let scans = "https://id.gs1.org/01/08931234567897\nhttps://id.gs1.org/01/08931234567892\n\n"
    let result = try CommandRunner.run(["link", "parse", "--json"], stdin: scans)
    #expect(result.status == 1)
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 2)
    #expect(lines[0].contains("\"valid\":true"))
    #expect(lines[1].contains("\"valid\":false"))
    #expect(result.stderr.contains("AI (01) 08931234567892: check digit should be 7"))
  }

  @Test(arguments: [
    ["gtin", "check", "--help"], ["gtin", "allocate", "--help"], ["link", "make", "--help"],
    ["link", "parse", "--help"],
  ])
  func everyCommandExplainsItself(_ arguments: [String]) throws {
    let result = try CommandRunner.run(arguments)
    #expect(result.status == 0)
    #expect(result.stdout.contains("\nEXAMPLES:\n  ocop "))
  }

  /// Control characters a scanned code or a cell can carry: an escape sequence that erases
  /// the line, a carriage return, a C1 control and a right-to-left override.
  static let hostileScan =
    "https://truyxuat.angiang.example/01/08932301001016/10/X\u{1B}[2K\rVALID\u{9B}\u{202E}"

  static func terminalUnsafe(_ text: String) -> [UInt32] {
    text.unicodeScalars.map(\.value).filter {
      ($0 < 0x20 && $0 != 0x0A && $0 != 0x09) || (0x7F...0x9F).contains($0) || $0 == 0x202E
    }
  }

  @Test func controlCharactersInScansNeverReachTheTerminalRaw() throws {
    let store = try StoreTemplate.copy()
    let verified = try CommandRunner.run(["verify", "--store", store, Self.hostileScan])
    #expect(verified.status == 1)
    #expect(Self.terminalUnsafe(verified.stdout + verified.stderr).isEmpty)
    #expect(verified.stdout.contains("\\u{1B}[2K"))
    #expect(verified.stdout.hasPrefix("MALFORMED"))
    let parsed = try CommandRunner.run(["link", "parse", Self.hostileScan])
    #expect(parsed.status == 1)
    #expect(Self.terminalUnsafe(parsed.stdout + parsed.stderr).isEmpty)
    // JSON keeps the scan exactly, escaped as JSON escapes it.
    let json = try CommandRunner.run(["verify", "--store", store, "--json", Self.hostileScan])
    let line = try #require(json.stdout.split(separator: "\n").first)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(object["scan"] as? String == Self.hostileScan)
  }
}
