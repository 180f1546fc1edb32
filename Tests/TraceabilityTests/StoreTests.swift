import Foundation
import GS1
import Testing

@testable import Traceability

@Suite("Trace store")
struct StoreTests {
  @Test func issuedBatchCarriesTheRatingInForceOnItsProductionDate() throws {
    let fixture = try Fixture()
    try fixture.certify(stars: 4, on: "2025-03-10")
    let batch = try fixture.store.issueBatch(Fixture.request(Fixture.sugar, "DTN-01"))
    #expect(batch.rating?.stars == 4)
    #expect(batch.rating?.decision == "436/QĐ-UBND")
    #expect(try fixture.store.batch(Fixture.lot(Fixture.sugar, "DTN-01")) == batch)
  }

  @Test func batchProducedWhileTheCertificateWasNotValidCarriesNoStars() throws {
    let fixture = try Fixture()
    try fixture.certify(stars: 4, on: "2022-01-10")  // lapsed 2025-01-09
    let batch = try fixture.store.issueBatch(
      Fixture.request(Fixture.sugar, "DTN-02", produced: "2026-11-02"))
    #expect(batch.rating == nil)
    let early = try fixture.store.issueBatch(
      Fixture.request(Fixture.sugar, "DTN-OLD", produced: "2024-12-30", expires: "2025-12-30"))
    #expect(early.rating?.stars == 4)
  }

