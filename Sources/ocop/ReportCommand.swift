import ArgumentParser
import Foundation
import GS1
import Traceability

/// `ocop report`: the OCOP programme's figures.
struct ReportCommand: AsyncParsableCommand, HelpExamples {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "The programme's figures: ratings, producers, groups, certificates expiring.",
    discussion: """
      Products are counted by their latest rating decision; producers with a product at 3 \
      stars or more (or proposed for 5) are the certified producers.
      """)
  static let examples = [
    "ocop report --as-of 2026-11-29"
  ]

  @Option(help: "The day the figures are for (default today).") var asOf: String?
  @Option(help: "How many days ahead to look for expiring certificates.") var days: Int = 90
  @OptionGroup var location: StoreOptions
  @OptionGroup var output: OutputOptions

  func run() async throws {
    try await runReporting {
      let workspace = try await Workspace.open(location, writing: false)
      let day = try asOf.map { try parseDate($0, option: "--as-of") } ?? GS1Date.today()
      // Only decisions by issuers the workspace trusts for ratings count.
      let report = try await ProgrammeReport(
        store: workspace.store, asOf: day, horizonDays: days, trustList: try workspace.trustList())
      if output.json {
        printRecord(json(report))
        return
      }
      let results = ProgrammeReport.Result.allCases
      let rated = [ProgrammeReport.Result.threeStars, .fourStars, .fiveStars, .proposedFiveStars]
        .reduce(0) { $0 + (report.byResult[$1] ?? 0) }
      print("OCOP report as of \(day.dayMonthYear)")
      print("  products evaluated           \(report.evaluated)")
      print("  3 stars or more              \(rated)")
      for result in results where (report.byResult[result] ?? 0) > 0 {
        print("    " + Output.pad(result.rawValue, 27) + "\(report.byResult[result] ?? 0)")
      }
      print("  certificates in force        \(report.inForce)")
      let certified = report.certifiedProducers.values.reduce(0, +)
      print("  certified producers          \(certified)")
      for kind in ProducerKind.allCases {
        print("    " + Output.pad(kind.rawValue, 27) + "\(report.certifiedProducers[kind] ?? 0)")
      }
      print("  producers proposing 5 stars  \(report.proposingProducers)")
      print("  producers by district")
      for (district, count) in report.producersByDistrict.sorted(by: { $0.key < $1.key }) {
        print("    " + Output.pad(district, 27) + "\(count)")
      }
      print("  by product group             products  producers")
      for group in ProductGroup.allCases where (report.productsByGroup[group] ?? 0) > 0 {
        print(
          "    " + Output.pad(group.rawValue, 27)
            + Output.pad("\(report.productsByGroup[group] ?? 0)", 10)
            + "\(report.producersByGroup[group] ?? 0)")
      }
      print("  certificates expiring within \(report.horizonDays) days: \(report.expiring.count)")
      for item in report.expiring {
        print(
          "    \((item.rating.validUntil ?? day).dayMonthYear)  \(item.product.gtin.digits)  "
            + "\(item.rating.stars ?? 0)★  \(item.product.nameVietnamese)")
      }
    }
  }

  func json(_ report: ProgrammeReport) -> CanonicalJSON {
    func counts<K>(_ values: [K: Int], _ name: (K) -> String) -> CanonicalJSON {
      var members = CanonicalMembers()
      for (key, value) in values { members.insert(name(key), .integer(Int64(value))) }
      return .object(members)
    }
    return .object([
      "asOf": .string(report.asOf.iso), "evaluated": .integer(Int64(report.evaluated)),
      "byResult": counts(report.byResult, \.rawValue),
      "inForce": .integer(Int64(report.inForce)),
      "certifiedProducers": counts(report.certifiedProducers, \.rawValue),
      "proposingProducers": .integer(Int64(report.proposingProducers)),
      "producersByDistrict": counts(report.producersByDistrict) { $0 },
      "producersByGroup": counts(report.producersByGroup, \.rawValue),
      "productsByGroup": counts(report.productsByGroup, \.rawValue),
      "expiring": .array(
        report.expiring.map {
          .object([
            "gtin": .string($0.product.gtin.digits), "name": .string($0.product.nameVietnamese),
            "stars": $0.rating.stars.map { .integer(Int64($0)) } ?? .null,
            "decision": .string($0.rating.decision.number),
            "validUntil": $0.rating.validUntil.map { .string($0.iso) } ?? .null,
          ])
        }),
    ])
  }
}
