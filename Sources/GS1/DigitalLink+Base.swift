extension DigitalLink {
  /// The part of a Digital Link before its primary key: `https://id.example/stem`.
  public struct Base: Hashable, Sendable, CustomStringConvertible {
    /// `http` or `https`, all lower or all upper case, as written.
    public let scheme: String
    /// The host, with its port if any, as written.
    public let host: String
    /// Path segments before the primary key, as written (percent-encoded).
    public let stem: [String]

    /// Parses a base such as `https://id.example` or `https://resolver.example/trace`; one
    /// trailing slash is dropped.
    public init(_ text: String) throws(GS1Error) {
      guard let separator = text.firstRange(of: "://") else {
        throw GS1Error("base URL", text, .syntax("must start with https:// or http://"))
      }
      let scheme = try Self.checkScheme(text[..<separator.lowerBound], in: text)
      var rest = text[separator.upperBound...]
      if rest.hasSuffix("/") { rest = rest.dropLast() }
      if let bad = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) {
        throw GS1Error("base URL", text, .syntax("must not contain '\(rest[bad])'"))
      }
      let slash = rest.firstIndex(of: "/") ?? rest.endIndex
      let host = try Self.checkHost(rest[..<slash], in: text)
      var stem: [String] = []
      if slash < rest.endIndex {
        for segment in rest[rest.index(after: slash)...].split(
          separator: "/", omittingEmptySubsequences: false)
        {
          stem.append(try Self.checkStemSegment(segment, in: text))
        }
      }
      self.scheme = scheme
      self.host = host
      self.stem = stem
    }

    init(scheme: String, host: String, stem: [String]) {
      self.scheme = scheme
      self.host = host
      self.stem = stem
    }

    public var description: String {
      scheme + "://" + host + stem.map { "/" + $0 }.joined()
    }

    /// A copy with scheme and host in upper or lower case; the stem is left as it is.
    public func withSchemeAndHost(uppercased: Bool) -> Base {
      Base(
        scheme: uppercased ? scheme.uppercased() : scheme.lowercased(),
        host: uppercased ? host.uppercased() : host.lowercased(), stem: stem)
    }

    static func checkScheme(_ scheme: Substring, in text: String) throws(GS1Error) -> String {
      switch scheme {
      case "http", "https", "HTTP", "HTTPS": return String(scheme)
      default:
        let lower = scheme.lowercased()
        let why =
          lower == "http" || lower == "https"
          ? "scheme '\(scheme)' must be all lower case or all upper case"
          : "scheme '\(scheme)' is not http or https"
        throw GS1Error("Digital Link", text, .syntax(why))
      }
    }

    static func checkHost(_ host: Substring, in text: String) throws(GS1Error) -> String {
      func fail(_ why: String) -> GS1Error { GS1Error("Digital Link", text, .syntax(why)) }
      guard !host.isEmpty else { throw fail("has no host") }
      if host.contains("@") { throw fail("must not carry a user name ('@') before the host") }
      var name = host
      if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") {
        let port = host[host.index(after: colon)...]
        guard !port.isEmpty, port.utf8.count <= 5, String(port).firstNonDigitPosition == nil,
          let number = Int(port), number <= 65535
        else { throw fail("port '\(port)' is not a number from 0 to 65535") }
        name = host[..<colon]
      }
      if name.hasPrefix("[") {
        let inner = name.dropFirst().dropLast()
        guard name.hasSuffix("]"), !inner.isEmpty,
          inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." })
        else { throw fail("host '\(name)' is not a valid IPv6 literal") }
        return String(host)
      }
      // A fully qualified name may end with the root's dot (`example.com.`).
      if name.count > 1, name.hasSuffix(".") { name = name.dropLast() }
      let labels = name.split(separator: ".", omittingEmptySubsequences: false)
      for label in labels {
        let ok =
          !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-")
          && !label.hasSuffix("-")
          && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        if !ok { throw fail("host '\(name)' is not a valid host name") }
      }
      return String(host)
    }

    static func checkStemSegment(_ segment: Substring, in text: String) throws(GS1Error) -> String {
      guard !segment.isEmpty else {
        throw GS1Error("Digital Link", text, .syntax("has an empty path segment ('//')"))
      }
      // RFC 3986 pchar: unreserved, percent-encoded, sub-delims, ':' and '@'.
      for byte in segment.utf8
      where !PercentEncoding.isUnreserved(byte) && !"%!$&'()*+,;=:@".utf8.contains(byte) {
        let shown = byte < 0x80 ? "'\(Character(UnicodeScalar(byte)))'" : "a non-ASCII byte"
        throw GS1Error(
          "Digital Link", text, .syntax("path segment '\(segment)' holds \(shown)"))
      }
      if !PercentEncoding.hasWellFormedEscapes(segment.utf8) {
        throw GS1Error(
          "Digital Link", text,
          .syntax("path segment '\(segment)' has a '%' not followed by two hexadecimal digits"))
      }
      return String(segment)
    }
  }
}
