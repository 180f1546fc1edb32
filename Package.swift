// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "ocop-trace",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "GS1", targets: ["GS1"]),
    .executable(name: "ocop", targets: ["ocop"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
  ],
  targets: [
    // GS1 identifiers, Application Identifiers and Digital Link URIs, driven by GS1's
    // own Barcode Syntax Dictionary, which is compiled into the module.
    .target(
      name: "GS1",
      exclude: ["Resources/NOTICE"],
      resources: [.embedInCode("Resources/gs1-syntax-dictionary.txt")]
    ),
    .executableTarget(
      name: "ocop",
      dependencies: [
        "GS1",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "GS1Tests", dependencies: ["GS1"]),
    .testTarget(name: "OcopCommandTests", dependencies: ["ocop"]),
  ],
  swiftLanguageModes: [.v6]
)
