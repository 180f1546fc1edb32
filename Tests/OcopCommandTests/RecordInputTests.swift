import Foundation
import TestSupport
import Testing

/// Amounts, stars and rating decisions as producers type them: counts are whole numbers,
/// stars are 3, 4 or 5, and a decision is recorded once.
@Suite("Counts, stars and rating decisions")
struct RecordInputTests {
  @Test func importingTheSameRatingsTwiceIsRefusedWhole() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let ratings = WorkflowTests.fixtures + "/ratings.csv"
    let count = "SELECT count(*) FROM ratings"
    let stored = try SQLiteFile.int(store, count)
    #expect(stored == 55)
    let before = try storeFiles(store)
    let again = try CommandRunner.run(["import", "ratings", ratings, "--store", store])
    #expect(again.status == 1)
    #expect(
      again.stderr.contains(
        "\(ratings):2: column \"decision\": rating decision 112/QĐ-UBND of 2024-01-16 (4★ certified) for product 08930376001016 already exists"
      ), "\(again.stderr)")
    #expect(try SQLiteFile.int(store, count) == stored)
    #expect(try storeFiles(store) == before)
  }

  @Test func countsAreWholeAndMeasuresTakeADecimalComma() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let csv = folder + "/amounts.csv"
    try """
    gtin,lot,production_date,expiry_date,quantity,unit,origin_area,origin_commune,origin_province
    8932301001016,AMT-1,2026-11-02,2027-11-01,1500,H87,V,X,An Giang
    8932301001016,AMT-2,2026-11-02,2027-11-01,"1,5",KGM,V,X,An Giang
    8932301001016,AMT-3,2026-11-02,2027-11-01,12,DZN,V,X,An Giang

    """.write(toFile: csv, atomically: true, encoding: .utf8)
    let imported = try CommandRunner.run(["import", "batches", csv, "--store", store])
    #expect(imported.status == 0, "\(imported.stderr)")
    let amounts = try SQLiteFile.rows(
      store, "SELECT lot, amount, unit FROM batches WHERE lot LIKE 'AMT-%' ORDER BY lot"
    ).map { "\($0["lot"] as String) \($0["amount"] as String) \($0["unit"] as String)" }
    #expect(amounts == ["AMT-1 1500 H87", "AMT-2 1.5 KGM", "AMT-3 12 DZN"])
    for (amount, unit) in [("1.500", "H87"), ("1,500", "C62"), ("2.5", "PR"), ("1.0", "SET")] {
      let refused = try CommandRunner.run([
        "batch", "issue", "--gtin", "8932301001016", "--lot", "AMT-\(unit)", "--produced",
        "2026-11-20", "--expires", "2027-11-19", "--quantity", amount, "--unit", unit, "--area",
        "V", "--commune", "X", "--province", "An Giang", "--store", store,
      ])
      #expect(refused.status == 1, "\(amount) \(unit)")
      #expect(refused.stderr.contains("is a count of \(unit)"), "\(refused.stderr)")
    }
  }

  @Test(arguments: ["+4", "04", "4.0", " 4", "2", "6"])
  func starsAreThreeFourOrFive(_ stars: String) throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let result = try CommandRunner.run([
      "product", "rate", "8932301001016", "--stars", stars, "--status", "certified",
      "--decision", "9/QĐ-UBND", "--date", "2026-11-01", "--level", "provincial", "--store",
      store,
    ])
    #expect(result.status == 1, "\(stars): \(result.stdout)")
    #expect(result.stderr.contains("\"\(stars)\""), "\(result.stderr)")
  }
}
