import GS1
import Testing

/// Inputs on which a fuzz target (Fuzz/, `scripts/fuzz.sh`) found a crash, fed back byte for
/// byte as the target read them. Each is also kept in `Fuzz/regressions/<target>/`.
@Suite("Fuzz regressions: GS1")
struct GS1FuzzRegressionTests {
  /// Lossy UTF-8, as the fuzz targets and a scanner's output are read.
  private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

  /// `element-string/crlf-before-non-ascii`: a value with `\r\n` (one character, two
  /// scalars) before its first non-ASCII character. The scalar position of that character
  /// was used as a character offset, past the end of the value.
  @Test func crlfBeforeANonASCIICharacterInAnElementString() {
    let bytes: [UInt8] = [
      0x28, 0x32, 0x32, 0x29, 0x75, 0x38, 0x2D, 0x32, 0x31, 0x01, 0x00, 0x00, 0x00, 0x00, 0x0D,
      0x0A, 0x00, 0x00, 0xA0, 0xCD, 0x9F,
    ]
    let input = text(bytes)
    let value = String(input.dropFirst(4))
    #expect(
      throws: GS1Error(
        "AI (22)", value,
        .characterSet(name: "GS1 character set 82", character: "\u{FFFD}", position: 15))
    ) {
      try ElementString(parsing: input)
    }
  }

  /// The same fault reached through a Digital Link, whose values are percent-decoded.
  @Test func crlfBeforeANonASCIICharacterInADigitalLink() {
    let input = "https://id.gs1.org/01/08931234567897/10/A%0D%0A%C3%B4"
    #expect(
      throws: GS1Error(
        "AI (10)", "A\r\nô",
        .characterSet(name: "GS1 character set 82", character: "ô", position: 4))
    ) {
      try DigitalLink(parsing: input)
    }
  }
}
