import Foundation
import TestSupport
import Testing

/// GS1's own resolver conformance suite (gs1/GS1DL-resolver-testsuite, kept unchanged in
/// scripts/gs1-resolver-suite/gs1) run against `ocop serve` over HTTPS on loopback, in
/// headless Chromium with GS1's PHP helper, for a GTIN, a lot and a signed serial link.
@Suite("GS1's resolver test suite")
struct GS1ResolverSuiteTests {
  static let suiteFolder = URL(fileURLWithPath: WorkflowTests.fixtures).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("scripts/gs1-resolver-suite").path

  /// What the one check that cannot pass offline says: the description file was found, and
  /// only GS1's schema for it, which the suite fetches from ref.gs1.org, could not be had.
  static let offlineDescriptionFile =
    "Resolver description file found but does not validate against the official GS1 schema. Error(s): Unable to fetch schema"

  /// Checks every run must have made: a run that stopped early fails on these.
  static let expectedChecks = [
    "isHttps", "validDL", "basicWalkUp", "tlsOK", "rdFile", "httpVersion", "corsCheck",
    "linkOnRedirect", "methodsCheck", "reportWith400", "noErrorWith200", "trailingSlash",
    "qsPassedOn", "ltLinksetNoRedirect", "ltAcceptHeader", "validLinkset", "linksetJsonldCheck",
    "declaredContentType", "defaultLinkExists", "singleDefaulLink", "defaultTarget",
    "loForgs1pip", "loForgs1traceability0", "loForgs1traceability1", "linkTypesDefined",
    "specificLinkTypeNotFound",
  ]

  struct Run: Decodable {
    struct Check: Decodable {
      let id: String
      let status: String
      let msg: String
    }
    let dl: String
    let error: String?
    let results: [Check]
  }

