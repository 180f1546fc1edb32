import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import Resolver

#if canImport(Glibc)
  import Glibc
#endif

/// A bare HTTP/1.1 client on a blocking socket: it sends exactly the bytes it is given, so
/// requests no ordinary client would send can be tried, and reads answers by Content-Length
/// on one kept-alive connection.
final class RawConnection {
  struct Answer {
    let status: Int
    let head: String
    let body: String
  }
  struct Failure: Error, CustomStringConvertible { let description: String }

  private let socket: Int32
  private var buffer: [UInt8] = []

  /// A connection to `port` whose reads give up after `timeout` seconds (long enough, by
  /// default, for a server starved of threads by other tests running beside it).
  init(port: Int, timeout seconds: Int = 120) throws {
    socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw Failure(description: "socket: \(errno)") }
    var timeout = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(
      socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else {
      close(socket)
      throw Failure(description: "connect: \(errno)")
    }
  }

  deinit { close(socket) }

  func send(_ bytes: [UInt8]) throws {
    var sent = 0
    while sent < bytes.count {
      let count = bytes[sent...].withUnsafeBytes {
        Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      // The server may answer and close before reading everything (a refused header).
      guard count > 0 else { return }
      sent += count
    }
  }

  /// Reads one answer; nil when the server closed the connection without one.
  /// Whether the server has closed the connection: a read ends it rather than timing out.
  func closedByServer() -> Bool {
    var byte: UInt8 = 0
    return recv(socket, &byte, 1, 0) == 0
  }

  func answer() throws -> Answer? {
    var end: Int?
    while true {
      if let found = Self.find([13, 10, 13, 10], in: buffer) {
        end = found
        break
      }
      guard try fill() else { return nil }
    }
    let headEnd = end! + 4
    let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
    let lines = head.split(separator: "\r\n")
    guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1.1 "),
      let status = Int(statusLine.dropFirst(9).prefix(3))
    else { throw Failure(description: "not an HTTP answer: \(head.prefix(80))") }
    var length = 0
    for line in lines.dropFirst() where line.lowercased().hasPrefix("content-length:") {
      length = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
    }
    while buffer.count < headEnd + length {
      guard try fill() else { throw Failure(description: "body cut short") }
    }
    let body = String(decoding: buffer[headEnd..<(headEnd + length)], as: UTF8.self)
    buffer.removeFirst(headEnd + length)
    return Answer(status: status, head: head, body: body)
  }

  private func fill() throws -> Bool {
    var chunk = [UInt8](repeating: 0, count: 65536)
    let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
    if count < 0 { throw Failure(description: "recv: \(errno)") }
    if count == 0 { return false }
    buffer += chunk[..<count]
    return true
  }

  private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    for index in 0...(haystack.count - needle.count)
    where haystack[index..<(index + needle.count)].elementsEqual(needle) {
      return index
    }
    return nil
  }
}

/// The resolver attacked and loaded over a real socket, served the way `ocop serve` serves.
@Suite("Resolver under attack and load")
struct HostileRequestTests {
  static func request(_ target: String, headers: [String] = [], method: String = "GET") -> [UInt8] {
    Array(
      ([method + " " + target + " HTTP/1.1", "Host: truyxuat.angiang.example"] + headers + ["", ""])
        .joined(separator: "\r\n").utf8)
  }

