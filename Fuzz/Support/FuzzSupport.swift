import Foundation
import Synchronization
import Traceability

/// What every fuzz target shares: reading libFuzzer's input, stopping loudly when a
/// property fails, the issuer that signed the seed corpus, and a scratch folder.
public enum Fuzz {
  /// The input as bytes.
  public static func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
  }

  /// The input as text; bytes that are not UTF-8 become U+FFFD, as when a scanner's
  /// output or a pasted URL is read.
  public static func text(_ data: UnsafePointer<UInt8>, _ size: Int) -> String {
    String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  }

  /// Stops the run, so libFuzzer keeps the input, when a property does not hold.
  public static func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String
  ) {
    if !condition() { fatalError("property failed: \(message())") }
  }

  /// The issuer whose key signed the links and bundles in `Fuzz/corpus`: its public key
  /// only, trusted from 2000 on, so the seeds' signatures verify and mutations of them
  /// reach every branch of the check.
  public static let seedTrustList = TrustList([
    TrustedIssuer(
      kid: "R7SILS5C", name: "Fuzz seed issuer",
      publicKey: Array(Data(base64Encoded: "tgkU78rY+KmqvjjW7SGLtZUwhpaPu/qaLxtL4wVkpz4=")!),
      validFrom: try! Timestamp("2000-01-01"), validUntil: nil, revoked: false)
  ])

  /// A fixed moment at which signatures are checked, so a run does not depend on the clock.
  public static let checkTime = try! Timestamp("2027-01-01T00:00:00Z")

  /// A folder of this process's own under the temporary directory (`TMPDIR`), made on first
  /// use and removed when the process exits normally.
  public static let scratch: String = {
    let folder = NSTemporaryDirectory() + "ocop-fuzz-\(getpid())"
    try? FileManager.default.removeItem(atPath: folder)
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      fatalError("cannot make the scratch folder \(folder): \(error)")
    }
    atexit { try? FileManager.default.removeItem(atPath: Fuzz.scratch) }
    return folder
  }()

  /// Runs async `work` to its end from libFuzzer's own (non-cooperative) thread and
  /// returns its result: the store's API is async, the fuzz entry point is not.
  public static func wait<Value: Sendable>(
    _ work: @escaping @Sendable () async throws -> Value
  ) throws -> Value {
    let outcome = Mutex<Result<Value, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
      do {
        let value = try await work()
        outcome.withLock { $0 = .success(value) }
      } catch {
        outcome.withLock { $0 = .failure(error) }
      }
      done.signal()
    }
    done.wait()
    guard let result = outcome.withLock({ $0 }) else {
      fatalError("the task ended without a result")
    }
    return try result.get()
  }

  /// Removes `path` and the write-ahead log and shared-memory files SQLite keeps beside it.
  public static func removeDatabase(_ path: String) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
      try? FileManager.default.removeItem(atPath: path + suffix)
    }
  }
}
