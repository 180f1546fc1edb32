import GS1
import Testing
import Traceability

private typealias F = StoreFixture

/// The rules of the store: what a command may do, and what the queries answer.
enum RuleCases {
  static let all: [ConformanceCase] = [
    ConformanceCase("stages, a product's later members and its photo are kept and read back") {
      let fixture = try await F.make($0)
      _ = try await fixture.store.issueBatch(F.request(F.sugar, "S-1"))
      let lot = F.lot(F.sugar, "S-1")
      let recorded = try await fixture.store.recordStage(
        ProductionStage(
          lot: lot, kind: .packing, time: StageTime("2026-11-02T15:30+07:00"),
          location: StageLocation("AG-XUONG-1"), locationName: "Xưởng đóng gói"))
      #expect(recorded.time.text == "2026-11-02T15:30:00+07:00")
      #expect(recorded.time.utc.text == "2026-11-02T08:30:00.000Z")
      #expect(try await fixture.store.stages(lot) == [recorded])
      await #expect(throws: TraceError.notFound(kind: "lot", key: "08936059000017/NOPE")) {
        try await fixture.store.recordStage(
          ProductionStage(
            lot: F.lot(F.sugar, "NOPE"), kind: .harvest, time: StageTime("2026-10-02T06:00Z"),
            location: StageLocation("8936059000000")))
      }
      // A product with every later member, and its photo kept beside the log.
      let photo = try PhotoFile(
        bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3], file: "p.png")
      let product = try Product(
        gtin: GTIN("8936059000048"), producerTaxCode: F.taxCode, nameVietnamese: "Mật thốt nốt",
        group: .food, netContent: Quantity(amount: "250", unit: UnitCode("MLT")),
        warnings: "Không dùng cho trẻ dưới 1 tuổi", allergens: "Có chứa: sữa",
        standards: ["TCCS 01:2025/HTX", "VietGAP"], producerRole: .responsible,
        photo: photo.reference)
      _ = try await fixture.store.apply([.storePhoto(photo), .registerProduct(product)])
      #expect(try await fixture.store.product(product.gtin) == product)
      #expect(try await fixture.store.photo(sha256: photo.reference.sha256) == photo)
      // A product naming a photo the store does not keep is refused, and nothing is kept.
      let missing = try Product(
        gtin: GTIN("8936059000055"), producerTaxCode: F.taxCode, nameVietnamese: "Kẹo",
        group: .food, netContent: Quantity(amount: "1", unit: UnitCode("KGM")),
        photo: ProductPhoto(sha256: String(repeating: "a", count: 64), mediaType: "image/png"))
      await #expect(throws: TraceError.self) {
        try await fixture.store.apply([.registerProduct(missing)])
      }
      #expect(try await fixture.store.product(missing.gtin) == nil)
      #expect(try await fixture.store.audit(trustList: fixture.trustList).passed)
    },
    ConformanceCase("an issued batch carries the rating in force on its production date") {
      let fixture = try await F.make($0)
      try await fixture.certify(stars: 4, on: "2025-03-10")
      let batch = try await fixture.store.issueBatch(F.request(F.sugar, "DTN-01"))
      #expect(batch.rating?.stars == 4)
      #expect(batch.rating?.decision == "436/QĐ-UBND")
      #expect(try await fixture.store.batch(F.lot(F.sugar, "DTN-01")) == batch)
    },
    ConformanceCase("a batch made while no certificate was valid carries no stars") {
      let fixture = try await F.make($0)
      try await fixture.certify(stars: 4, on: "2022-01-10")  // lapsed 2025-01-09
      let batch = try await fixture.store.issueBatch(
        F.request(F.sugar, "DTN-02", produced: "2026-11-02"))
      #expect(batch.rating == nil)
      let early = try await fixture.store.issueBatch(
        F.request(F.sugar, "DTN-OLD", produced: "2024-12-30", expires: "2025-12-30"))
      #expect(early.rating?.stars == 4)
      let history = try await fixture.store.ratingHistory(F.sugar)
      #expect(history.entries.count == 1)
      #expect(history.inForce(on: F.date("2024-12-30"))?.stars == 4)
      #expect(history.inForce(on: F.date("2026-11-02")) == nil)
    },
    ConformanceCase("refused commands leave nothing behind, and a list is all or nothing") {
      let fixture = try await F.make($0)
      _ = try await fixture.store.issueBatch(F.request(F.sugar, "A"))
      let before = try await fixture.eventCount()
      let head = try await fixture.store.headSequence()
      let unknown = try GTIN("8936059000031")
      await #expect(throws: TraceError.alreadyExists(kind: "lot", key: "08936059000017/A")) {
        try await fixture.store.issueBatch(F.request(F.sugar, "A"))
      }
      await #expect(throws: TraceError.notFound(kind: "product", key: "08936059000031")) {
        try await fixture.store.issueBatch(F.request(unknown, "A"))
      }
      await #expect(throws: TraceError.notFound(kind: "input lot", key: "08936059000017/NOPE")) {
        try await fixture.store.issueBatch(
          F.request(F.cake, "C", inputs: [F.lot(F.sugar, "NOPE")]))
      }
      let error = await #expect(throws: TraceError.self) {
        try await fixture.store.apply([
          .issueBatch(F.request(F.sugar, "B1")),
          .issueBatch(F.request(F.sugar, "B2")),
          .issueBatch(F.request(F.sugar, "A")),
        ])
      }
      #expect(error?.commandIndex == 2)
      #expect(error?.underlying == .alreadyExists(kind: "lot", key: "08936059000017/A"))
      #expect(try await fixture.store.batch(F.lot(F.sugar, "B1")) == nil)
      #expect(try await fixture.eventCount() == before)
      #expect(try await fixture.store.headSequence() == head)
      #expect(try await fixture.store.audit(trustList: fixture.trustList).passed)
    },
    ConformanceCase("a recalled lot cannot be an input, be printed, or be recalled again") {
      let fixture = try await F.make($0)
      let sugar = F.lot(F.sugar, "S1")
      _ = try await fixture.store.issueBatch(F.request(F.sugar, "S1"))
      let recall = try await fixture.store.recall(sugar, reason: "Độ ẩm vượt mức cho phép")
      #expect(recall.reason == "Độ ẩm vượt mức cho phép")
      await #expect(
        throws: TraceError.recalled(lot: "08936059000017/S1", reason: "Độ ẩm vượt mức cho phép")
      ) {
        try await fixture.store.issueBatch(F.request(F.cake, "C1", inputs: [sugar]))
      }
      await #expect(
        throws: TraceError.recalled(lot: "08936059000017/S1", reason: "Độ ẩm vượt mức cho phép")
      ) {
        try await fixture.store.allocateSerials(sugar, count: 10)
      }
      await #expect(
        throws: TraceError.alreadyExists(kind: "recall of lot", key: "08936059000017/S1")
      ) {
        try await fixture.store.recall(sugar, reason: "again")
      }
      await #expect(throws: TraceError.notFound(kind: "lot", key: "08936059000017/NONE")) {
        try await fixture.store.recall(F.lot(F.sugar, "NONE"), reason: "x")
      }
      await #expect(throws: TraceError.self) {
        try await fixture.store.recall(F.lot(F.sugar, "S1"), reason: "   ")
      }
      #expect(try await fixture.store.recalls().map(\.lot) == [sugar])
      #expect(try await fixture.store.recall(sugar)?.reason == "Độ ẩm vượt mức cho phép")
    },
    ConformanceCase("a recall is withdrawn once, signed, and both stay on record") {
      let fixture = try await F.make($0)
      let sugar = F.lot(F.sugar, "S1")
      let cake = F.lot(F.cake, "C1")
      _ = try await fixture.store.issueBatch(F.request(F.sugar, "S1"))
      _ = try await fixture.store.issueBatch(F.request(F.cake, "C1", inputs: [sugar]))
      // Not recalled: nothing to withdraw, and nothing is written.
      let before = try await fixture.store.headSequence()
      await #expect(
        throws: TraceError.malformed(
          what: "withdrawal of a recall", reason: "lot 08936059000017/S1 is not recalled")
      ) {
        try await fixture.store.withdrawRecall(sugar, reason: "x")
      }
      #expect(try await fixture.store.headSequence() == before)
      _ = try await fixture.store.recall(sugar, reason: "Độ ẩm vượt mức cho phép")
      let lifted = try await fixture.store.withdrawRecall(
        sugar, reason: "Kiểm nghiệm lại đạt")
      #expect(!lifted.inForce)
      #expect(lifted.reason == "Độ ẩm vượt mức cho phép")
      #expect(lifted.withdrawal?.reason == "Kiểm nghiệm lại đạt")
      // The lot may be printed and used again; the cake made from it is no longer reached.
      _ = try await fixture.store.allocateSerials(sugar, count: 2)
      _ = try await fixture.store.issueBatch(F.request(F.cake, "C2", inputs: [sugar]))
      let trace = try await fixture.store.traceBackward(cake)
      #expect(trace.firstRecall == nil)
      #expect(trace.firstWithdrawnRecall?.withdrawal?.reason == "Kiểm nghiệm lại đạt")
      // Once only, and a lot is recalled once.
      await #expect(throws: TraceError.self) {
        try await fixture.store.withdrawRecall(sugar, reason: "again")
      }
      await #expect(throws: TraceError.self) {
        try await fixture.store.recall(sugar, reason: "again")
      }
      #expect(try await fixture.store.recalls().map(\.inForce) == [false])
      #expect(try await fixture.store.audit(trustList: fixture.trustList).passed)
    },
    ConformanceCase("serial ranges are contiguous and never reused, even after a refused run") {
      let fixture = try await F.make($0)
      let lot = F.lot(F.sugar, "S")
      _ = try await fixture.store.issueBatch(F.request(F.sugar, "S"))
      let first = try await fixture.store.allocateSerials(lot, count: 1000, printRun: "in-01")
      let second = try await fixture.store.allocateSerials(lot, count: 500)
      #expect((first.first, first.last, first.printRun) == (1, 1000, "in-01"))
      #expect((second.first, second.last) == (1001, 1500))
      #expect(try await fixture.store.serialStatus(lot, serial: "1000") == .allocated(first))
      #expect(try await fixture.store.serialStatus(lot, serial: "1500") == .allocated(second))
      #expect(try await fixture.store.serialStatus(lot, serial: "1501") == .outsideAnyRange)
      #expect(try await fixture.store.serialStatus(lot, serial: "0001") == .outsideAnyRange)
      #expect(try await fixture.store.serialStatus(lot, serial: "A1") == .outsideAnyRange)
      #expect(try await fixture.store.serialRanges(lot) == [first, second])
      await #expect(throws: TraceError.self) {
        try await fixture.store.allocateSerials(lot, count: 0)
      }
      await #expect(throws: TraceError.notFound(kind: "lot", key: "08936059000017/NONE")) {
        try await fixture.store.allocateSerials(F.lot(F.sugar, "NONE"), count: 1)
      }
      // A refused transaction that had allocated serials leaves the next run after the
      // last committed one, never over it.
      await #expect(throws: TraceError.self) {
        try await fixture.store.apply([
          .allocateSerials(lot: lot, count: 10, printRun: nil),
          .recall(lot: F.lot(F.cake, "X"), reason: "x"),
        ])
      }
      #expect(try await fixture.store.allocateSerials(lot, count: 1).first == 1501)
    },
    ConformanceCase("traces walk the genealogy both ways, and a recall reaches downstream") {
      let fixture = try await F.make($0)
      let fresh1 = F.lot(F.sugar, "CA-TUOI-1")
      let fresh2 = F.lot(F.sugar, "CA-TUOI-2")
      let dried = F.lot(F.cake, "KHO-1")
      let mix = F.lot(F.cake, "MIX-1")
      let other = F.lot(F.cake, "KHO-2")
      _ = try await fixture.store.apply([
        .issueBatch(F.request(F.sugar, "CA-TUOI-1")),
        .issueBatch(F.request(F.sugar, "CA-TUOI-2")),
        .issueBatch(F.request(F.cake, "KHO-1", inputs: [fresh1, fresh2])),
        .issueBatch(F.request(F.cake, "KHO-2", inputs: [fresh2])),
        .issueBatch(F.request(F.cake, "MIX-1", inputs: [dried])),
      ])
      let backward = try await fixture.store.traceBackward(mix)
      #expect(backward.batch.lot == mix)
      #expect(backward.children.map(\.batch.lot) == [dried])
      #expect(backward.children[0].children.map(\.batch.lot) == [fresh1, fresh2])
      #expect(backward.children[0].children[0].producer.taxCode == F.taxCode)
      #expect(
        backward.children[0].children[0].batch.request.origin.areaName
          == "Vườn thốt nốt ấp Tà Lọt")
      #expect(try await fixture.store.batch(dried)?.request.inputs == [fresh1, fresh2])

      let forward = try await fixture.store.traceForward(fresh2)
      #expect(forward.children.map(\.batch.lot) == [dried, other])
      #expect(forward.children[0].children.map(\.batch.lot) == [mix])

      _ = try await fixture.store.apply([
        .ship(Movement(lot: dried, party: "Co.opmart Long Xuyên", date: F.date("2026-11-05"))),
        .ship(
          Movement(
            lot: mix, party: "Bách Hóa Xanh", gln: GLN("8931234000011"),
            date: F.date("2026-11-06"))),
        .receive(Movement(lot: fresh2, party: "Ngư dân Ba Lé", date: F.date("2026-11-01"))),
      ])
      #expect(try await fixture.store.movements(fresh2).map(\.party) == ["Ngư dân Ba Lé"])
      let recall = try await fixture.store.recall(fresh2, reason: "Dư lượng kháng sinh")
      #expect(recall.downstream == [dried, other, mix])
      #expect(recall.shipments.map(\.party) == ["Co.opmart Long Xuyên", "Bách Hóa Xanh"])
      #expect(try await fixture.store.traceForward(fresh2).recall?.reason == "Dư lượng kháng sinh")
      #expect(try await fixture.store.traceBackward(mix).firstRecall?.lot == fresh2)
      await #expect(throws: TraceError.notFound(kind: "lot", key: "08936059000024/NONE")) {
        try await fixture.store.traceBackward(F.lot(F.cake, "NONE"))
      }
      #expect(try await fixture.store.audit(trustList: fixture.trustList).passed)
    },
    ConformanceCase("queries by product and producer come back in order") {
      let fixture = try await F.make($0)
      _ = try await fixture.store.apply([
        .issueBatch(F.request(F.sugar, "B")),
        .issueBatch(F.request(F.sugar, "A")),
        .issueBatch(F.request(F.cake, "C")),
      ])
      #expect(try await fixture.store.batches(of: F.sugar).map(\.lot.lot) == ["A", "B"])
      #expect(try await fixture.store.batches(ofProducer: F.taxCode).count == 3)
      #expect(try await fixture.store.products().map(\.gtin) == [F.sugar, F.cake])
      #expect(try await fixture.store.product(F.cake)?.nameVietnamese == "Bánh bò thốt nốt")
      #expect(try await fixture.store.producers().first?.address.district == "Huyện Tri Tôn")
      #expect(try await fixture.store.producer(taxCode: "0000000000") == nil)
      #expect(try await fixture.store.batch(F.lot(F.cake, "Z")) == nil)
    },
    ConformanceCase("registration refuses duplicates and unknown producers") {
      let fixture = try await F.make($0)
      await #expect(throws: TraceError.alreadyExists(kind: "product", key: F.sugar.digits)) {
        try await fixture.store.apply([
          .registerProduct(
            Product(
              gtin: F.sugar, producerTaxCode: F.taxCode, nameVietnamese: "X", group: .food,
              netContent: Quantity(amount: "1", unit: UnitCode("KGM"))))
        ])
      }
      await #expect(throws: TraceError.notFound(kind: "producer", key: "9999999999")) {
        try await fixture.store.apply([
          .registerProduct(
            Product(
              gtin: GTIN("8936059000031"), producerTaxCode: "9999999999", nameVietnamese: "X",
              group: .food, netContent: Quantity(amount: "1", unit: UnitCode("KGM"))))
        ])
      }
      await #expect(throws: TraceError.alreadyExists(kind: "producer", key: F.taxCode)) {
        try await fixture.store.apply([
          .registerProducer(
            Producer(
              taxCode: F.taxCode, kind: .household, name: "X",
              address: Address(commune: "Xã Lê Trì", province: "Tỉnh An Giang")))
        ])
      }
      await #expect(throws: TraceError.notFound(kind: "product", key: "08936059000031")) {
        try await fixture.store.apply([
          .recordRating(
            gtin: GTIN("8936059000031"),
            rating: OCOPRating(
              stars: 3, status: .certified,
              decision: Decision(number: "1/QĐ", date: F.date("2025-01-01"), level: .provincial)))
        ])
      }
      await #expect(throws: TraceError.notFound(kind: "lot", key: "08936059000017/NONE")) {
        try await fixture.store.apply([
          .ship(Movement(lot: F.lot(F.sugar, "NONE"), party: "X", date: F.date("2026-11-05")))
        ])
      }
    },
    ConformanceCase("a store opened without a key can be read but not written") {
      let fixture = try await F.make($0)
      let reader = try await fixture.backend.reopen(in: fixture.folder, signer: nil)
      #expect(try await reader.products().count == 2)
      let error = await #expect(throws: TraceError.self) {
        try await reader.issueBatch(F.request(F.sugar, "Z"))
      }
      #expect(error?.description.contains("without an issuer key") == true)
    },
    ConformanceCase("the log pages in order and its head moves with every event") {
      let fixture = try await F.make($0)
      #expect(try await fixture.store.headSequence() == 3)
      _ = try await fixture.store.apply(
        (1...25).map { .issueBatch(try F.request(F.sugar, "P\($0)")) })
      #expect(try await fixture.store.headSequence() == 28)
      let page = try await fixture.store.events(after: 10, limit: 5)
      #expect(page.map(\.sequence) == [11, 12, 13, 14, 15])
      let all = try await fixture.store.events()
      #expect(all.map(\.sequence) == Array(1...28))
      #expect(all[0].kind == .producerRegistered)
      // The chain: each event names the hash of the one before.
      for (previous, next) in zip(all, all.dropFirst()) {
        #expect(next.previousHash == previous.hash)
      }
      #expect(all.allSatisfy { $0.kid == fixture.key.kid })
    },
    ConformanceCase("a scan's evidence is read in one snapshot with the serial's status") {
      let fixture = try await F.make($0)
      try await fixture.certify()
      _ = try await fixture.store.issueBatch(F.request(F.sugar, "E1"))
      let lot = F.lot(F.sugar, "E1")
      _ = try await fixture.store.allocateSerials(lot, count: 10)
      let evidence = try #require(try await fixture.store.scanEvidence(lot, serial: "3"))
      #expect(evidence.batch.lot == lot)
      #expect(evidence.product.gtin == F.sugar)
      #expect(evidence.producer.taxCode == F.taxCode)
      #expect(evidence.ratings.entries.count == 1)
      #expect(evidence.backward.batch.lot == lot)
      guard case .allocated(let range)? = evidence.serialStatus else {
        Issue.record("serial 3 should be allocated")
        return
      }
      #expect(range.first == 1)
      #expect(
        try await fixture.store.scanEvidence(lot, serial: "11")?.serialStatus == .outsideAnyRange)
      #expect(try await fixture.store.scanEvidence(lot, serial: nil)?.serialStatus == nil)
      #expect(try await fixture.store.scanEvidence(F.lot(F.sugar, "NONE"), serial: nil) == nil)
    },
  ]
}
