import Foundation
import Testing

/// Runs the built `ocop` executable, as a user would, and captures what it prints.
struct CommandRunner {
  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  /// The `ocop` executable beside the test bundle in the build folder.
  static let executable: URL = {
    if let override = ProcessInfo.processInfo.environment["OCOP_EXECUTABLE"] {
      return URL(fileURLWithPath: override)
    }
    let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var folder = testBinary.deletingLastPathComponent()
    while folder.path != "/" {
      let candidate = folder.appendingPathComponent("ocop")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      folder = folder.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: "ocop")
  }()

  /// The cache folder (`XDG_CACHE_HOME`) of every command the tests run.
  static let cacheHome = NSTemporaryDirectory() + "ocop-test-cache-" + UUID().uuidString

  static func run(
    _ arguments: [String], stdin: String? = nil, in folder: String? = nil,
    environment: [String: String] = [:]
  ) throws -> Result {
    let process = Process()
    process.executableURL = executable
    // Checked bundles are kept in the test run's own cache folder, not the user's.
    process.environment = ProcessInfo.processInfo.environment.merging(
      ["XDG_CACHE_HOME": cacheHome].merging(environment) { $1 }
    ) { $1 }
    if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    let input = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Standard error is read beside standard output, so a child that writes much to one
    // while the other is still open never blocks on a full pipe.
    let errorReader = Thread.detachedReader(errors.fileHandleForReading)
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errorReader.wait()
    process.waitUntilExit()
    let result = Result(
      status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
      stderr: String(decoding: err, as: UTF8.self))
    keepTranscript(arguments, result)
    return result
  }

  /// Every command's output is kept in a transcript folder under the temporary folder, so
  /// that what the suite printed can be searched afterwards (for a private key, say).
  static func keepTranscript(_ arguments: [String], _ result: Result) {
    let folder = NSTemporaryDirectory() + "ocop-transcripts"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let text =
      "$ ocop \(arguments.joined(separator: " "))\nexit \(result.status)\n--- stdout\n"
      + result.stdout + "\n--- stderr\n" + result.stderr + "\n"
    try? Data(text.utf8).write(
      to: URL(fileURLWithPath: folder + "/" + UUID().uuidString + ".txt"))
  }
}

/// Data read to its end on a thread of its own.
final class PipeReader: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  // Written once by the reading thread before `done` is signalled, read after.
  private var data = Data()

  init(_ handle: FileHandle) {
    Thread.detachNewThread { [self] in
      data = handle.readDataToEndOfFile()
      done.signal()
    }
  }

  /// Waits for the end of the data and returns it.
  func wait() -> Data {
    done.wait()
    return data
  }
}

extension Thread {
  /// Starts reading `handle` to its end on a new thread.
  static func detachedReader(_ handle: FileHandle) -> PipeReader { PipeReader(handle) }
}
