import Foundation
import Traceability

/// Where a PostgreSQL store is: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, or
/// `postgresql://…`, with optional `sslmode` (`disable`, `prefer`, `require`,
/// `verify-full`) and `connect_timeout` (seconds) query parameters.
///
/// The password may instead come from `PGPASSWORD`, so it stays out of shell history and
/// process lists. Messages name the store by ``description``, which never shows it.
public struct PostgresLocation: Equatable, Sendable, CustomStringConvertible {
  /// How the connection is encrypted.
  public enum TLSMode: String, Sendable, CaseIterable {
    /// Never.
    case disable
    /// When the server offers it, without checking its certificate (libpq's default).
    case prefer
    /// Always, without checking the certificate.
    case require
    /// Always, checking the certificate's chain and that it names the host.
    case verifyFull = "verify-full"
  }

  public let user: String
  public let password: String?
  public let host: String
  public let port: Int
  public let database: String
  public let tls: TLSMode
  /// Seconds to wait for the server to answer a connection.
  public let connectTimeout: Int

  /// Whether `text` names a PostgreSQL store (by its scheme).
  public static func isPostgres(_ text: String) -> Bool {
    let lower = text.lowercased()
    return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
  }

  /// Parses `text`; the password, when the URL has none, comes from `environment`'s
  /// `PGPASSWORD`.
  public init(
    _ text: String, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(TraceError) {
    let shown = Self.redacted(text)
    func bad(_ reason: String) -> TraceError {
      .invalidField(record: "store", field: "location", value: shown, reason: reason)
    }
    guard Self.isPostgres(text), let url = URLComponents(string: text) else {
      throw bad("is not a postgres://USER@HOST:PORT/DATABASE address")
    }
    guard let user = url.user, !user.isEmpty else {
      throw bad("names no user (postgres://USER@HOST:PORT/DATABASE)")
    }
    guard let host = url.host, !host.isEmpty else {
      throw bad("names no host (postgres://USER@HOST:PORT/DATABASE)")
    }
    let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
    guard !path.isEmpty, !path.contains("/") else {
      throw bad("names no database (postgres://USER@HOST:PORT/DATABASE)")
    }
    var tls = TLSMode.prefer
    var timeout = 10
    for item in url.queryItems ?? [] {
      switch item.name {
      case "sslmode":
        guard let value = item.value, let mode = TLSMode(rawValue: value) else {
          throw bad(
            "has sslmode=\(item.value ?? ""); use one of "
              + TLSMode.allCases.map(\.rawValue).joined(separator: ", "))
        }
        tls = mode
      case "connect_timeout":
        guard let value = item.value.flatMap(Int.init), (1...3600).contains(value) else {
          throw bad("has connect_timeout=\(item.value ?? ""); use whole seconds from 1 to 3600")
        }
        timeout = value
      default:
        throw bad("has the unknown parameter \(item.name); known: sslmode, connect_timeout")
      }
    }
    self.user = user.removingPercentEncoding ?? user
    password = url.password.map { $0.removingPercentEncoding ?? $0 } ?? environment["PGPASSWORD"]
    // An IPv6 host comes bracketed.
    self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
    port = url.port ?? 5432
    database = path.removingPercentEncoding ?? path
    self.tls = tls
    connectTimeout = timeout
  }

  /// The location without its password, as messages show it.
  public var description: String {
    let shownHost = host.contains(":") ? "[\(host)]" : host
    return "postgres://\(user)@\(shownHost):\(port)/\(database)"
  }

  /// The query parameters that differ from the defaults (`?sslmode=disable`…), or "".
  public var queryParameters: String {
    var items: [String] = []
    if tls != .prefer { items.append("sslmode=\(tls.rawValue)") }
    if connectTimeout != 10 { items.append("connect_timeout=\(connectTimeout)") }
    return items.isEmpty ? "" : "?" + items.joined(separator: "&")
  }

  /// `text` with any password replaced by `***`.
  public static func redacted(_ text: String) -> String {
    guard let scheme = text.range(of: "://"),
      let at = text[scheme.upperBound...].firstIndex(of: "@")
    else { return text }
    let credentials = text[scheme.upperBound..<at]
    guard let colon = credentials.firstIndex(of: ":") else { return text }
    return String(text[..<colon]) + ":***" + String(text[at...])
  }
}
