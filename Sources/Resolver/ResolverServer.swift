import Foundation
import GS1
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOHTTPTypes
import NIOSSL
import Synchronization

/// A request's context, with the client's address (for the scan log's place, never
/// stored as it is).
public struct ResolverRequestContext: RequestContext, RemoteAddressRequestContext {
  public var coreContext: CoreRequestContextStorage
  public let remoteAddress: SocketAddress?

  public init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    remoteAddress = source.channel.remoteAddress
  }
}

/// Refuses what the resolver never needs before any work is done: methods other than GET,
/// HEAD and OPTIONS (405), request bodies, by length or chunked (413), over-long targets
/// (414); answers OPTIONS (a browser's preflight, as GS1's resolver standard asks); and sets
/// the security and cross-origin headers on every answer.
struct GuardMiddleware: RouterMiddleware {
  typealias Context = ResolverRequestContext
  static let maxTarget = 2048
  /// Whether answers carry Strict-Transport-Security: when the resolver's address is https.
  let transportSecurity: Bool
  /// The `Link` to a path's linkset, which OPTIONS answers carry too.
  let linksetLink: @Sendable (String) -> String?

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    var response: Response
    if request.method == .options {
      if request.uri.string.hasPrefix("/") {
        response = Response(status: .noContent)
        response.headers[.allow] = Self.methods
        response.headers[Self.allowHeaders] = "Accept, Accept-Language"
        response.headers[Self.maxAge] = "86400"
        if let link = linksetLink(request.uri.path) { response.headers[Self.link] = link }
      } else {
        response = Self.plain(.badRequest, "OPTIONS is answered for a path\n")
      }
    } else if !request.uri.string.hasPrefix("/") {
      response = Self.plain(.badRequest, "the request target must be a path\n")
    } else if request.method != .get && request.method != .head {
      response = Self.plain(.methodNotAllowed, "only GET, HEAD and OPTIONS\n")
      response.headers[.allow] = Self.methods
    } else if request.headers[.contentLength].map({ $0 != "0" }) ?? false
      || request.headers[.transferEncoding] != nil
    {
      response = Self.plain(.contentTooLarge, "no request body is accepted\n")
    } else if request.uri.string.utf8.count > Self.maxTarget {
      response = Self.plain(
        .uriTooLong, "the request target is longer than \(Self.maxTarget) bytes\n")
    } else {
      do {
        response = try await next(request, context)
      } catch {
        // Nothing a client sends may produce a 500: an unroutable request is not found.
        response = Self.plain(.notFound, "not found\n")
      }
    }
    if response.headers[.contentSecurityPolicy] == nil {
      Self.secure(&response.headers, transportSecurity: transportSecurity)
    }
    return response
  }

  /// The security headers every answer carries.
  static func secure(_ headers: inout HTTPFields, transportSecurity: Bool) {
    if transportSecurity { headers[strictTransportSecurity] = "max-age=31536000" }
    // Any web page may read the answers (GS1's resolver standard: SHALL support CORS).
    headers[allowOrigin] = "*"
    headers[allowMethods] = methods
    headers[exposeHeaders] = "Link, Location, Content-Language"
    headers[.contentSecurityPolicy] =
      "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    headers[.xContentTypeOptions] = "nosniff"
    headers[referrerPolicy] = "no-referrer"
    headers[frameOptions] = "DENY"
    if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
  }

  static let methods = "GET, HEAD, OPTIONS"
  static let link = HTTPField.Name("Link")!
  static let allowOrigin = HTTPField.Name("Access-Control-Allow-Origin")!
  static let allowMethods = HTTPField.Name("Access-Control-Allow-Methods")!
  static let allowHeaders = HTTPField.Name("Access-Control-Allow-Headers")!
  static let exposeHeaders = HTTPField.Name("Access-Control-Expose-Headers")!
  static let maxAge = HTTPField.Name("Access-Control-Max-Age")!
  static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
  static let strictTransportSecurity = HTTPField.Name("Strict-Transport-Security")!
  static let frameOptions = HTTPField.Name("X-Frame-Options")!

  static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
    Response(
      status: status, headers: [.contentType: "text/plain; charset=utf-8"],
      body: .init(byteBuffer: ByteBuffer(string: text)))
  }
}

