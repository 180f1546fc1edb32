import ArgumentParser
import Foundation
import GS1
import Traceability

/// `ocop check`: which of Circular 02/2024/TT-BKHCN's ten items each product's and lot's
/// trace record leaves out.
struct CheckCommand: AsyncParsableCommand, HelpExamples {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "List what each product's and lot's trace record lacks of Circular 02's ten items.",
    discussion: """
      Circular 02/2024/TT-BKHCN lists ten items a trace record carries: product name, \
      product image, producer name, producer address, production stages (each with an item \
      code, a location code and a time), production time, trace code, brand or serial where \
      there is one, shelf life where there is one, and standards applied. The store refuses \
      records without most of them; what a record can still lack is the product's image \
      (`product add --photo`, the products.csv photo column), its standards (`--standard`, \
      the standards column) and a lot's stages (`batch stage`, stages.csv). Exits 1 when \
      anything is missing, 0 when every record is complete.
      """)
  static let examples = [
    "ocop check",
    "ocop check --gtin 8932301001016 --json",
  ]
  @Option(help: "Check one product and its lots only.") var gtin: String?
  @OptionGroup var location: StoreOptions
  @OptionGroup var output: OutputOptions

  func run() async throws {
    try await runReporting {
      let only = try gtin.map { try GTIN($0) }
      let workspace = try await Workspace.open(location, writing: false)
      let store = workspace.store
      let found = try await store.snapshot { snapshot in
        var products: [(Product, [TraceItem])] = []
        var lots: [(LotReference, [TraceItem])] = []
        for product in try snapshot.products() where only == nil || product.gtin == only {
          products.append((product, TraceItem.missing(in: product)))
          for batch in try snapshot.batches(of: product.gtin) {
            lots.append((batch.lot, TraceItem.missing(stages: try snapshot.stages(batch.lot))))
          }
        }
        return (products, lots)
      }
      if let only, found.0.isEmpty { throw TraceError.notFound(kind: "product", key: only.digits) }
      let gaps = found.0.filter { !$0.1.isEmpty }.count + found.1.filter { !$0.1.isEmpty }.count
      if output.json {
        var missing: [CanonicalJSON] = []
        for (product, items) in found.0 where !items.isEmpty {
          missing.append(
            .object([
              "product": .string(product.gtin.digits), "name": .string(product.nameVietnamese),
              "missing": .array(items.map { .string($0.rawValue) }),
            ]))
        }
        for (lot, items) in found.1 where !items.isEmpty {
          missing.append(
            .object(["lot": lot.json, "missing": .array(items.map { .string($0.rawValue) })]))
        }
        printRecord(
          .object([
            "products": .integer(Int64(found.0.count)), "lots": .integer(Int64(found.1.count)),
            "complete": .bool(gaps == 0), "missing": .array(missing),
          ]))
      } else {
        for (product, items) in found.0 where !items.isEmpty {
          print(
            "product \(product.gtin.digits) \(product.nameVietnamese): lacks "
              + items.map { "\($0.english) (\($0.vietnamese))" }.joined(separator: ", "))
        }
        for (lot, items) in found.1 where !items.isEmpty {
          print(
            "lot \(lot): lacks "
              + items.map { "\($0.english) (\($0.vietnamese))" }.joined(separator: ", "))
        }
        let counted =
          "\(found.0.count) product\(found.0.count == 1 ? "" : "s") and \(found.1.count) lot\(found.1.count == 1 ? "" : "s")"
        print(
          gaps == 0
            ? "checked \(counted): every record carries the ten items of Circular 02/2024/TT-BKHCN"
            : "checked \(counted): \(gaps) record\(gaps == 1 ? "" : "s") lack items of Circular 02/2024/TT-BKHCN"
        )
      }
      if gaps > 0 { throw ExitCode(1) }
    }
  }
}