  /// Requests built to hurt: each must get a 4xx (never a 5xx, never silence), and no
  /// answer may carry markup from the request.
  static let hostile: [(name: String, bytes: [UInt8])] = {
    let lot = "/01/08932301001016/10/DTNQ-2611-02"
    var cases: [(String, [UInt8])] = [
      ("path traversal", request("/../../etc/passwd")),
      ("encoded traversal", request("/%2e%2e/%2e%2e/etc/passwd")),
      ("traversal to the stylesheet's folder", request("/static/../../../../etc/passwd")),
      ("a NUL in the path", request("/01/08932301001016/10/A%00B")),
      ("invalid UTF-8", request("/01/08932301001016/10/%C0%AF")),
      ("a lone percent", request("/01/08932301001016/10/%")),
      ("half an escape", request("/01/08932301001016/10/%4")),
      ("script in the lot", request("/01/08932301001016/10/%3Cscript%3Ealert(1)%3C%2Fscript%3E")),
      ("script in the GTIN", request("/01/%3Cscript%3E/10/A")),
      ("script in a query", request(lot + "?17=%3Cscript%3E")),
      ("script in linkType", request(lot + "?linkType=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")),
      ("markup in a serial", request(lot + "/21/%3Csvg%20onload=alert(1)%3E")),
      ("an unknown linkType", request(lot + "?linkType=gs1:nothing")),
      ("a javascript: link type", request(lot + "?linkType=javascript:alert(1)")),
      (
        "a 2,100-byte path", request("/01/08932301001016/10/" + String(repeating: "A", count: 2100))
      ),
      ("a 100,000-byte path", request("/" + String(repeating: "x", count: 100_000))),
      (
        "10,000 query parameters",
        request(lot + "?" + (0..<10_000).map { "a\($0)=1" }.joined(separator: "&"))
      ),
      (
        "a 200 kB header",
        request(lot, headers: ["X-Big: " + String(repeating: "b", count: 200_000)])
      ),
      ("5,000 headers", request(lot, headers: (0..<5000).map { "X-H\($0): v" })),
      ("a body on GET", request(lot, headers: ["Content-Length: 5"]) + Array("hello".utf8)),
      (
        "a chunked body on GET",
        request(lot, headers: ["Transfer-Encoding: chunked"])
          + Array("5\r\nhello\r\n0\r\n\r\n".utf8)
      ),
      ("a large declared body", request(lot, headers: ["Content-Length: 100000000"])),
      ("POST", request(lot, headers: ["Content-Length: 0"], method: "POST")),
      ("DELETE", request(lot, method: "DELETE")),
      ("TRACE", request(lot, method: "TRACE")),
      ("an asterisk target", request("*", method: "OPTIONS")),
      ("a GTIN with 13 digits", request("/01/8932301001016/10/A")),
      (
        "a lot of 21 characters",
        request("/01/08932301001016/10/" + String(repeating: "7", count: 21))
      ),
      ("a date of month 13", request(lot + "?17=271302")),
      ("a repeated AI", request(lot + "?17=271102&17=271102")),
      ("an unknown primary key", request("/99/1234")),
      ("a bare root", request("/")),
      ("a double slash", request("//01/08932301001016/10/DTNQ-2611-02")),
      ("a backslash path", request("/01\\08932301001016\\10\\A")),
      ("CRLF injected in a query", request(lot + "?linkType=%0D%0ASet-Cookie:%20x=1")),
    ]
    cases.append(("a request line that is not HTTP", Array("HELLO\r\n\r\n".utf8)))
    cases.append(("HTTP/0.9", Array("GET /\r\n\r\n".utf8)))
    cases.append(("a header without a colon", request(lot, headers: ["NoColonHere"])))
    cases.append(("a control byte in a header", request(lot, headers: ["X-A: a\u{01}b"])))
    cases.append(
      (
        "two Content-Lengths",
        request(lot, headers: ["Content-Length: 1", "Content-Length: 2"]) + [0x41]
      ))
    return cases
  }()

  /// Requests that are odd but answerable: an unknown query parameter (GS1 Digital Link
  /// lets non-GS1 parameters through), a language nobody speaks (the page falls back to
  /// Vietnamese), a forged signature (the page says so). Answered 200, still escaped.
  static let odd: [(name: String, bytes: [UInt8], says: String)] = {
    let lot = "/01/08932301001016/10/DTNQ-2611-02"
    return [
      ("script in an unknown parameter", request(lot + "?x%3Cb%3E=%3Cscript%3E"), "DTNQ-2611-02"),
      (
        "script in lang", request(lot + "?lang=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E"),
        "lang=\"vi\""
      ),
      (
        "a forged signature",
        request(lot + "/21/5?17=271102&s=" + String(repeating: "1", count: 168)),
        "chữ ký số của mã không hợp lệ"
      ),
      (
        "a signature of letters", request(lot + "/21/5?17=271102&s=abc"),
        "chữ ký số của mã không hợp lệ"
      ),
      // An absolute URI names another host: the answer is this resolver's own, for the
      // path (HTTP/1.1 has servers take the target's host; this one serves one).
      (
        "an absolute URI for another host", request("http://evil.example/01/08932301001016"),
        "Các lô hàng có hồ sơ"
      ),
      // A lot with no record: the product's page, which names the lot as text.
      (
        "traversal in a lot", request("/01/08932301001016/10/..%2F..%2Fetc%2Fpasswd"),
        "Không có hồ sơ của lô ../../etc/passwd"
      ),
    ]
  }()

  /// Markup from a request that must never come back live in a page, and a header a request
  /// must never be able to set.
  static let markup = ["<script", "<img", "<svg", "href=\"javascript:", "<b>"]

  /// What is wrong with an answer: markup from the request live in the page, or a header
  /// the request set.
  static func unescaped(_ answer: RawConnection.Answer?, _ name: String) -> [String] {
    // The product's own photo is the one image a page may hold.
    let body = (answer?.body ?? "").lowercased()
      .replacingOccurrences(of: "<img src=\"/photos/", with: "")
    let head = (answer?.head ?? "").lowercased()
    return markup.filter { body.contains($0) }.map { "\(name): \($0) in the page" }
      + (head.contains("\r\nset-cookie") ? ["\(name): a header was injected"] : [])
  }

  /// Runs blocking socket work on a thread of its own: the server's handlers run on Swift's
  /// shared threads, which a blocked client must not hold.
  static func onThread<Value: Sendable>(_ work: @Sendable @escaping () throws -> Value)
    async throws -> Value
  {
    try await withCheckedThrowingContinuation { continuation in
      Thread { continuation.resume(with: Result { try work() }) }.start()
    }
  }

