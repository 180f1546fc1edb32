import GS1
import Testing

@Suite("GTIN and GLN")
struct GTINTests {
  @Test(arguments: [
    ("08931234567897", "08931234567897"),
    ("8931234567897", "08931234567897"),
    ("12345670", "00000012345670"),
    ("036000291452", "00036000291452"),
    ("10893123456789", "10893123456789"),
    ("00000000000000", "00000000000000"),
  ])
  func validGTINsNormaliseTo14Digits(input: String, normalised: String) throws {
    #expect(try GTIN(input).digits == normalised)
  }

  @Test func wrongCheckDigitSaysWhichDigitIsExpected() {
    #expect(throws: GS1Error("GTIN", "08931234567892", .checkDigit(expected: "7"))) {
      try GTIN("08931234567892")
    }
    let error = #expect(throws: GS1Error.self) { try GTIN("08931234567892") }
    #expect(error?.description == "GTIN 08931234567892: check digit should be 7")
  }

  @Test(arguments: [
    "", "1234567", "123456789", "08931234567", "089312345678970", "1234567890123456",
  ])
  func lengthsOtherThan8_12_13_14AreRefused(_ input: String) {
    #expect(throws: GS1Error("GTIN", input, .length(allowed: "8, 12, 13 or 14 digits"))) {
      try GTIN(input)
    }
  }

  @Test(arguments: [("893123456789A", 13), ("8931234 67897", 8), ("٨931234567897", 1)])
  func nonDigitsAreRefusedWithTheirPosition(input: String, position: Int) {
    #expect(throws: GS1Error("GTIN", input, .notNumeric(position: position))) { try GTIN(input) }
  }

  @Test func shortestFormAndVietnameseOrigin() throws {
    let gtin = try GTIN("08931234567897")
    #expect(gtin.gtin13 == "8931234567897")
    #expect(gtin.shortestForm == "8931234567897")
    #expect(gtin.isVietnamese)
    #expect(try GTIN("12345670").shortestForm == "12345670")
    #expect(try GTIN("036000291452").shortestForm == "036000291452")
    #expect(try !GTIN("036000291452").isVietnamese)
  }

  @Test(arguments: [
    ("8931234", "56789", "08931234567897"),
    ("8931234", "5", "08931234000059"),
    ("893123456", "789", "08931234567897"),
    ("893123456789", "", "08931234567897"),
    ("893100", "000001", "08931000000016"),
  ])
  func allocationAppendsTheCheckDigit(prefix: String, item: String, expected: String) throws {
    #expect(try GTIN.allocate(companyPrefix: prefix, itemReference: item).digits == expected)
  }

  @Test func allocationRefusesAnItemReferenceThatDoesNotFit() {
    #expect(throws: GS1Error("item reference", "123456", .itemReference(allowedDigits: 5))) {
      try GTIN.allocate(companyPrefix: "8931234", itemReference: "123456")
    }
    #expect(throws: GS1Error("item reference", "", .itemReference(allowedDigits: 5))) {
      try GTIN.allocate(companyPrefix: "8931234", itemReference: "")
    }
    #expect(throws: GS1Error("item reference", "12a", .notNumeric(position: 3))) {
      try GTIN.allocate(companyPrefix: "8931234", itemReference: "12a")
    }
  }

  @Test(arguments: ["893", "8931234567890", "89312x4"])
  func allocationRefusesABadCompanyPrefix(_ prefix: String) {
    #expect(throws: GS1Error.self) { try GTIN.allocate(companyPrefix: prefix, itemReference: "1") }
  }

  @Test(arguments: ["8931234000011", "8931234000028", "8931234000103"])
  func validGLNs(_ input: String) throws {
    #expect(try GLN(input).digits == input)
  }

  @Test func invalidGLNs() {
    #expect(throws: GS1Error("GLN", "8931234000012", .checkDigit(expected: "1"))) {
      try GLN("8931234000012")
    }
    #expect(throws: GS1Error("GLN", "893123400001", .length(allowed: "13 digits"))) {
      try GLN("893123400001")
    }
    #expect(throws: GS1Error("GLN", "893123400001X", .notNumeric(position: 13))) {
      try GLN("893123400001X")
    }
  }
}
