import Exchange
import Foundation
import FuzzSupport
import TraceStoreSQLite
import Traceability

/// One input: a CSV file's bytes. It is read as a table, then as each kind of import
/// file in turn; a plan that is accepted is applied to a copy of a store that already
/// holds the An Giang records, so that the store's own checks and the transaction run as
/// `ocop import` runs them. Any input may be refused, with an ``ImportError`` that names
/// its place.
/// Makes the template store before the first input, outside the time an input may take.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
  _ = template
  return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let table: CSVTable
  do {
    table = try CSVTable(bytes: Fuzz.bytes(data, size), file: "fuzz.csv")
  } catch {
    _ = error.description
    return 0
  }
  for kind in ImportKind.allCases {
    let plan: ImportPlan
    do {
      plan = try ImportPlan(table, kind: kind)
    } catch {
      Fuzz.require(error.file == "fuzz.csv", "an import error names another file: \(error)")
      _ = error.description
      continue
    }
    Fuzz.require(plan.commands.count == table.records.count, "a row was lost or added")
    Fuzz.require(plan.lines == table.records.map(\.line), "the lines do not match the rows")
    apply(plan)
  }
  return 0
}

/// Applies `plan` to a fresh copy of the template store; a refusal is placed on its row.
private func apply(_ plan: ImportPlan) {
  let path = Fuzz.scratch + "/run.sqlite"
  Fuzz.removeDatabase(path)
  do {
    try FileManager.default.copyItem(atPath: template.path, toPath: path)
  } catch {
    fatalError("cannot copy the template store: \(error)")
  }
  defer { Fuzz.removeDatabase(path) }
  let store: SQLiteTraceStore
  do {
    store = try SQLiteTraceStore(path: path, signer: template.key)
  } catch {
    fatalError("cannot open the copy of the template store: \(error)")
  }
  do {
    let commands = plan.commands
    let receipts = try Fuzz.wait { try await store.apply(commands) }
    Fuzz.require(receipts.count == plan.commands.count, "a command has no receipt")
  } catch let error as TraceError {
    if case .store = error.underlying { fatalError("the store failed: \(error)") }
    let located = plan.locate(error)
    Fuzz.require(located.file == "fuzz.csv", "a refusal names another file: \(located)")
    _ = located.description
  } catch {
    fatalError("the store threw something other than a TraceError: \(error)")
  }
}

/// A store holding the An Giang fixtures, made once per process; every accepted plan is
/// applied to a copy of it.
private let template: (path: String, key: IssuerKey) = {
  let path = Fuzz.scratch + "/template.sqlite"
  let key: IssuerKey
  do {
    key = try IssuerKey.generate(name: "Fuzz importer")
    // The store is closed at the end of this scope, leaving one file to copy.
    let store = try SQLiteTraceStore(path: path, signer: key, create: true)
    let fixtures = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/an-giang").path
    var commands: [TraceCommand] = []
    for kind in ImportKind.allCases {
      let file = fixtures + "/\(kind.rawValue).csv"
      guard FileManager.default.fileExists(atPath: file) else { continue }
      commands += try ImportPlan(CSVTable(path: file), kind: kind).commands
    }
    let all = commands
    if !all.isEmpty { _ = try Fuzz.wait { try await store.apply(all) } }
  } catch {
    fatalError("cannot make the template store: \(error)")
  }
  Fuzz.require(
    !FileManager.default.fileExists(atPath: path + "-wal"), "the template store kept a WAL file")
  return (path, key)
}()