extension TraceResolver {
  /// The router: every path goes to ``resolve(path:query:accept:acceptLanguage:client:userAgent:)``.
  public func router(logger: Logger) -> Router<ResolverRequestContext> {
    let router = Router(context: ResolverRequestContext.self)
    let transportSecurity = settings.base.lowercased().hasPrefix("https://")
    let resolver = self
    router.add(
      middleware: GuardMiddleware(
        transportSecurity: transportSecurity, linksetLink: { resolver.linkHeader(path: $0) }))
    let cache = ResponseCache()
    let handler: @Sendable (Request, ResolverRequestContext) async throws -> Response = {
      request, context in
      let path = request.uri.path.isEmpty ? "/" : request.uri.path
      let rawQuery = request.uri.query
      let query = rawQuery?.isEmpty == true ? nil : rawQuery
      let accept = request.headers[.accept]
      let language = request.headers[.acceptLanguage]
      // Answers that do not change from one scan to the next (everything but a counted
      // serial) come from a cache that lasts while the store's log does not grow and the
      // day does not change, both checked at most once a second.
      let counted = resolver.scanLog != nil && TraceResolver.hasSerial(path: path, query: query)
      let key = CacheKey(
        format: TraceResolver.Format(accept: accept),
        english: TraceResolver.prefersEnglish(query: query, acceptLanguage: language),
        target: request.uri.string)
      if !counted,
        let cached = await cache.response(
          for: key,
          state: { ((try? await resolver.store.headSequence()) ?? -1, resolver.today()) })
      {
        return cached
      }
      // A HEAD request is never a scan: it is given no browser.
      let reply = await resolver.resolve(
        path: path, query: query, accept: accept, acceptLanguage: language,
        client: context.remoteAddress?.ipAddress,
        userAgent: request.method == .get ? request.headers[.userAgent] : nil)
      var headers = HTTPFields()
      for (name, value) in reply.headers {
        if let field = HTTPField.Name(name) { headers[field] = value }
      }
      GuardMiddleware.secure(&headers, transportSecurity: transportSecurity)
      logger.debug(
        "resolve",
        metadata: [
          "path": .string(String(path.prefix(200))), "status": .stringConvertible(reply.status),
        ])
      let response = Response(
        status: HTTPResponse.Status(code: reply.status), headers: headers,
        body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
      if !counted { cache.store(response, for: key) }
      return response
    }
    router.get("/", use: handler)
    router.head("/", use: handler)
    router.get("**", use: handler)
    router.head("**", use: handler)
    return router
  }

  /// The server on `host`:`port` within `limits`, over TLS when `tls` is given, stopping
  /// gracefully on SIGTERM or SIGINT.
  public func application(
    host: String, port: Int, limits: ServerLimits = ServerLimits(), tls: ServerTLS? = nil,
    logger: Logger
  ) throws -> some ApplicationProtocol {
    let http1 = HTTPServerBuilder.http1(
      configuration: .init(
        additionalChannelHandlers: [
          SecurityHeadersHandler(
            transportSecurity: settings.base.lowercased().hasPrefix("https://"))
        ],
        idleTimeout: .seconds(Int64(limits.idleSeconds))))
    return Application(
      router: router(logger: logger),
      server: try tls.map { try .tls(http1, tlsConfiguration: $0.configuration) } ?? http1,
      configuration: .init(
        address: .hostname(host, port: port), serverName: "ocop-trace",
        availableConnectionsDelegate: MaximumAvailableConnections(limits.connections)),
      logger: logger)
  }
}

/// A certificate chain and its private key, read from PEM files, for serving over HTTPS
/// (GS1's resolver standard: SHALL support HTTP over TLS) without a proxy in front.
public struct ServerTLS: Sendable {
  let configuration: TLSConfiguration

