// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "ocop-trace",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "GS1", targets: ["GS1"]),
    .library(name: "Traceability", targets: ["Traceability"]),
    .library(name: "TraceStoreSQLite", targets: ["TraceStoreSQLite"]),
    .library(name: "TraceStorePostgres", targets: ["TraceStorePostgres"]),
    .library(name: "Label", targets: ["Label"]),
    .library(name: "Exchange", targets: ["Exchange"]),
    .library(name: "Resolver", targets: ["Resolver"]),
    .executable(name: "ocop", targets: ["ocop"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
  ],
  targets: [
    // GS1 identifiers, Application Identifiers and Digital Link URIs, driven by GS1's
    // own Barcode Syntax Dictionary, which is compiled into the module.
    .target(
      name: "GS1",
      exclude: ["Resources/NOTICE"],
      resources: [.embedInCode("Resources/gs1-syntax-dictionary.txt")]
    ),
    // Producers, products, batches and origin as a signed, hash-chained event log, with
    // trust lists and signed trace links; the rules, the verification engine and the async
    // store API, over a port each backend implements.
    .target(
      name: "Traceability",
      dependencies: ["GS1", "CRename", .product(name: "Crypto", package: "swift-crypto")]
    ),
    // rename(2) that never replaces what is at the new name (renameat2, renamex_np), for
    // files and folders that appear whole or not at all.
    .target(name: "CRename"),
    // What the SQL backends share: the tables' definitions and every record query,
    // written once over a minimal connection each backend supplies.
    .target(name: "TraceStoreSQL", dependencies: ["GS1", "Traceability"]),
    // The embedded store: one SQLite file through GRDB, its scan log and bundle replay.
    .target(
      name: "TraceStoreSQLite",
      dependencies: [
        "GS1", "Traceability", "TraceStoreSQL", .product(name: "GRDB", package: "GRDB.swift"),
      ]
    ),
    // The server store: PostgreSQL through libpq, for a province's or the country's
    // records, with resolvers on read-only standbys.
    .target(
      name: "TraceStorePostgres",
      dependencies: [
        "GS1", "Traceability", "TraceStoreSQL",
        "CLibPQ",
      ]
    ),
    // libpq, PostgreSQL's own client library, called only from PostgresSession.swift.
    .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
    // C libraries, one target each; each is called from exactly one Swift file of Label.
    .systemLibrary(
      name: "CQREncode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
    .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
    .systemLibrary(name: "CZBar", pkgConfig: "zbar", providers: [.apt(["libzbar-dev"])]),
    .systemLibrary(
      name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
    .systemLibrary(
      name: "CFreeType", pkgConfig: "freetype2", providers: [.apt(["libfreetype-dev"])]),
    .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
    // libpng's classic writer behind a C function that catches its longjmp errors.
    .target(name: "CPNGWrite", dependencies: ["CPNG"]),
    // QR codes (libqrencode), print-sized PNG (libpng), SVG, true-size PDF (cairo), and
    // read-back (libzbar).
    .target(
      name: "Label",
      dependencies: [
        "GS1", "CQREncode", "CPNGWrite", "CZBar", "CFreeType", "CTurboJPEG", "CCairo",
      ],
      resources: [.embedInCode("Resources/label-rules.json")]),
    // The label benchmark's reference: a plain C loop over libqrencode and libpng.
    .target(
      name: "LabelReference",
      dependencies: ["CQREncode", "CPNG"],
      path: "Benchmarks/LabelReference"
    ),
    .executableTarget(
      name: "label-benchmark", dependencies: ["Label", "GS1", "LabelReference", "Traceability"],
      path: "Benchmarks/LabelBenchmark"),
    .executableTarget(
      name: "bulk-benchmark",
      dependencies: ["Traceability", "TraceStoreSQLite", "GS1"],
      path: "Benchmarks/BulkBenchmark"
    ),
    .executableTarget(
      name: "trace-benchmark",
      dependencies: [
        "Traceability", "TraceStoreSQLite", "TraceStorePostgres",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      path: "Benchmarks/TraceBenchmark"
    ),
    // Imports and exports: CSV in English or Vietnamese, signed bundles, EPCIS 2.0.
    .target(name: "Exchange", dependencies: ["GS1", "Traceability", "TraceStoreSQLite"]),
    // The resolver a scanned code opens: pages, JSON, linksets, on Hummingbird.
    .target(
      name: "Resolver",
      dependencies: [
        "GS1", "Traceability",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "HummingbirdTLS", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ]
    ),
    .executableTarget(
      name: "ocop",
      dependencies: [
        "GS1", "Traceability", "TraceStoreSQLite", "TraceStorePostgres", "Label", "Exchange",
        "Resolver", .product(name: "Logging", package: "swift-log"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Helpers every test target shares: temporary folders, the repository's fixtures, a
    // seeded generator, a fixed clock, and a store file opened behind the toolkit's back.
    .target(
      name: "TestSupport",
      dependencies: ["Traceability", .product(name: "GRDB", package: "GRDB.swift")],
      path: "Tests/TestSupport"
    ),
    // The store conformance suite: one set of cases every backend's test target runs.
    .target(
      name: "TraceStoreConformance",
      dependencies: ["GS1", "Traceability", "TestSupport"],
      path: "Tests/TraceStoreConformance"
    ),
    .testTarget(name: "GS1Tests", dependencies: ["GS1", "TestSupport"]),
    .testTarget(
      name: "TraceabilityTests",
      dependencies: ["Traceability", "GS1", "TraceStoreConformance", "TestSupport"]
    ),
    .testTarget(
      name: "TraceStoreSQLiteTests",
      dependencies: [
        "TraceStoreSQLite", "Traceability", "GS1", "TestSupport", "TraceStoreConformance",
        "trace-benchmark", .product(name: "GRDB", package: "GRDB.swift"),
      ]
    ),
    .testTarget(
      name: "TraceStorePostgresTests",
      dependencies: [
        "TraceStorePostgres", "Traceability", "GS1", "TestSupport", "TraceStoreConformance",
      ]
    ),
    .testTarget(name: "LabelTests", dependencies: ["Label", "TestSupport"]),
    .testTarget(
      name: "ExchangeTests",
      dependencies: ["Exchange", "Traceability", "GS1", "TestSupport"]
    ),
    .testTarget(
      name: "ResolverTests",
      dependencies: [
        "Resolver", "Traceability", "TraceStoreSQLite", "GS1", "Exchange", "TestSupport",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdTesting", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .testTarget(
      name: "OcopCommandTests",
      dependencies: [
        "ocop", "Traceability", "TraceStoreSQLite", "GS1", "Label", "Resolver", "TestSupport",
        .product(name: "GRDB", package: "GRDB.swift"),
      ]
    ),
  ],
  swiftLanguageModes: [.v6]
)

// libFuzzer targets, declared only when OCOP_FUZZ is set so that ordinary builds never see
// them. Build and run them with scripts/fuzz.sh (Linux; `--sanitize=fuzzer`).
if Context.environment["OCOP_FUZZ"] != nil {
  let fuzzers: [(name: String, dependencies: [Target.Dependency])] = [
    ("digital-link", ["GS1", "Traceability"]),
    ("element-string", ["GS1"]),
    ("csv-import", ["Exchange", "GS1", "Traceability", "TraceStoreSQLite"]),
    ("bundle", ["Exchange", "Traceability"]),
  ]
  package.targets.append(
    .target(name: "FuzzSupport", dependencies: ["Traceability"], path: "Fuzz/Support"))
  for fuzzer in fuzzers {
    // No `main`: libFuzzer supplies it and calls LLVMFuzzerTestOneInput.
    package.targets.append(
      .executableTarget(
        name: "fuzz-\(fuzzer.name)", dependencies: fuzzer.dependencies + ["FuzzSupport"],
        path: "Fuzz/\(fuzzer.name)", swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    package.products.append(
      .executable(name: "fuzz-\(fuzzer.name)", targets: ["fuzz-\(fuzzer.name)"]))
  }
}