  @Test func everyCheckPassesForAGTINALotAndASignedSerialButTheOneThatNeedsTheInternet()
    throws
  {
    for tool in ["/usr/bin/chromium", "/usr/bin/php", "/usr/bin/openssl"] {
      #expect(
        FileManager.default.isExecutableFile(atPath: tool),
        "\(tool) is installed by scripts/quickstart.sh setup")
    }
    let folder = NSTemporaryDirectory() + "ocop-gs1-suite-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let port = try PostgresWorkflowTests.freePort()
    let base = "https://127.0.0.1:\(port)"
    let store = folder + "/ag.sqlite"
    for arguments in [
      [
        "init", "--store", store, "--resolver", base, "--prefix", "8932301", "--issuer", "Demo",
      ],
      ["import", "all", WorkflowTests.fixtures, "--store", store],
    ] {
      let result = try CommandRunner.run(arguments)
      try #require(result.status == 0, "\(result.stderr)")
    }
    let printed = try CommandRunner.run([
      "print", "8932301001016/DTNQ-2609-01", "--count", "1", "--out", folder + "/labels", "--store",
      store,
    ])
    try #require(printed.status == 0, "\(printed.stderr)")
    let serial = try #require(
      printed.stdout.split(separator: "\n").first { $0.contains("first URL") }?
        .split(separator: " ").last.map(String.init))
    #expect(serial.hasPrefix(base + "/01/08932301001016/10/DTNQ-2609-01/21/1?17="))
    // A self-signed certificate for the loopback address, which GS1's helper and the
    // browser are told to trust.
    try Self.makeCertificate(in: folder)
    // The producer's own page as the default link, and a product information page.
    try Data(
      #"{"08932301001016": {"gs1:defaultLink": "https://thotnotbaynui.example/duong-thot-not", "gs1:pip": "https://thotnotbaynui.example/pip"}}"#
        .utf8
    ).write(to: URL(fileURLWithPath: folder + "/links.json"))
    let server = try ServedStore(
      [
        "--store", store, "--tls-cert", folder + "/cert.pem", "--tls-key", folder + "/key.pem",
        "--links", folder + "/links.json", "--no-scan-log",
      ], port: port)
    defer { server.stop() }
    try #require(server.listening(), "ocop serve did not start on port \(port)")
    let links = [base + "/01/08932301001016", base + "/01/08932301001016/10/DTNQ-2609-01", serial]
    let report = try Self.run(
      "/bin/bash",
      [
        Self.suiteFolder + "/run.sh", "--ca", folder + "/cert.pem", "--offline", "--out",
        folder + "/result.json",
      ] + links)
    let runs = try JSONDecoder().decode(
      [Run].self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/result.json")))
    #expect(runs.map(\.dl) == links)
    for run in runs {
      #expect(run.error == nil, "\(run.dl): \(run.error ?? "")")
      let ids = Set(run.results.map(\.id))
      for id in Self.expectedChecks {
        #expect(ids.contains(id), "\(run.dl): the suite made no \(id) check\n\(report)")
      }
      for check in run.results {
        if check.id == "rdFile" {
          #expect(
            check.status == "fail" && check.msg == Self.offlineDescriptionFile, "\(check.msg)")
        } else {
          #expect(check.status == "pass", "\(run.dl): \(check.id) \(check.status): \(check.msg)")
        }
      }
    }
  }

  /// `ocop serve` refuses TLS files it cannot use before it listens, naming the file.
  @Test func tlsFilesThatCannotServeAreRefusedByName() throws {
    let store = try WorkflowTests.workspace()
    let folder = (store as NSString).deletingLastPathComponent
    try Self.makeCertificate(in: folder)
    try Self.run(
      "/usr/bin/openssl",
      [
        "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
        folder + "/other.pem",
      ])
    try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: folder + "/junk.pem"))
    let port = String(try PostgresWorkflowTests.freePort())
    for (files, message) in [
      (
        ["--tls-cert", "{dir}/missing.pem", "--tls-key", "{dir}/key.pem"],
        "{dir}/missing.pem does not exist"
      ),
      (
        ["--tls-cert", "{dir}/junk.pem", "--tls-key", "{dir}/key.pem"],
        "{dir}/junk.pem cannot be read as a PEM certificate"
      ),
      (
        ["--tls-cert", "{dir}/cert.pem", "--tls-key", "{dir}/junk.pem"],
        "{dir}/junk.pem cannot be read as a PEM private key"
      ),
      (
        ["--tls-cert", "{dir}/cert.pem", "--tls-key", "{dir}/other.pem"],
        "{dir}/other.pem is not the private key of the certificate in {dir}/cert.pem"
      ),
    ] {
      let result = try CommandRunner.run(
        ["serve", "--store", store, "--port", port]
          + files.map { $0.replacingOccurrences(of: "{dir}", with: folder) })
      #expect(result.status == 1)
      #expect(
        result.stderr == "ocop: " + message.replacingOccurrences(of: "{dir}", with: folder) + "\n")
    }
    let alone = try CommandRunner.run([
      "serve", "--store", store, "--tls-cert", folder + "/cert.pem",
    ])
    #expect(alone.status == 64)
    #expect(alone.stderr.contains("--tls-cert and --tls-key are given together"))
  }

  /// Writes `cert.pem`, a self-signed certificate for 127.0.0.1, and its `key.pem` into
  /// `folder`.
  static func makeCertificate(in folder: String) throws {
    try run(
      "/usr/bin/openssl",
      [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", folder + "/key.pem", "-out", folder + "/cert.pem", "-days", "2", "-subj",
        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
      ])
  }

  /// Runs `tool` and returns what it printed; a non-zero exit fails the test with it.
  @discardableResult
  static func run(_ tool: String, _ arguments: [String]) throws -> String {
    let result = try Subprocess.run([tool] + arguments)
    let text = String(decoding: result.stdout + result.stderr, as: UTF8.self)
    try #require(result.status == 0, "\(tool) \(arguments): \(text)")
    return String(decoding: result.stdout, as: UTF8.self)
  }

  /// Whether something accepts connections on the loopback `port`.
  static func accepts(_ port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }
}
