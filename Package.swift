// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "ocop-trace",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "GS1", targets: ["GS1"]),
    .library(name: "Traceability", targets: ["Traceability"]),
    .executable(name: "ocop", targets: ["ocop"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
  ],
  targets: [
    // GS1 identifiers, Application Identifiers and Digital Link URIs, driven by GS1's
    // own Barcode Syntax Dictionary, which is compiled into the module.
    .target(
      name: "GS1",
      exclude: ["Resources/NOTICE"],
      resources: [.embedInCode("Resources/gs1-syntax-dictionary.txt")]
    ),
    // Producers, products, batches and origin as a signed, hash-chained event log in a
    // store (SQLite through GRDB), with trust lists and signed trace links.
    .target(
      name: "Traceability",
      dependencies: [
        "GS1",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "GRDB", package: "GRDB.swift"),
      ]
    ),
    .executableTarget(
      name: "trace-benchmark",
      dependencies: ["Traceability", .product(name: "Crypto", package: "swift-crypto")],
      path: "Benchmarks/TraceBenchmark"
    ),
    .executableTarget(
      name: "ocop",
      dependencies: [
        "GS1",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "GS1Tests", dependencies: ["GS1"]),
    .testTarget(
      name: "TraceabilityTests",
      dependencies: [
        "Traceability", "trace-benchmark", .product(name: "GRDB", package: "GRDB.swift"),
      ]
    ),
    .testTarget(name: "OcopCommandTests", dependencies: ["ocop"]),
  ],
  swiftLanguageModes: [.v6]
)