  @Test func refusedBatchesLeaveNothingBehind() throws {
    let fixture = try Fixture()
    _ = try fixture.store.issueBatch(Fixture.request(Fixture.sugar, "A"))
    let before = try fixture.eventCount()
    let unknown = try GTIN("8936059000031")
    #expect(throws: TraceError.alreadyExists(kind: "lot", key: "08936059000017/A")) {
      try fixture.store.issueBatch(Fixture.request(Fixture.sugar, "A"))
    }
    #expect(throws: TraceError.notFound(kind: "product", key: "08936059000031")) {
      try fixture.store.issueBatch(Fixture.request(unknown, "A"))
    }
    #expect(throws: TraceError.notFound(kind: "input lot", key: "08936059000017/NOPE")) {
      try fixture.store.issueBatch(
        Fixture.request(Fixture.cake, "C", inputs: [Fixture.lot(Fixture.sugar, "NOPE")]))
    }
    // One bad command in a list: none of the list is stored.
    #expect(throws: TraceError.self) {
      try fixture.store.apply([
        .issueBatch(Fixture.request(Fixture.sugar, "B1")),
        .issueBatch(Fixture.request(Fixture.sugar, "B2")),
        .issueBatch(Fixture.request(Fixture.sugar, "A")),
      ])
    }
    #expect(try fixture.store.batch(Fixture.lot(Fixture.sugar, "B1")) == nil)
    #expect(try fixture.eventCount() == before)
    #expect(try fixture.store.audit(trustList: fixture.trustList).passed)
  }

  @Test func recalledLotsCannotBeUsedAsInputsOrPrinted() throws {
    let fixture = try Fixture()
    let sugar = Fixture.lot(Fixture.sugar, "S1")
    _ = try fixture.store.issueBatch(Fixture.request(Fixture.sugar, "S1"))
    let recall = try fixture.store.recall(sugar, reason: "Độ ẩm vượt mức cho phép")
    #expect(recall.reason == "Độ ẩm vượt mức cho phép")
    #expect(
      throws: TraceError.recalled(lot: "08936059000017/S1", reason: "Độ ẩm vượt mức cho phép")
    ) {
      try fixture.store.issueBatch(Fixture.request(Fixture.cake, "C1", inputs: [sugar]))
    }
    #expect(throws: TraceError.self) { try fixture.store.allocateSerials(sugar, count: 10) }
    #expect(throws: TraceError.alreadyExists(kind: "recall of lot", key: "08936059000017/S1")) {
      try fixture.store.recall(sugar, reason: "again")
    }
    #expect(try fixture.store.recalls().map(\.lot) == [sugar])
  }

  @Test func serialRangesAreContiguousAndNeverReused() throws {
    let fixture = try Fixture()
    let lot = Fixture.lot(Fixture.sugar, "S")
    _ = try fixture.store.issueBatch(Fixture.request(Fixture.sugar, "S"))
    let first = try fixture.store.allocateSerials(lot, count: 1000, printRun: "in-01")
    let second = try fixture.store.allocateSerials(lot, count: 500)
    #expect((first.first, first.last) == (1, 1000))
    #expect((second.first, second.last) == (1001, 1500))
    #expect(try fixture.store.serialStatus(lot, serial: "1000") == .allocated(first))
    #expect(try fixture.store.serialStatus(lot, serial: "1500") == .allocated(second))
    #expect(try fixture.store.serialStatus(lot, serial: "1501") == .outsideAnyRange)
    #expect(try fixture.store.serialStatus(lot, serial: "0001") == .outsideAnyRange)
    #expect(throws: TraceError.self) { try fixture.store.allocateSerials(lot, count: 0) }
    // A failed transaction that had allocated serials leaves the next run after the last
    // committed one, never over it.
    #expect(throws: TraceError.self) {
      try fixture.store.apply([
        .allocateSerials(lot: lot, count: 10, printRun: nil),
        .recall(lot: Fixture.lot(Fixture.cake, "X"), reason: "x"),
      ])
    }
    #expect(try fixture.store.allocateSerials(lot, count: 1).first == 1501)
  }

  /// Fresh fish → dried fish ← salt; dried fish → fish sauce mix. Three levels.
  @Test func traceBackwardAndForwardOverAGenealogy() throws {
    let fixture = try Fixture()
    let fresh1 = Fixture.lot(Fixture.sugar, "CA-TUOI-1")
    let fresh2 = Fixture.lot(Fixture.sugar, "CA-TUOI-2")
    let dried = Fixture.lot(Fixture.cake, "KHO-1")
    let mix = Fixture.lot(Fixture.cake, "MIX-1")
    let other = Fixture.lot(Fixture.cake, "KHO-2")
    _ = try fixture.store.apply([
      .issueBatch(Fixture.request(Fixture.sugar, "CA-TUOI-1")),
      .issueBatch(Fixture.request(Fixture.sugar, "CA-TUOI-2")),
      .issueBatch(Fixture.request(Fixture.cake, "KHO-1", inputs: [fresh1, fresh2])),
      .issueBatch(Fixture.request(Fixture.cake, "KHO-2", inputs: [fresh2])),
      .issueBatch(Fixture.request(Fixture.cake, "MIX-1", inputs: [dried])),
    ])
    let backward = try fixture.store.traceBackward(mix)
    #expect(backward.batch.lot == mix)
    #expect(backward.children.map(\.batch.lot) == [dried])
    #expect(backward.children[0].children.map(\.batch.lot) == [fresh1, fresh2])
    #expect(backward.children[0].children[0].producer.taxCode == Fixture.taxCode)
    #expect(
      backward.children[0].children[0].batch.request.origin.areaName == "Vườn thốt nốt ấp Tà Lọt")

    let forward = try fixture.store.traceForward(fresh2)
    #expect(forward.children.map(\.batch.lot) == [dried, other])
    #expect(forward.children[0].children.map(\.batch.lot) == [mix])

    _ = try fixture.store.apply([
      .ship(Movement(lot: dried, party: "Co.opmart Long Xuyên", date: Fixture.date("2026-11-05"))),
      .ship(
        Movement(
          lot: mix, party: "Bách Hóa Xanh", gln: GLN("8931234000011"),
          date: Fixture.date("2026-11-06"))),
      .receive(Movement(lot: fresh2, party: "Ngư dân Ba Lé", date: Fixture.date("2026-11-01"))),
    ])
    let recall = try fixture.store.recall(fresh2, reason: "Dư lượng kháng sinh")
    #expect(recall.downstream == [dried, other, mix])
    #expect(recall.shipments.map(\.party) == ["Co.opmart Long Xuyên", "Bách Hóa Xanh"])
    #expect(try fixture.store.traceForward(fresh2).recall?.reason == "Dư lượng kháng sinh")
    #expect(try fixture.store.audit(trustList: fixture.trustList).passed)
  }

  @Test func queriesByProductAndProducer() throws {
    let fixture = try Fixture()
    _ = try fixture.store.apply([
      .issueBatch(Fixture.request(Fixture.sugar, "B")),
      .issueBatch(Fixture.request(Fixture.sugar, "A")),
      .issueBatch(Fixture.request(Fixture.cake, "C")),
    ])
    #expect(try fixture.store.batches(of: Fixture.sugar).map(\.lot.lot) == ["A", "B"])
    #expect(try fixture.store.batches(ofProducer: Fixture.taxCode).count == 3)
    #expect(try fixture.store.products().map(\.gtin) == [Fixture.sugar, Fixture.cake])
    #expect(try fixture.store.producers().first?.address.district == "Huyện Tri Tôn")
    #expect(try fixture.store.producer(taxCode: "0000000000") == nil)
  }

  @Test func registrationRules() throws {
    let fixture = try Fixture()
    #expect(throws: TraceError.alreadyExists(kind: "product", key: Fixture.sugar.digits)) {
      try fixture.store.apply([
        .registerProduct(
          Product(
            gtin: Fixture.sugar, producerTaxCode: Fixture.taxCode, nameVietnamese: "X",
            group: .food,
            netContent: Quantity(amount: "1", unit: UnitCode("KGM"))))
      ])
    }
    #expect(throws: TraceError.notFound(kind: "producer", key: "9999999999")) {
      try fixture.store.apply([
        .registerProduct(
          Product(
            gtin: GTIN("8936059000031"), producerTaxCode: "9999999999", nameVietnamese: "X",
            group: .food,
            netContent: Quantity(amount: "1", unit: UnitCode("KGM"))))
      ])
    }
  }

  @Test func aStoreWithoutAKeyCanBeReadButNotWritten() throws {
    let fixture = try Fixture()
    let reader = try SQLiteTraceStore(path: fixture.store.path, signer: nil)
    #expect(try reader.products().count == 2)
    #expect(throws: TraceError.self) { try reader.issueBatch(Fixture.request(Fixture.sugar, "Z")) }
    #expect(
      throws: TraceError.store(
        path: fixture.folder.file("missing.sqlite"), reason: "does not exist")
    ) {
      try SQLiteTraceStore(path: fixture.folder.file("missing.sqlite"), signer: nil)
    }
  }

  @Test func aFileThatIsNotADatabaseIsReportedByPath() throws {
    let folder = TemporaryFolder()
    let path = folder.file("notes.sqlite")
    try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: TraceError.self) { try SQLiteTraceStore(path: path, signer: nil) }
    #expect(error?.description.contains(path) == true)
  }
}
