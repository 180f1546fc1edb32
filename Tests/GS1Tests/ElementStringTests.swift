import GS1
import Testing

@Suite("Element strings")
struct ElementStringTests {
  @Test func parsesAndPrintsTheBracketedForm() throws {
    let text = "(01)08931234567897(10)LOT-A(17)261231"
    let parsed = try ElementString(parsing: text)
    #expect(
      parsed.elements == [
        AIElement(ai: "01", value: "08931234567897"), AIElement(ai: "10", value: "LOT-A"),
        AIElement(ai: "17", value: "261231"),
      ])
    #expect(parsed.description == text)
  }

  @Test func literalParenthesisInAValueIsEscaped() throws {
    let elements = [
      AIElement(ai: "01", value: "08931234567897"), AIElement(ai: "10", value: "A(1)"),
    ]
    let text = ElementString(elements).description
    #expect(text == "(01)08931234567897(10)A\\(1)")
    #expect(try ElementString(parsing: text).elements == elements)
    #expect(ElementString(elements).humanReadable == "(01)08931234567897(10)A(1)")
  }

  @Test(arguments: [
    ("01)08931234567897", "must start with '('"),
    ("(01", "unclosed '('"),
    ("(1)2", "is not an AI of two to four digits"),
    ("(0A)2", "is not an AI of two to four digits"),
    ("(01)08931234567897(10)", "value must not be empty"),
    ("(01)08931234567892", "check digit should be 7"),
    ("(01)08931234567897(10)A(10)B", "appears more than once"),
    ("(01)08931234567897(3101)000005(3103)000500", "must not appear together with (3103)"),
    ("(10)LOT", "requires one of (01), (02), (03), (8006), (8026)"),
    ("(01)08931234567897(99999)1", "is not an AI of two to four digits"),
    ("(01)08931234567897(14)1", "is not a GS1 Application Identifier"),
  ])
  func rejectsMalformedElementStrings(text: String, message: String) {
    let error = #expect(throws: GS1Error.self) { try ElementString(parsing: text) }
    #expect(error?.description.contains(message) == true, "\(String(describing: error))")
  }
}

@Suite("GS1 dates")
struct GS1DateTests {
  @Test(arguments: [
    ("261231", 2026, "2026-12-31"), ("760101", 2026, "2076-01-01"), ("770101", 2026, "1977-01-01"),
    ("990101", 2049, "2099-01-01"), ("000101", 2051, "2100-01-01"), ("270200", 2026, "2027-02-28"),
    ("280200", 2026, "2028-02-29"),
  ])
  func centuryFollowsGS1sFiftyYearWindow(yymmdd: String, reference: Int, iso: String) throws {
    let date = try GS1Date(yymmdd: yymmdd, referenceYear: reference)
    #expect(date.iso == iso)
    #expect(date.yymmdd == yymmdd)
  }

  @Test func vietnameseLabelsWriteDayMonthYear() throws {
    #expect(try GS1Date(iso: "2027-06-05").dayMonthYear == "05/06/2027")
  }

  @Test(arguments: [
    "2027-02-29", "2027-13-01", "2027-1-01", "27-01-01", "2027-01-32", "abcd-01-01",
  ])
  func invalidISODatesAreRefused(_ text: String) {
    #expect(throws: GS1Error.self) { try GS1Date(iso: text) }
  }

  @Test func datesCompareByCalendarDay() throws {
    #expect(try GS1Date(iso: "2026-01-31") < GS1Date(iso: "2026-02-01"))
    #expect(try GS1Date(year: 2026, month: 2, day: 0) == GS1Date(year: 2026, month: 2, day: 0))
  }
}

@Suite("Trade measures")
struct MeasureTests {
  @Test(arguments: [
    ("3103", "000500", "0.500"), ("3100", "000012", "12"), ("3105", "123456", "1.23456"),
    ("3102", "100000", "1000.00"), ("3150", "000750", "750"),
  ])
  func impliedDecimalPointIsPlaced(ai: String, value: String, measure: String) {
    #expect(AIElement(ai: ai, value: value).measure == measure)
  }

  @Test func otherAIsHaveNoMeasure() {
    #expect(AIElement(ai: "17", value: "270630").measure == nil)
    #expect(AIElement(ai: "3900", value: "000500").measure == nil)
  }
}