  static func live<Value: Sendable>(
    limits: ServerLimits = ServerLimits(),
    _ body: @Sendable @escaping (Int) async throws -> Value
  ) async throws -> Value {
    let (resolver, _) = try await ResolverTests.resolver()
    let app = try resolver.application(
      host: "127.0.0.1", port: 0, limits: limits, logger: Logger(label: "test"))
    return try await app.test(.live) { client in try await body(client.port!) }
  }

  /// Connections that send nothing, or a request's head and never its end, are closed
  /// after the idle timeout; and with every connection the server allows taken by them, a
  /// new client is still served once they are gone.
  @Test func idleAndHalfSentConnectionsAreClosedAndDoNotLockOthersOut() async throws {
    let limits = ServerLimits(idleSeconds: 1, connections: 4)
    let outcome = try await Self.live(limits: limits) { port in
      try await Self.onThread { () throws -> (closed: Int, served: Int?, seconds: Double) in
        var idle: [RawConnection] = []
        for index in 0..<limits.connections {
          let connection = try RawConnection(port: port, timeout: 20)
          if index.isMultiple(of: 2) {
            try connection.send(Array("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ".utf8))
          }
          idle.append(connection)
        }
        let start = Date()
        let check = try RawConnection(port: port, timeout: 20)
        try check.send(Self.request("/healthz"))
        let served = try check.answer()?.status
        let seconds = Date().timeIntervalSince(start)
        return (idle.filter { $0.closedByServer() }.count, served, seconds)
      }
    }
    #expect(outcome.closed == limits.connections)
    #expect(outcome.served == 200)
    #expect(outcome.seconds < 15, "a new client waited \(outcome.seconds) s")
  }

  @Test func hostileRequestsGet4xxAndNothingUnescaped() async throws {
    let problems = try await Self.live { port in
      try await Self.onThread {
        var problems: [String] = []
        for (name, bytes) in Self.hostile {
          do {
            let connection = try RawConnection(port: port)
            try connection.send(bytes)
            let answer = try connection.answer()
            if !(400..<500).contains(answer?.status ?? 0) {
              problems.append("\(name): \(answer?.head ?? "no answer")")
            }
            // Every answer, the server's own included, carries the security headers.
            if answer?.head.lowercased().contains("content-security-policy:") != true {
              problems.append("\(name): no Content-Security-Policy in \(answer?.head ?? "")")
            }
            problems += Self.unescaped(answer, name)
            // The server is still there, and the next request on a new connection is served.
            let check = try RawConnection(port: port)
            try check.send(Self.request("/healthz"))
            if try check.answer()?.status != 200 { problems.append("after \(name): not served") }
          } catch {
            problems.append("\(name): \(error)")
          }
        }
        for (name, bytes, says) in Self.odd {
          let connection = try RawConnection(port: port)
          try connection.send(bytes)
          let answer = try connection.answer()
          if answer?.status != 200 { problems.append("\(name): \(answer?.head ?? "no answer")") }
          if answer?.body.contains(says) != true { problems.append("\(name): no \"\(says)\"") }
          problems += Self.unescaped(answer, name)
        }
        return problems
      }
    }
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    #expect(Self.hostile.count + Self.odd.count >= 45)
  }

  /// A fixed number of requests on several kept-alive connections at once, pages, JSON and
  /// bad links mixed: every answer is the one expected, and none is an error.
  @Test func aFixedLoadOnLoopbackHasNoErrors() async throws {
    let tally = try await Self.live { port in
      try await withThrowingTaskGroup(of: [Int: Int].self) { group in
        for worker in 0..<Self.connections {
          group.addTask { try await Self.onThread { try Self.load(worker: worker, port: port) } }
        }
        var total: [Int: Int] = [:]
        for try await statuses in group { total.merge(statuses, uniquingKeysWith: +) }
        return total
      }
    }
    #expect(
      tally == [0: Self.connections * Self.perConnection], "answers other than expected: \(tally)")
  }

  static let connections = 8
  static let perConnection = 1500
  static let targets: [(String, [String], Int)] = [
    ("/01/08932301001016/10/DTNQ-2611-02", [], 200),
    ("/01/08932301001016/10/DTNQ-2611-02", ["Accept: application/json"], 200),
    ("/01/08932301001016/10/DTNQ-2611-02?lang=en", [], 200),
    ("/01/08935481001012/10/NTN-2609-02", [], 200),
    ("/01/08932301099983/10/NOPE", [], 404),
    ("/01/08932301001016/10/NOPE", [], 200),
    ("/01/08932301001017/10/A", [], 400),
    ("/static/trace.css", [], 200),
  ]

  /// One connection's share of the load: statuses tallied, 0 for "as expected".
  static func load(worker: Int, port: Int) throws -> [Int: Int] {
    var statuses: [Int: Int] = [:]
    let connection = try RawConnection(port: port)
    for index in 0..<perConnection {
      let (target, headers, expected) = targets[(worker + index) % targets.count]
      try connection.send(request(target, headers: headers))
      let status = try connection.answer()?.status ?? 0
      statuses[status == expected ? 0 : status, default: 0] += 1
    }
    return statuses
  }
}
