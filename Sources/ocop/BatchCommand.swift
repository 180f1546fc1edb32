import ArgumentParser
import Exchange
import Foundation
import GS1
import Traceability

struct BatchCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "batch", abstract: "Issue batches (lots) with their origin, and look them up.",
    subcommands: [Issue.self, Stage.self, List.self, Show.self])

  struct Issue: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "issue",
      abstract: "Issue a batch: a signed commissioning record with its origin.",
      discussion: """
        The batch carries the OCOP rating in force on its production date, or none (the \
        record says so). Input lots are GTIN/LOT, repeated.
        """)
    static let examples = [
      #"ocop batch issue --gtin 8932301001016 --lot DTN-2610-01 --produced 2026-10-04 --expires 2027-10-03 --quantity 1200 --unit KGM --area "Vùng thốt nốt Ô Lâm" --commune "Xã Ô Lâm" --district "Tri Tôn" --province "An Giang" --input 8935481001012/NTN-2610-03"#
    ]
    @Option(help: "The product's GTIN.") var gtin: String
    @Option(help: "Lot code (GS1 AI 10).") var lot: String
    @Option(help: "Production date (NSX).") var produced: String
    @Option(help: "Expiry date (HSD).") var expires: String
    @Option(help: "Quantity in the lot.") var quantity: String
    @Option(help: "UN/ECE unit code.") var unit: String
    @Option(help: "Raw-material area name.") var area: String
    @Option(help: "Area address detail.") var address: String?
    @Option(help: "Area commune.") var commune: String
    @Option(help: "Area district (before July 2025).") var district: String?
    @Option(help: "Area province.") var province: String
    @Option(help: "Latitude, decimal degrees.") var latitude: String?
    @Option(help: "Longitude, decimal degrees.") var longitude: String?
    @Option(help: "First day of harvest or catch.") var harvestStart: String?
    @Option(help: "Last day of harvest or catch.") var harvestEnd: String?
    @Option(name: .customLong("input"), help: "An input lot, GTIN/LOT (repeat for several).")
    var inputs: [String] = []
    @Flag(help: "Accept an input lot that expired before this batch's production date.")
    var allowExpiredInput = false
    @OptionGroup var location: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        let code = try GTIN(gtin)
        var coordinates: Coordinates?
        if latitude != nil || longitude != nil {
          guard let latitude, let longitude else {
            throw CLIError("--latitude and --longitude go together")
          }
          coordinates = try Coordinates(latitude: latitude, longitude: longitude)
        }
        let request = try BatchRequest(
          lot: LotReference(gtin: code, lot: lot),
          productionDate: parseDate(produced, option: "--produced"),
          expiryDate: parseDate(expires, option: "--expires"),
          quantity: Quantity(amount: quantity, unit: UnitCode(unit)),
          origin: Origin(
            areaName: area,
            address: Address(
              detail: address, commune: commune, district: district, province: province),
            coordinates: coordinates,
            harvestStart: harvestStart.map { try parseDate($0, option: "--harvest-start") },
            harvestEnd: harvestEnd.map { try parseDate($0, option: "--harvest-end") }),
          inputs: inputs.map(parseLot))
        let workspace = try await Workspace.open(location, writing: true)
        // Material past its HSD when this batch was made is refused unless asked for (a
        // recalled input is refused by the store, always).
        if !allowExpiredInput {
          for input in request.inputs {
            if let used = try await workspace.store.batch(input),
              used.request.expiryDate < request.productionDate
            {
              throw CLIError(
                "--input \(input) expired on \(used.request.expiryDate.dayMonthYear), before this batch's production date \(request.productionDate.dayMonthYear); --allow-expired-input records it anyway"
              )
            }
          }
        }
        let batch = try await workspace.store.issueBatch(request)
        if request.expiryDate < GS1Date.today() {
          Output.printError(
            "warning: lot \(batch.lot) is already expired (HSD \(request.expiryDate.dayMonthYear)); it was recorded"
          )
        }
        if output.json {
          printRecord(batch.json)
        } else {
          let rating = batch.rating.map { "\($0.stars)★ OCOP (\($0.decision))" } ?? "no OCOP rating"
          print("issued lot \(batch.lot) (event \(batch.eventSequence)), \(rating)")
        }
      }
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List batches.")
    @Option(help: "Only this product's.") var gtin: String?
    @Option(help: "Only this producer's (tax code).") var producer: String?
    @OptionGroup var location: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        let workspace = try await Workspace.open(location, writing: false)
        var batches: [Batch] = []
        if let gtin {
          batches = try await workspace.store.batches(of: GTIN(gtin))
        } else if let producer {
          batches = try await workspace.store.batches(ofProducer: producer)
        } else {
          for product in try await workspace.store.products() {
            batches += try await workspace.store.batches(of: product.gtin)
          }
        }
        let recalled = Set(try await workspace.store.recalls().filter(\.inForce).map(\.lot))
        let today = GS1Date.today()
        for batch in batches {
          let expired = batch.request.expiryDate < today
          if output.json {
            printRecord(
              .object([
                "batch": batch.json, "recalled": .bool(recalled.contains(batch.lot)),
                "expired": .bool(expired),
              ]))
            continue
          }
          let stars = batch.rating.map { String(repeating: "★", count: $0.stars) } ?? "-"
          let marks = [recalled.contains(batch.lot) ? "RECALLED" : nil, expired ? "EXPIRED" : nil]
            .compactMap { $0 }
          print(
            (Output.pad(batch.lot.gtin.digits, 16) + Output.pad(batch.lot.lot, 22)
              + "NSX " + batch.request.productionDate.dayMonthYear + "  HSD "
              + batch.request.expiryDate.dayMonthYear + "  " + Output.pad(stars, 6)
              + marks.joined(separator: " "))
              .trimmingCharacters(in: .whitespaces))
        }
      }
    }
  }

  struct Stage: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "stage",
      abstract:
        "Record a step of a lot's production: harvest, processing, packing, testing, storage.",
      discussion: """
        Circular 02/2024/TT-BKHCN asks a trace record for its production stages, each with \
        an item code, a location code and a time. A stage is a signed event of the lot; the \
        resolver's page shows the stages as a timeline and the EPCIS export writes each at \
        its own time. The time is local with its offset (2026-11-02T06:30:00+07:00; \
        seconds may be left out); the location is a GLN or a location code the producer \
        assigns (capital letters, digits, '-' and '.'). A stage after the lot's expiry \
        date, or more than a day in the future, is refused.
        """)
    static let examples = [
      #"ocop batch stage 8932301001016/DTNQ-2611-02 --stage harvest --time 2026-10-28T06:00+07:00 --location AG-TRITON-LETRI-01 --location-name "Vùng thốt nốt Lê Trì""#,
      #"ocop batch stage 8932301001016/DTNQ-2611-02 --stage packing --time 2026-11-02T14:00+07:00 --location 8932301000019"#,
    ]
    @Argument(help: "GTIN/LOT.") var lot: String
    @Option(
      help:
        "harvest, processing, packing, testing or storage (or thu hoạch, chế biến, đóng gói, kiểm nghiệm, bảo quản)."
    )
    var stage: String
    @Option(help: "When: 2026-11-02T06:30:00+07:00.") var time: String
    @Option(help: "Where: a GLN, or a location code such as AG-TRITON-XUONG1.")
    var location: String
    @Option(help: "The place's name.") var locationName: String?
    @Option(help: "The code of the item worked on, when it is not the lot itself.")
    var item: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        guard let kind = Vocabulary.stage(stage) else {
          throw CLIError("--stage \"\(stage)\" must be \(Vocabulary.stages)")
        }
        let recorded = try ProductionStage(
          lot: try parseLot(lot), kind: kind, time: try StageTime(time),
          location: try StageLocation(location), locationName: locationName, item: item)
        let workspace = try await Workspace.open(store, writing: true)
        let stage = try await workspace.store.recordStage(recorded)
        Statement(json: output.json).say(
          "recorded \(stage.kind.rawValue) of lot \(stage.lot) at \(stage.time.text), \(stage.location)",
          ["stage": stage.json, "event": .integer(stage.eventSequence)])
      }
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show", abstract: "Show a batch with its origin.")
    @Argument(help: "GTIN/LOT.") var lot: String
    @OptionGroup var location: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        let reference = try parseLot(lot)
        let workspace = try await Workspace.open(location, writing: false)
        guard let batch = try await workspace.store.batch(reference) else {
          throw TraceError.notFound(kind: "lot", key: reference.description)
        }
        let recall = try await workspace.store.recall(reference)
        let ranges = try await workspace.store.serialRanges(reference)
        let stages = try await workspace.store.stages(reference)
        if output.json {
          printRecord(
            .object([
              "batch": batch.json, "stages": .array(stages.map(\.json)),
              "recall": recall.map { recall in
                .object([
                  "reason": .string(recall.reason), "recordedAt": .string(recall.recordedAt.text),
                  "inForce": .bool(recall.inForce),
                  "withdrawal": recall.withdrawal.map {
                    .object([
                      "reason": .string($0.reason), "recordedAt": .string($0.recordedAt.text),
                    ])
                  } ?? .null,
                ])
              } ?? .null,
              "serialRanges": .array(
                ranges.map {
                  .object([
                    "first": .integer($0.first), "last": .integer($0.last),
                    "run": $0.printRun.map(CanonicalJSON.string) ?? .null,
                  ])
                }),
            ]))
          return
        }
        let request = batch.request
        let product = try await workspace.store.product(reference.gtin)
        var producer: Producer?
        if let product {
          producer = try await workspace.store.producer(taxCode: product.producerTaxCode)
        }
        print("lot \(batch.lot)")
        if let product { print("  product   \(product.nameVietnamese)") }
        if let producer { print("  producer  \(producer.name) (\(producer.taxCode))") }
        print("  NSX       \(request.productionDate.dayMonthYear)")
        print(
          "  HSD       \(request.expiryDate.dayMonthYear)"
            + (request.expiryDate < GS1Date.today() ? "  EXPIRED" : ""))
        print("  quantity  \(request.quantity.amount) \(request.quantity.unit.symbol)")
        print("  origin    \(request.origin.areaName), \(request.origin.address.line)")
        if let point = request.origin.coordinates {
          print("            \(point.latitude), \(point.longitude)")
        }
        if let rating = batch.rating {
          print(
            "  OCOP      \(rating.stars)★ (\(rating.decision) of \(rating.decisionDate.dayMonthYear), valid until \(rating.validUntil.dayMonthYear))"
          )
        } else {
          print("  OCOP      none in force on the production date")
        }
        for input in request.inputs { print("  input     \(input)") }
        for stage in stages.sorted(by: { $0.time < $1.time }) {
          let place = stage.locationName.map { "\($0) (\(stage.location))" } ?? "\(stage.location)"
          let item = stage.item.map { ", item \($0)" } ?? ""
          print("  stage     \(stage.time.text)  \(stage.kind.vietnamese): \(place)\(item)")
        }
        for range in ranges {
          print(
            "  serials   \(range.first)–\(range.last)\(range.printRun.map { " (\($0))" } ?? "")")
        }
        if let recall {
          print("  RECALLED  \(recall.reason) (\(recall.recordedAt.text))")
          if let withdrawal = recall.withdrawal {
            print(
              "  WITHDRAWN \(withdrawal.reason) (\(withdrawal.recordedAt.text)): the recall no longer stands"
            )
          }
        }
      }
    }
  }
}

/// Reads `GTIN/LOT`.
func parseLot(_ text: String) throws -> LotReference {
  guard let slash = text.firstIndex(of: "/") else {
    throw CLIError("\"\(text)\" must be GTIN/LOT, e.g. 8932301001016/DTN-2611-01")
  }
  return try LotReference(
    gtin: GTIN(String(text[..<slash])), lot: String(text[text.index(after: slash)...]))
}
