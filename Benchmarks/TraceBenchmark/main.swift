import Crypto
import Foundation
import GS1
import TraceStoreSQLite
import Traceability

// trace-benchmark: measures the trace store against the bare Ed25519 operations it is built
// on, in one run, and prints a table. Also serves the multi-process tests as a worker.
//
//   trace-benchmark [--batches N] [--million]   the benchmark table
//   trace-benchmark postgres --store URL [--million URL]
//                                               PostgreSQL beside SQLite (an empty database)
//   trace-benchmark worker --store P --key K --name W --batches N
//   trace-benchmark audit --store P --key K      (one audit, with peak memory)

let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String) -> String? {
  guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
  return arguments[index + 1]
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("trace-benchmark: \(message)\n".utf8))
  exit(1)
}

switch arguments.first {
case "worker": await Worker.run()
case "audit": await AuditRun.run()
case "fill": await Fill.run()
case "postgres": await PostgresBenchmark.run()
default: await Benchmark.run()
}
