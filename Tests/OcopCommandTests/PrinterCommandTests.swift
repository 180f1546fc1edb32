import Foundation
import Label
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `ocop print` for the printers producers own: PDF sheets, the calibration page, ZPL and
/// TSPL streams sent to a network printer (played by a test server) or a device file.
@Suite("Printing to printers")
struct PrinterCommandTests {
  static let lot = "8932301001016/DTNQ-2609-01"

  static func ocop(_ store: String, _ arguments: [String]) throws -> CommandRunner.Result {
    try CommandRunner.run(arguments + ["--store", store])
  }

  /// What the store holds of the lot's serials: what a refused command must leave as it was.
  static func serials(_ store: String) throws -> String {
    try ocop(store, ["batch", "show", lot, "--json"]).stdout
  }

  /// A network label printer on a loopback port: it takes connections until stopped and
  /// keeps the bytes of each.
  final class TestPrinter: @unchecked Sendable {
    let port: Int
    private let socket: Int32
    private let lock = NSLock()
    private var received: [[UInt8]] = []
    private let done = DispatchSemaphore(value: 0)

    struct Failure: Error {}

    init() throws {
      let listener = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_addr.s_addr = inet_addr("127.0.0.1")
      address.sin_port = 0
      let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      guard listener >= 0, bound == 0, listen(listener, 8) == 0 else { throw Failure() }
      var length = socklen_t(MemoryLayout<sockaddr_in>.size)
      _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          getsockname(listener, $0, &length)
        }
      }
      socket = listener
      port = Int(UInt16(bigEndian: address.sin_port))
      Thread.detachNewThread { [self] in
        while true {
          let client = accept(listener, nil, nil)
          guard client >= 0 else { break }
          var bytes: [UInt8] = []
          var buffer = [UInt8](repeating: 0, count: 65536)
          while true {
            let count = read(client, &buffer, buffer.count)
            guard count > 0 else { break }
            bytes += buffer[..<count]
          }
          close(client)
          lock.lock()
          received.append(bytes)
          lock.unlock()
        }
        done.signal()
      }
    }

    /// What each connection sent, in order.
    var connections: [[UInt8]] {
      lock.lock()
      defer { lock.unlock() }
      return received
    }

    func stop() {
      shutdown(socket, Int32(SHUT_RDWR))
      close(socket)
      _ = done.wait(timeout: .now() + 5)
    }
  }

  /// A ZPL run sent to a network printer reaches it whole: the bytes it receives are the
  /// run's stream, which decodes to the labels' URLs; a dry run sends nothing; --resend
  /// sends the file again.
  @Test func aZPLRunReachesANetworkPrinter() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let printer = try TestPrinter()
    defer { printer.stop() }
    let sent = try Self.ocop(
      store,
      [
        "print", Self.lot, "--count", "3", "--template", "60x40", "--dpi", "203", "--format",
        "zpl", "--to", "127.0.0.1:\(printer.port)", "--out", folder + "/zpl",
      ])
    #expect(sent.status == 0, "\(sent.stderr)")
    #expect(sent.stdout.contains("sent to    127.0.0.1:\(printer.port)"), "\(sent.stdout)")
    let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/zpl/labels.zpl")))
    // Give the printer's thread a moment to finish reading.
    var waited = 0
    while printer.connections.last != file && waited < 50 {
      usleep(100_000)
      waited += 1
    }
    // The first connection is the check that the printer can be reached, made before any
    // serial is allocated; the second carries the stream.
    #expect(printer.connections.count == 2)
    #expect(printer.connections.last == file)
    let labels = try PrinterOutput.unpack("zpl", folder + "/zpl/labels.zpl", into: folder + "/u")
    #expect(labels.count == 3)
    for label in labels {
      let image = try PrinterOutput.readPGM(try #require(label["image"] as? String))
      var bitmap = Bitmap(width: image.width, height: image.height)
      bitmap.pixels = image.pixels
      let urls = try ZBarDecoder.decode(bitmap)
      #expect(urls.count == 1 && urls[0].contains("/10/DTNQ-2609-01/21/"), "\(urls)")
    }
    // A dry run writes the stream and sends nothing.
    let dry = try Self.ocop(
      store,
      [
        "print", Self.lot, "--count", "1", "--template", "60x40", "--format", "tspl", "--to",
        "127.0.0.1:\(printer.port)", "--dry-run", "--out", folder + "/dry",
      ])
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(dry.stderr.contains("dry run"), "\(dry.stderr)")
    #expect(FileManager.default.fileExists(atPath: folder + "/dry/labels.tspl"))
    #expect(printer.connections.count == 2)
    let again = try CommandRunner.run([
      "print", "--resend", folder + "/dry/labels.tspl", "--to", "127.0.0.1:\(printer.port)",
    ])
    #expect(again.status == 0, "\(again.stderr)")
    waited = 0
    while printer.connections.count < 3 && waited < 50 {
      usleep(100_000)
      waited += 1
    }
    #expect(
      printer.connections.last
        == [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/dry/labels.tspl"))))
  }

  /// A printer's device file gets the stream as it is.
  @Test func aTSPLRunIsWrittenToADeviceFile() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let device = folder + "/lp0"
    #expect(FileManager.default.createFile(atPath: device, contents: nil))
    let sent = try Self.ocop(
      store,
      [
        "print", Self.lot, "--count", "2", "--template", "60x40", "--format", "tspl", "--to",
        device, "--out", folder + "/tspl",
      ])
    #expect(sent.status == 0, "\(sent.stderr)")
    #expect(
      try Data(contentsOf: URL(fileURLWithPath: device))
        == Data(contentsOf: URL(fileURLWithPath: folder + "/tspl/labels.tspl")))
  }

  /// An unreachable printer, a missing device, a bad address, a bad offset or sheet, and a
  /// resolution no thermal printer has: one clear line each, exit 1, no serial allocated.
  @Test func badPrinterInputIsRefusedBeforeAnySerialIsTaken() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    // A port nothing listens on: bind one, note it, close it.
    let closed = try TestPrinter()
    let deadPort = closed.port
    closed.stop()
    let before = try Self.serials(store)
    let cases: [([String], String)] = [
      (["--format", "zpl", "--to", "127.0.0.1:\(deadPort)"], "cannot be reached"),
      (["--format", "zpl", "--to", folder + "/no-such-device"], "cannot be opened"),
      (["--format", "zpl", "--to", "printer:99999"], "port after the host must be 1 to 65535"),
      (["--format", "zpl", "--dpi", "250"], "203, 300 or 600 dpi"),
      (["--format", "pdf", "--offset", "1;2"], "must be X,Y in millimetres"),
      (["--format", "pdf", "--sheet", "a4-avery"], "is not a layout"),
      (["--format", "pdf", "--sheet", "3x8-70x37", "--offset=-1,0"], "off the page"),
      (["--format", "svg", "--sheet", "3x8-70x37"], "makes pages of PNG or PDF"),
      (["--format", "print", "--to", "127.0.0.1:9100"], "use --format zpl or tspl"),
      (["--printer-qr"], "--printer-qr is for --format zpl or tspl"),
    ]
    for (arguments, message) in cases {
      let result = try Self.ocop(
        store,
        ["print", Self.lot, "--count", "1", "--out", folder + "/bad"] + arguments)
      #expect(result.status != 0, "\(arguments)")
      #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
      #expect(result.stderr.split(separator: "\n").count <= 3, "\(result.stderr)")
      #expect(!FileManager.default.fileExists(atPath: folder + "/bad"))
    }
    #expect(try Self.serials(store) == before)
  }

  /// A PDF sheet by layout name, and the calibration page with its offset.
  @Test func aPDFSheetAndTheCalibrationPage() throws {
    let store = try StoreTemplate.copy()
    let folder = (store as NSString).deletingLastPathComponent
    let printed = try Self.ocop(
      store,
      [
        "print", Self.lot, "--count", "30", "--sheet", "3x7-63.5x38.1", "--format", "pdf",
        "--offset", "0.5,-0.3", "--out", folder + "/sheet",
      ])
    #expect(printed.status == 0, "\(printed.stderr)")
    #expect(printed.stdout.contains("(1 file,"), "\(printed.stdout)")
    let info = try PrinterOutput.run("pdfinfo", [folder + "/sheet/labels.pdf"])
    #expect(info.contains("Pages:           2") && info.contains("(A4)"), "\(info)")
    // 70×37 labels fill A4 from edge to edge: moving them 0.5 mm right runs off the page.
    let offPage = try Self.ocop(
      store,
      [
        "print", Self.lot, "--count", "3", "--sheet", "3x8-70x37", "--format", "pdf",
        "--offset", "0.5,-0.3", "--out", folder + "/off",
      ])
    #expect(offPage.status == 1 && offPage.stderr.contains("off the page"), "\(offPage.stderr)")
    let calibration = try CommandRunner.run([
      "print", "--calibration", "--sheet", "2x7-99.1x38.1", "--offset", "1.5,-0.8", "--out",
      folder + "/calibration.pdf",
    ])
    #expect(calibration.status == 0, "\(calibration.stderr)")
    #expect(
      calibration.stdout.hasPrefix(
        "calibration page for 2x7-99.1x38.1 (offset 1.500,-0.800 mm) written to"),
      "\(calibration.stdout)")
    let text = try PrinterOutput.run("pdftotext", [folder + "/calibration.pdf", "-"])
    #expect(text.contains("Trang hiệu chỉnh: 2x7-99.1x38.1, offset 1.500,-0.800 mm"), "\(text)")
    #expect(text.contains("100 mm"))
    // Written once: a second run does not overwrite it.
    let again = try CommandRunner.run([
      "print", "--calibration", "--out", folder + "/calibration.pdf",
    ])
    #expect(again.status != 0 && again.stderr.contains("already exists"), "\(again.stderr)")
  }
}
