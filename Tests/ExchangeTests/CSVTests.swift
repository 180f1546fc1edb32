import Exchange
import Testing

@Suite("CSV")
struct CSVTests {
  @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
    let text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n\r\nlast,,\n"
    let table = try CSVTable(bytes: Array(text.utf8), file: "t.csv")
    #expect(table.header == ["a", "b", "c"])
    #expect(
      table.records.map(\.cells) == [["x, y", "say \"hi\"", "two\nlines"], ["last", "", ""]])
    #expect(table.records.map(\.line) == [2, 5])
  }

  @Test func theByteOrderMarkIsSkipped() throws {
    let table = try CSVTable(bytes: [0xEF, 0xBB, 0xBF] + Array("gtin\n1\n".utf8), file: "t.csv")
    #expect(table.header == ["gtin"])
  }

  @Test(arguments: [
    ("a\n\"x", "t.csv:2: a quoted field is never closed"),
    ("a\nx\"y\"", "t.csv:2: a quote in the middle of a field"),
    ("a\n\"x\"y", "t.csv:2: text after a closing quote"),
    ("", "t.csv: is empty: no header"),
  ])
  func brokenFilesAreRefusedWithTheirLine(text: String, message: String) {
    #expect {
      try CSVTable(bytes: Array(text.utf8), file: "t.csv")
    } throws: { error in
      "\(error)".hasPrefix(message)
    }
  }

  @Test func invalidUTF8NamesItsLine() {
    #expect {
      try CSVTable(bytes: Array("a\nok\n".utf8) + [0x4D, 0xE3, 0x0A], file: "t.csv")
    } throws: { error in
      "\(error)".hasPrefix("t.csv:3: is not UTF-8 text")
    }
  }

  @Test func headersFoldAcrossLanguagesCaseAndDiacritics() {
    #expect(ImportKind.fold("Ngày sản xuất") == "ngay_san_xuat")
    #expect(ImportKind.fold("NGÀY SẢN XUẤT") == "ngay_san_xuat")
    #expect(ImportKind.fold("ngay_san_xuat") == "ngay_san_xuat")
    #expect(ImportKind.fold("Đơn vị / tính") == "don_vi_tinh")
    #expect(ImportKind.fold(" production date ") == "production_date")
    // ASCII alone, folded without Foundation's normalisation, the same way: ^ and ` are
    // diacritics, taken off.
    #expect(ImportKind.fold("Unit (UN/ECE)") == "unit_un_ece")
    #expect(ImportKind.fold("a^b`c") == "abc")
    #expect(ImportKind.fold("a^b`c é") == "abc_e")
  }
}
