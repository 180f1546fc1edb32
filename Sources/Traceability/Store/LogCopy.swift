import Dispatch
import Synchronization

extension TraceStoreBackend {
  /// Copies every event of `source` into this store, which must hold none, with the rows
  /// derived from them, in one transaction; then audits the copy against `trustList` in
  /// the same transaction (every signature, every hash, every derived row) and commits only
  /// if it passes. Events keep their signatures: the copy is the same log. Returns the
  /// audit's report.
  package func copyLog(from source: any TraceStore, trustList: TrustList)
    async throws(TraceError) -> AuditReport
  {
    let location = location
    return try await write { transaction in
      if let head = try transaction.head() {
        throw TraceError.store(
          path: location,
          reason: "is not empty (it holds \(head.sequence) events); copy only into a new store")
      }
      var after: Int64 = 0
      while true {
        let from = after
        let page = try Blocking.wait { () async throws(TraceError) -> [Event] in
          try await source.events(after: from, limit: 2_000)
        }
        guard let last = page.last else { break }
        for event in page {
          try transaction.insert(
            StoredEvent(
              sequence: event.sequence, kind: event.kind.rawValue, body: event.body,
              signature: event.signature, hash: event.hash))
          try transaction.insert(Projection.rows(for: event))
        }
        after = last.sequence
      }
      // The photos the products name, where the source keeps them.
      let products = try Blocking.wait { () async throws(TraceError) -> [Product] in
        try await source.products()
      }
      for hash in Set(products.compactMap { $0.photo?.sha256 }).sorted() {
        if let photo = try Blocking.wait({ () async throws(TraceError) -> PhotoFile? in
          try await source.photo(sha256: hash)
        }) {
          try transaction.insert(photo: photo)
        }
      }
      let report = try Auditor.audit(
        transaction, trustList: trustList, expectedHead: nil, location: location)
      if let failure = report.failure {
        throw TraceError.malformed(
          what: "the copy in \(location)",
          reason: "fails its audit, so nothing was kept: \(failure)")
      }
      return report
    }
  }
}

/// Waits, on a thread that may block (a backend's own, never a cooperative one), for async
/// work: a transaction that reads another store as it writes.
enum Blocking {
  static func wait<T: Sendable>(_ work: @escaping @Sendable () async throws(TraceError) -> T)
    throws(TraceError) -> T
  {
    let outcome = Mutex<Result<T, TraceError>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
      let result: Result<T, TraceError>
      do throws(TraceError) {
        result = .success(try await work())
      } catch {
        result = .failure(error)
      }
      outcome.withLock { $0 = result }
      done.signal()
    }
    done.wait()
    guard let result = outcome.withLock({ $0 }) else {
      throw .malformed(what: "store", reason: "a read finished without a result")
    }
    return try result.get()
  }
}
