import ArgumentParser
import Exchange
import Foundation
import GS1
import Traceability

/// Prints canonical JSON on one line.
func printRecord(_ value: CanonicalJSON) {
  Swift.print(String(decoding: value.encoded(), as: UTF8.self))
}

/// The FNC1 character an option names: one character, not a digit (a digit would run
/// into the values).
func fnc1Separator(_ text: String?) throws -> Character {
  guard let text else { return "\u{1D}" }
  guard text.count == 1, let character = text.first, !character.isNumber,
    !character.isLetter
  else {
    throw CLIError(
      "--fnc1 \"\(text)\" must be one character that is neither a digit nor a letter, such as ^ or |"
    )
  }
  return character
}

/// Reads a date as `2026-11-02` or `02/11/2026`.
func parseDate(_ text: String, option: String) throws -> GS1Date {
  do { return try GS1Date(entered: text) } catch {
    throw CLIError("\(option) \"\(text)\" is not a date (write 2026-11-02 or 02/11/2026)")
  }
}

// MARK: - producer

struct ProducerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "producer", abstract: "Register and look up producers (chủ thể OCOP).",
    subcommands: [Add.self, List.self, Show.self])

  struct Add: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract: "Register a producer.",
      discussion: """

        """)
    static let examples = [
      #"ocop producer add --tax-code 1600642064 --kind cooperative --name "Hợp tác xã Thốt nốt Tri Tôn" --commune "Xã Lê Trì" --district "Tri Tôn" --province "An Giang""#
    ]
    @Option(help: "Tax code (mã số thuế): 10 digits, or 10-3 for a branch.") var taxCode: String
    @Option(
      help: "household, cooperative or enterprise (or hộ kinh doanh, hợp tác xã, doanh nghiệp).")
    var kind: String
    @Option(help: "Registered name, in Vietnamese.") var name: String
    @Option(help: "Street, hamlet or house number.") var address: String?
    @Option(help: "Commune or ward.") var commune: String
    @Option(help: "District (addresses written before July 2025).") var district: String?
    @Option(help: "Province.") var province: String
    @Option(help: "GS1 Global Location Number of the site.") var gln: String?
    @Option(help: "A phone number shoppers may call: 0296 3874 215, +84 918 234 567.")
    var phone: String?
    @Option(help: "The producer's website, https://…") var website: String?
    @OptionGroup var location: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        guard let kind = Vocabulary.producerKind(kind) else {
          throw CLIError("--kind \"\(kind)\" must be \(Vocabulary.producerKinds)")
        }
        let producer = try Producer(
          taxCode: taxCode, kind: kind, name: name,
          address: Address(
            detail: address, commune: commune, district: district, province: province),
          gln: gln.map { try GLN($0) }, phone: phone, website: website)
        let workspace = try await Workspace.open(location, writing: true)
        _ = try await workspace.store.apply([.registerProducer(producer)])
        if output.json {
          printRecord(producer.json)
        } else {
          print("registered producer \(producer.taxCode) \(producer.name)")
        }
      }
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List producers.")
    @OptionGroup var location: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        let workspace = try await Workspace.open(location, writing: false)
        for producer in try await workspace.store.producers() {
          if output.json {
            printRecord(producer.json)
            continue
          }
          print(
            Output.pad(producer.taxCode, 15) + Output.pad(producer.kind.rawValue, 13)
              + producer.name + " (" + producer.address.locality + ")")
        }
      }
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show", abstract: "Show a producer and its products.")
    @Argument(help: "Tax code.") var taxCode: String
    @OptionGroup var location: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        let workspace = try await Workspace.open(location, writing: false)
        guard let producer = try await workspace.store.producer(taxCode: taxCode) else {
          throw TraceError.notFound(kind: "producer", key: taxCode)
        }
        let products = try await workspace.store.products().filter { $0.producerTaxCode == taxCode }
        if output.json {
          printRecord(
            .object([
              "producer": producer.json, "products": .array(products.map(\.json)),
            ]))
          return
        }
        print("\(producer.name) (\(producer.kind.vietnamese))")
        print("  tax code  \(producer.taxCode)")
        print("  address   \(producer.address.line)")
        if let gln = producer.gln { print("  GLN       \(gln.digits)") }
        if let phone = producer.phone { print("  phone     \(phone)") }
        if let website = producer.website { print("  website   \(website)") }
        for product in products {
          print("  product   \(product.gtin.digits) \(product.nameVietnamese)")
        }
      }
    }
  }
}

// MARK: - product

