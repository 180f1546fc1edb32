import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Where `ocop print --to` sends a printer stream: a device file (a USB or serial printer,
/// `/dev/usb/lp0`), or a network printer's raw port (`HOST:9100`, which most network label
/// printers accept; `HOST` alone means port 9100).
enum PrinterTarget: Equatable, CustomStringConvertible {
  case device(String)
  case network(host: String, port: UInt16)

  init(_ text: String) throws {
    if text.hasPrefix("/") || text.hasPrefix("./") {
      self = .device(text)
      return
    }
    var host = Substring(text)
    var port: UInt16 = 9100
    if host.hasPrefix("[") {
      // [IPv6]:PORT
      guard let close = host.firstIndex(of: "]") else {
        throw CLIError("--to \"\(text)\": an IPv6 address goes in brackets, as [::1]:9100")
      }
      let rest = host[host.index(after: close)...]
      host = host[host.index(after: host.startIndex)..<close]
      if !rest.isEmpty {
        guard rest.hasPrefix(":"), let number = UInt16(rest.dropFirst()), number > 0 else {
          throw CLIError("--to \"\(text)\": the port after the address must be 1 to 65535")
        }
        port = number
      }
    } else if let colon = host.lastIndex(of: ":") {
      guard let number = UInt16(host[host.index(after: colon)...]), number > 0 else {
        throw CLIError("--to \"\(text)\": the port after the host must be 1 to 65535")
      }
      port = number
      host = host[..<colon]
    }
    guard !host.isEmpty,
      host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.:".contains($0)) })
    else {
      throw CLIError(
        "--to \"\(text)\" is neither a device file (/dev/usb/lp0) nor a printer's HOST:PORT")
    }
    self = .network(host: String(host), port: port)
  }

  var description: String {
    switch self {
    case .device(let path): path
    case .network(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
  }

  /// Checks, before anything is allocated, that the printer can be reached: its device
  /// opens for writing, or its port takes a connection (closed again at once).
  func checkReachable() throws {
    try send([])
  }

  /// Sends `bytes`, all of them, or throws what stopped it.
  func send(_ bytes: [UInt8], timeout seconds: Int = 10) throws {
    switch self {
    case .device(let path):
      let descriptor = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)
      guard descriptor >= 0 else {
        throw CLIError(
          "printer \(path) cannot be opened: \(String(cString: strerror(errno))) (is the printer on and is this its device?)"
        )
      }
      defer { close(descriptor) }
      try write(bytes, to: descriptor, name: path)
    case .network(let host, let port):
      var hints = addrinfo()
      hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
      hints.ai_family = AF_UNSPEC
      var found: UnsafeMutablePointer<addrinfo>?
      let status = getaddrinfo(host, String(port), &hints, &found)
      guard status == 0, let first = found else {
        throw CLIError(
          "printer \(self): the host cannot be found (\(String(cString: gai_strerror(status))))")
      }
      defer { freeaddrinfo(first) }
      var lastError = ECONNREFUSED
      var address: UnsafeMutablePointer<addrinfo>? = first
      while let current = address {
        address = current.pointee.ai_next
        let socket = Glibc.socket(
          current.pointee.ai_family, current.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue),
          current.pointee.ai_protocol)
        guard socket >= 0 else {
          lastError = errno
          continue
        }
        defer { close(socket) }
        // The timeout bounds connect(2) and each write on Linux.
        var limit = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(
          socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard connect(socket, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 else {
          lastError = errno
          continue
        }
        try write(bytes, to: socket, name: description)
        // All sent: say so, and let the printer close when it has read it.
        shutdown(socket, Int32(SHUT_WR))
        return
      }
      throw CLIError(
        "printer \(self) cannot be reached: \(String(cString: strerror(lastError))) (is it on, on this network, with raw printing on port \(port)?)"
      )
    }
  }

  private func write(_ bytes: [UInt8], to descriptor: Int32, name: String) throws {
    var sent = 0
    while sent < bytes.count {
      let count = bytes[sent...].withUnsafeBytes {
        Glibc.write(descriptor, $0.baseAddress, $0.count)
      }
      if count < 0 {
        if errno == EINTR { continue }
        throw CLIError(
          "printer \(name) stopped taking data after \(sent) of \(bytes.count) bytes: \(String(cString: strerror(errno)))"
        )
      }
      sent += count
    }
  }
}
