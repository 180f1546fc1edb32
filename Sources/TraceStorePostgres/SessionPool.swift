import Dispatch
import Synchronization
import Traceability

/// A session and the thread its transactions run on.
struct Lease: Sendable {
  let session: PostgresSession
  let thread: SessionThread
}

/// Runs a session's transactions on a serial dispatch queue of its own: statements block
/// while they wait for the server, and that must never happen on a cooperative thread.
actor SessionThread {
  private let executor: QueueExecutor

  init(label: String) {
    executor = QueueExecutor(queue: DispatchQueue(label: label))
  }

  nonisolated var unownedExecutor: UnownedSerialExecutor {
    executor.asUnownedSerialExecutor()
  }

  /// Runs `work` on the session's queue.
  func run<T>(_ work: () throws(TraceError) -> T) throws(TraceError) -> T {
    try work()
  }
}

/// An executor that runs jobs on one serial dispatch queue.
private final class QueueExecutor: SerialExecutor, @unchecked Sendable {
  private let queue: DispatchQueue

  init(queue: DispatchQueue) {
    self.queue = queue
  }

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
  }

  func asUnownedSerialExecutor() -> UnownedSerialExecutor {
    UnownedSerialExecutor(ordinary: self)
  }
}

/// Up to `limit` sessions to one server, opened as they are first needed; a transaction
/// that finds them all busy waits for one.
final class SessionPool: Sendable {
  private struct State {
    var idle: [Lease] = []
    var opened = 0
    var waiting: [CheckedContinuation<Lease?, Never>] = []
    var closed = false
  }

  private let location: PostgresLocation
  private let limit: Int
  private let state = Mutex(State())
  private let counter = Atomic<Int>(0)

  init(location: PostgresLocation, limit: Int) {
    self.location = location
    self.limit = limit
  }

  private enum Next {
    case lease(Lease)
    case open
    case wait
    case closed
  }

  /// A session for one transaction; give it back with ``release(_:)``.
  func acquire() async throws(TraceError) -> Lease {
    while true {
      let next = state.withLock { state -> Next in
        if state.closed { return .closed }
        if let lease = state.idle.popLast() { return .lease(lease) }
        if state.opened < limit {
          state.opened += 1
          return .open
        }
        return .wait
      }
      switch next {
      case .lease(let lease): return lease
      case .closed: throw .store(path: location.description, reason: "was closed")
      case .open:
        let id = counter.add(1, ordering: .relaxed).newValue
        do {
          // Connecting blocks, so it runs on the session's own thread.
          let thread = SessionThread(label: "ocop-trace.postgres.\(id)")
          let location = location
          let session = try await thread.run { () throws(TraceError) in
            try PostgresSession.connect(location)
          }
          return Lease(session: session, thread: thread)
        } catch {
          state.withLock { $0.opened -= 1 }
          throw error
        }
      case .wait:
        let handed = await withCheckedContinuation {
          (continuation: CheckedContinuation<Lease?, Never>) in
          state.withLock { state in
            // A lease may have come back between the two locks.
            if let lease = state.idle.popLast() {
              continuation.resume(returning: lease)
            } else {
              state.waiting.append(continuation)
            }
          }
        }
        if let handed { return handed }
      }
    }
  }

  /// Gives a session back: to a waiting transaction, or to the idle ones; a session whose
  /// connection broke is closed and its place freed.
  func release(_ lease: Lease) {
    if lease.session.isBroken {
      lease.session.close()
      let waiter = state.withLock { state -> CheckedContinuation<Lease?, Never>? in
        state.opened -= 1
        return state.waiting.isEmpty ? nil : state.waiting.removeFirst()
      }
      // The waiter opens a new session itself.
      waiter?.resume(returning: nil)
      return
    }
    let waiter = state.withLock { state -> CheckedContinuation<Lease?, Never>? in
      if state.waiting.isEmpty {
        state.idle.append(lease)
        return nil
      }
      return state.waiting.removeFirst()
    }
    waiter?.resume(returning: lease)
  }

  /// Runs `body` on a session of the pool, on that session's thread.
  func withSession<T: Sendable>(_ body: @Sendable (PostgresSession) throws(TraceError) -> T)
    async throws(TraceError) -> T
  {
    let lease = try await acquire()
    defer { release(lease) }
    return try await lease.thread.run { () throws(TraceError) -> T in try body(lease.session) }
  }

  /// Runs `body` on a connection of its own to `location`, closed afterwards.
  static func once<T: Sendable>(
    _ location: PostgresLocation, _ body: @Sendable (PostgresSession) throws(TraceError) -> T
  ) async throws(TraceError) -> T {
    let pool = SessionPool(location: location, limit: 1)
    defer { pool.close() }
    return try await pool.withSession(body)
  }

  /// Closes the idle sessions, which later transactions replace with new ones.
  func closeIdle() {
    let idle = state.withLock { state in
      defer {
        state.opened -= state.idle.count
        state.idle = []
      }
      return state.idle
    }
    for lease in idle { lease.session.close() }
  }

  /// Closes every idle session and refuses new transactions.
  func close() {
    let (idle, waiting) = state.withLock { state in
      state.closed = true
      defer {
        state.idle = []
        state.waiting = []
      }
      return (state.idle, state.waiting)
    }
    for continuation in waiting { continuation.resume(returning: nil) }
    for lease in idle { lease.session.close() }
  }
}