  /// Reads `certificateFile` (the server's certificate first, then any intermediates) and
  /// `keyFile`; each problem names the file.
  public init(certificateFile: String, keyFile: String) throws(ServerTLSError) {
    for file in [certificateFile, keyFile] where !FileManager.default.isReadableFile(atPath: file) {
      throw ServerTLSError(
        file: file,
        problem: FileManager.default.fileExists(atPath: file) ? "cannot be read" : "does not exist")
    }
    let chain: [NIOSSLCertificate]
    do {
      chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
    } catch {
      throw ServerTLSError(file: certificateFile, problem: "cannot be read as a PEM certificate")
    }
    guard !chain.isEmpty else {
      throw ServerTLSError(file: certificateFile, problem: "holds no PEM certificate")
    }
    let key: NIOSSLPrivateKey
    do {
      key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
    } catch {
      throw ServerTLSError(file: keyFile, problem: "cannot be read as a PEM private key")
    }
    var configuration = TLSConfiguration.makeServerConfiguration(
      certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    configuration.minimumTLSVersion = .tlsv12
    // A context is made once here, so that a key that is not the certificate's is refused
    // before the server starts.
    do {
      _ = try NIOSSLContext(configuration: configuration)
    } catch {
      throw ServerTLSError(
        file: keyFile, problem: "is not the private key of the certificate in \(certificateFile)")
    }
    self.configuration = configuration
  }
}

/// A TLS file that cannot be used, and why.
public struct ServerTLSError: Error, CustomStringConvertible {
  public let file: String
  public let problem: String
  public var description: String { "\(file) \(problem)" }
}

/// What one client's connection may hold of the server.
public struct ServerLimits: Sendable {
  /// Seconds a connection may stay without a complete request (sending nothing, or a
  /// request's head byte by byte) before it is closed; a kept-alive connection gets as long
  /// between requests.
  public var idleSeconds: Int
  /// Connections open at once; beyond it new ones wait to be accepted.
  public var connections: Int

  public init(idleSeconds: Int = 15, connections: Int = ServerLimits.defaultConnections) {
    self.idleSeconds = idleSeconds
    self.connections = connections
  }

  /// The process's limit on open files less a reserve for the store, the scan log and the
  /// server's own, and at most 10,000.
  public static var defaultConnections: Int {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1000 }
    let files = limit.rlim_cur == rlim_t.max ? 10_064 : Int(clamping: limit.rlim_cur)
    return max(16, min(10_000, files - 64))
  }
}

struct CacheKey: Hashable, Sendable {
  let format: TraceResolver.Format
  let english: Bool
  let target: String
}

/// Prepared answers by request, valid while the store's head (its last event) and the day
/// stay the same; both are read again at most once a second, so a new record shows within
/// a second.
final class ResponseCache: Sendable {
  private struct State {
    var head: Int64?
    var day: GS1Date?
    var checked: UInt64 = 0
    var responses: [CacheKey: Response] = [:]
  }
  private let state = Mutex(State())
  private static let limit = 20_000

  func response(for key: CacheKey, state current: () async -> (Int64, GS1Date)) async -> Response? {
    let now = DispatchTime.now().uptimeNanoseconds
    // One lock in the common case: fresh, and found or not.
    let (fresh, found) = state.withLock { state -> (Bool, Response?) in
      guard state.head != nil, now &- state.checked <= 1_000_000_000 else { return (false, nil) }
      return (true, state.responses[key])
    }
    if fresh { return found }
    let (head, day) = await current()
    return state.withLock { state in
      if state.head != head || state.day != day { state.responses.removeAll() }
      state.head = head
      state.day = day
      state.checked = now
      return state.responses[key]
    }
  }

  func store(_ response: Response, for key: CacheKey) {
    state.withLock { state in
      if state.responses.count >= Self.limit { state.responses.removeAll() }
      state.responses[key] = response
    }
  }
}

/// Puts the security headers on answers the router never sees (the server's own 400 for a
/// request it cannot parse).
final class SecurityHeadersHandler: ChannelOutboundHandler, RemovableChannelHandler {
  typealias OutboundIn = HTTPResponsePart
  typealias OutboundOut = HTTPResponsePart
  let transportSecurity: Bool

  init(transportSecurity: Bool) {
    self.transportSecurity = transportSecurity
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    var part = unwrapOutboundIn(data)
    if case .head(var head) = part, head.headerFields[.contentSecurityPolicy] == nil {
      GuardMiddleware.secure(&head.headerFields, transportSecurity: transportSecurity)
      part = .head(head)
    }
    context.write(wrapOutboundOut(part), promise: promise)
  }
}
