import Foundation

/// A program run to its end for a test, with a deadline.
///
/// It is spawned directly, with only its standard input, output and error open (every other
/// descriptor of the test process is closed in it), its output going to unlinked files, and
/// waited for with `waitpid`. So a long-lived child another test started (a server) can
/// never hold a pipe of this one open, nothing waits for an end of file, and a child still
/// running at the deadline is killed and reported instead of hanging the suite.
public enum Subprocess {
  /// How a program ended and what it printed.
  public struct Result: Sendable {
    /// Its exit status, or 128 plus the signal that ended it.
    public let status: Int32
    /// Whether a signal ended it.
    public let signalled: Bool
    public let stdout: Data
    public let stderr: Data
  }

  /// A program that did not end by its deadline: it was killed.
  public struct Timeout: Error, CustomStringConvertible {
    public let arguments: [String]
    public let seconds: Double
    public var description: String {
      "\(arguments.joined(separator: " ").prefix(300)) was still running after \(Int(seconds)) s, and was killed"
    }
  }

  /// A program that could not be started.
  public struct SpawnError: Error, CustomStringConvertible {
    public let description: String
  }

  /// Runs `arguments[0]` (a path) with `arguments`, `environment` (the test process's own
  /// when nil), `stdin` as its standard input (empty when nil), in `folder` (the current
  /// one when nil), and waits up to `timeout` seconds for it to end.
  public static func run(
    _ arguments: [String], environment: [String: String]? = nil, stdin: Data? = nil,
    folder: String? = nil, timeout: Double = 900
  ) throws -> Result {
    try start(arguments, environment: environment, stdin: stdin, folder: folder)
      .wait(timeout: timeout)
  }

  /// Starts a program as ``run(_:environment:stdin:folder:timeout:)`` does, without waiting.
  public static func start(
    _ arguments: [String], environment: [String: String]? = nil, stdin: Data? = nil,
    folder: String? = nil
  ) throws -> Running {
    let input = try unlinkedFile(holding: stdin ?? Data())
    defer { close(input) }
    let output = try unlinkedFile(holding: Data())
    let errors = try unlinkedFile(holding: Data())
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, input, 0)
    posix_spawn_file_actions_adddup2(&actions, output, 1)
    posix_spawn_file_actions_adddup2(&actions, errors, 2)
    guard let closeFrom = closeFrom, let changeDirectory = changeDirectory else {
      close(output)
      close(errors)
      throw SpawnError(description: "this C library cannot close descriptors in a child")
    }
    _ = closeFrom(&actions, 3)
    if let folder { _ = changeDirectory(&actions, folder) }
    let environment = (environment ?? ProcessInfo.processInfo.environment).map {
      "\($0.key)=\($0.value)"
    }
    var pid: pid_t = 0
    let spawned = withCStrings(arguments) { argv in
      withCStrings(environment) { envp in
        posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
      }
    }
    guard spawned == 0 else {
      close(output)
      close(errors)
      throw SpawnError(
        description: "could not start \(arguments[0]): \(String(cString: strerror(spawned)))")
    }
    return Running(pid: pid, arguments: arguments, output: output, errors: errors)
  }

  /// A program started and not yet waited for.
  public final class Running {
    public let pid: pid_t
    let arguments: [String]
    let output: Int32
    let errors: Int32
    private var ended: Result?

    init(pid: pid_t, arguments: [String], output: Int32, errors: Int32) {
      (self.pid, self.arguments, self.output, self.errors) = (pid, arguments, output, errors)
    }

    deinit {
      if ended == nil {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
      }
      close(output)
      close(errors)
    }

    /// What it has written on its standard output so far.
    public func printed() -> Data { Subprocess.contents(of: output) }

    /// What it has written on its standard error so far.
    public func complained() -> Data { Subprocess.contents(of: errors) }

    /// Whether it is still running (one that ended is waited for here).
    public var isRunning: Bool {
      if ended != nil { return false }
      var status: Int32 = 0
      guard waitpid(pid, &status, WNOHANG) == pid else { return true }
      ended = result(status)
      return false
    }

    private func result(_ status: Int32) -> Result {
      let signal = status & 0x7f
      return Result(
        status: signal == 0 ? (status >> 8) & 0xff : 128 + signal, signalled: signal != 0,
        stdout: Subprocess.contents(of: output), stderr: Subprocess.contents(of: errors))
    }

    /// Sends it `signal`.
    public func send(_ signal: Int32) { kill(pid, signal) }

    /// Waits up to `timeout` seconds for it to end; one still running then is killed, and
    /// ``Timeout`` thrown.
    public func wait(timeout: Double = 900) throws -> Result {
      if let ended { return ended }
      let deadline = Date().addingTimeInterval(timeout)
      var status: Int32 = 0
      var pause: useconds_t = 500
      while true {
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid { break }
        if reaped == -1 && errno != EINTR {
          throw SpawnError(description: "lost \(arguments[0]): \(String(cString: strerror(errno)))")
        }
        if Date() >= deadline {
          kill(pid, SIGKILL)
          while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
          ended = Result(status: 137, signalled: true, stdout: Data(), stderr: Data())
          throw Timeout(arguments: arguments, seconds: timeout)
        }
        usleep(pause)
        pause = min(pause * 2, 5_000)
      }
      let result = result(status)
      ended = result
      return result
    }
  }

  /// glibc's `posix_spawn_file_actions_addclosefrom_np` and `…_addchdir_np` (2.34 and
  /// 2.29), which Swift's Glibc module does not declare.
  typealias CloseFrom =
    @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
  typealias ChangeDirectory =
    @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>)
    -> Int32
  static let closeFrom: CloseFrom? = function(
    "posix_spawn_file_actions_addclosefrom_np")
  static let changeDirectory: ChangeDirectory? = function(
    "posix_spawn_file_actions_addchdir_np")

  static func function<T>(_ name: String) -> T? {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
    return unsafeBitCast(symbol, to: T.self)
  }

  /// A new file with no name holding `data`, open for reading and writing at its start,
  /// closed in any program this process starts.
  static func unlinkedFile(holding data: Data) throws -> Int32 {
    var template = Array((NSTemporaryDirectory() + "/ocop-subprocess-XXXXXX").utf8CString)
    let descriptor = mkstemp(&template)
    guard descriptor >= 0 else {
      throw SpawnError(description: "no temporary file: \(String(cString: strerror(errno)))")
    }
    unlink(template)
    _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
    var written = 0
    while written < data.count {
      let count = data.withUnsafeBytes {
        write(descriptor, $0.baseAddress! + written, data.count - written)
      }
      guard count > 0 else {
        close(descriptor)
        throw SpawnError(description: "temporary file: \(String(cString: strerror(errno)))")
      }
      written += count
    }
    lseek(descriptor, 0, SEEK_SET)
    return descriptor
  }

  /// Everything in the file open as `descriptor`, from its start.
  static func contents(of descriptor: Int32) -> Data {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
      let count = pread(descriptor, &buffer, buffer.count, off_t(data.count))
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { break }
      data.append(buffer, count: count)
    }
    return data
  }

  /// Calls `body` with `strings` as a NULL-terminated array of C strings.
  static func withCStrings<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T)
    -> T
  {
    let pointers = strings.map { strdup($0) } + [nil]
    defer {
      for pointer in pointers { free(pointer) }
    }
    return body(pointers)
  }
}