struct ProductCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "product", abstract: "Register products and record their OCOP ratings.",
    subcommands: [Add.self, List.self, Show.self, Rate.self])

  struct Add: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract: "Register a product; --gtin next allocates the next GTIN under the prefix.",
      discussion: """

        """)
    static let examples = [
      #"ocop product add --gtin next --producer 1600642064 --name "Đường thốt nốt Tri Tôn" --group food --net 500 --unit GRM"#
    ]
    @Option(help: "The GTIN, or `next` for the next free one under the configured prefix.")
    var gtin: String
    @Option(help: "The producer's tax code.") var producer: String
    @Option(help: "Name in Vietnamese.") var name: String
    @Option(help: "Name in English.") var nameEn: String?
    @Option(
      help:
        "food, drinks, herbal, handicrafts, ornamental or tourism (or thực phẩm, đồ uống, thảo dược…)."
    )
    var group: String
    @Option(help: "Net content amount: 500, 0.5.") var net: String
    @Option(help: "UN/ECE unit code: GRM, KGM, MLT, LTR, H87…") var unit: String
    @Option(help: "Ingredients.") var ingredients: String?
    @Option(help: "Storage instructions.") var storage: String?
    @Option(help: "Instructions for use.") var usage: String?
    @Option(help: "Warnings, where they apply (thông tin cảnh báo).") var warnings: String?
    @Option(help: "Allergens it contains, as the label words them: \"Có chứa: đậu phộng\".")
    var allergens: String?
    @Option(
      name: .customLong("standard"),
      help: "A standard applied: TCVN 5267-1:2008, TCCS 01:2025/ABC, VietGAP… (repeatable).")
    var standards: [String] = []
    @Option(
      help:
        "What the producer is for it on the label: manufacturer (cơ sở sản xuất, the default) or responsible (tổ chức chịu trách nhiệm về hàng hóa)."
    )
    var role: String?
    @Option(help: "A JPEG or PNG photo of the product, at most 512 KiB.") var photo: String?
    @OptionGroup var location: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        guard let group = Vocabulary.group(group) else {
          throw CLIError("--group \"\(group)\" must be one of \(Vocabulary.groups)")
        }
        let workspace = try await Workspace.open(location, writing: true)
        let code: GTIN
        if gtin == "next" {
          code = try await nextGTIN(workspace)
        } else {
          code = try GTIN(gtin)
        }
        var producerRole = ProducerRole.manufacturer
        if let role {
          guard let known = Vocabulary.producerRole(role) else {
            throw CLIError("--role \"\(role)\" must be \(Vocabulary.producerRoles)")
          }
          producerRole = known
        }
        var photoFile: PhotoFile?
        if let photo {
          guard let data = FileManager.default.contents(atPath: photo) else {
            throw CLIError("--photo \(photo): no such file, or it cannot be read")
          }
          photoFile = try PhotoFile(bytes: Array(data), file: photo)
        }
        let product = try Product(
          gtin: code, producerTaxCode: producer, nameVietnamese: name, nameEnglish: nameEn,
          group: group, netContent: Quantity(amount: net, unit: UnitCode(unit)),
          ingredients: ingredients, storage: storage, usage: usage, warnings: warnings,
          allergens: allergens, standards: standards, producerRole: producerRole,
          photo: photoFile?.reference)
        _ = try await workspace.store.apply(
          (photoFile.map { [TraceCommand.storePhoto($0)] } ?? []) + [.registerProduct(product)])
        if output.json {
          printRecord(product.json)
        } else {
          print("registered product \(product.gtin.digits) \(product.nameVietnamese)")
        }
      }
    }

    /// The lowest item reference under the prefix not yet used by a product.
    func nextGTIN(_ workspace: Workspace) async throws -> GTIN {
      let prefix = workspace.config.companyPrefix
      let used = Set(try await workspace.store.products().map(\.gtin))
      let room = 12 - prefix.utf8.count
      let limit = room == 0 ? 1 : Int(pow(10, Double(room)))
      for item in 0..<limit {
        let candidate = try GTIN.allocate(
          companyPrefix: prefix, itemReference: room == 0 ? "" : String(item))
        if !used.contains(candidate) { return candidate }
      }
      throw CLIError("company prefix \(prefix) has no free item reference left")
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List products with their rating.")
    @Option(help: "Day the rating in force is shown for (default today).") var on: String?
    @OptionGroup var location: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        let workspace = try await Workspace.open(location, writing: false)
        let day = try on.map { try parseDate($0, option: "--on") } ?? GS1Date.today()
        for product in try await workspace.store.products() {
          let rating = try await workspace.store.ratingHistory(product.gtin).inForce(on: day)
          if output.json {
            printRecord(.object(["product": product.json, "ratingInForce": rating?.json ?? .null]))
            continue
          }
          let stars = rating?.stars.map { String(repeating: "★", count: $0) } ?? "-"
          print(Output.pad(product.gtin.digits, 16) + Output.pad(stars, 7) + product.nameVietnamese)
        }
      }
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: "Show a product and its OCOP rating history.")
    @Argument(help: "GTIN.") var gtin: String
    @OptionGroup var location: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        let workspace = try await Workspace.open(location, writing: false)
        let code = try GTIN(gtin)
        guard let product = try await workspace.store.product(code) else {
          throw TraceError.notFound(kind: "product", key: code.digits)
        }
        let history = try await workspace.store.ratingHistory(code)
        let today = GS1Date.today()
        if output.json {
          printRecord(
            .object([
              "product": product.json, "ratings": .array(history.entries.map(\.json)),
              "ratingInForce": history.inForce(on: today)?.json ?? .null,
            ]))
          return
        }
        print("\(product.nameVietnamese)\(product.nameEnglish.map { " (\($0))" } ?? "")")
        print("  GTIN      \(product.gtin.digits)")
        let producer = try await workspace.store.producer(taxCode: product.producerTaxCode)
        print(
          "  producer  "
            + (producer.map { "\($0.name) (\($0.taxCode))" } ?? product.producerTaxCode))
        print("  group     \(product.group.vietnamese)")
        print("  net       \(product.netContent.amount) \(product.netContent.unit.symbol)")
        print("  role      \(product.producerRole.vietnamese)")
        for (label, value) in [
          ("ingredients", product.ingredients), ("allergens", product.allergens),
          ("warnings", product.warnings), ("storage", product.storage), ("usage", product.usage),
        ] {
          if let value { print("  " + Output.pad(label, 9) + " " + value) }
        }
        if !product.standards.isEmpty {
          print("  standards \(product.standards.joined(separator: "; "))")
        }
        if let photo = product.photo { print("  photo     \(photo.mediaType) \(photo.sha256)") }
        for rating in history.entries {
          let stars = rating.stars.map { "\($0)★ " } ?? ""
          let until = rating.validUntil.map { ", valid until \($0.dayMonthYear)" } ?? ""
          print(
            "  rating    \(stars)\(rating.status.rawValue), \(rating.decision.number) of \(rating.decision.date.dayMonthYear)\(until)"
          )
        }
        if let current = history.inForce(on: today), let stars = current.stars {
          print("  in force  \(stars)★ today (\(current.decision.number))")
        } else {
          print("  in force  no OCOP certificate today")
        }
      }
    }
  }

  struct Rate: AsyncParsableCommand, HelpExamples {
    static let configuration = CommandConfiguration(
      commandName: "rate",
      abstract: "Record an OCOP rating decision for a product.",
      discussion: """

        """)
    static let examples = [
      "ocop product rate 8932301001016 --stars 4 --status certified --decision 112/QĐ-UBND --date 16/01/2024 --level provincial"
    ]
    @Argument(help: "GTIN.") var gtin: String
    @Option(help: "3, 4 or 5 (none for not-rated, expired, revoked).") var stars: String?
    @Option(
      help: "certified, proposed-central, expired, revoked or not-rated (or công nhận, thu hồi…).")
    var status: String
    @Option(help: "Decision number: 112/QĐ-UBND.") var decision: String
    @Option(help: "Decision date.") var date: String
    @Option(help: "provincial or central (or tỉnh, trung ương).") var level: String
    @Option(help: "Last valid day (default: 36 months less a day).") var validUntil: String?
    @OptionGroup var location: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      try await runReporting {
        guard let status = Vocabulary.status(status) else {
          throw CLIError("--status \"\(status)\" must be one of \(Vocabulary.statuses)")
        }
        guard let level = Vocabulary.level(level) else {
          throw CLIError("--level \"\(level)\" must be \(Vocabulary.levels)")
        }
        let stars = try self.stars.map { text in
          guard let stars = OCOPRating.stars(text) else {
            throw CLIError("--stars \"\(text.clippedForMessage)\" must be 3, 4 or 5")
          }
          return stars
        }
        let rating = try OCOPRating(
          stars: stars, status: status,
          decision: Decision(
            number: decision, date: parseDate(date, option: "--date"), level: level),
          validUntil: validUntil.map { try parseDate($0, option: "--valid-until") })
        let code = try GTIN(gtin)
        let workspace = try await Workspace.open(location, writing: true)
        _ = try await workspace.store.apply([.recordRating(gtin: code, rating: rating)])
        if output.json {
          printRecord(rating.json)
        } else {
          print("recorded \(status.rawValue) \(stars.map { "\($0)★ " } ?? "")for \(code.digits)")
        }
      }
    }
  }
}
