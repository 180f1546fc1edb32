import Foundation
import TestSupport
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

  /// Runs `ocop` with `arguments` to its end (killed after 15 minutes, which fails the
  /// test), with `stdin` as its input, in `folder`, with `environment` added to the test
  /// process's own.
  static func run(
    _ arguments: [String], stdin: String? = nil, in folder: String? = nil,
    environment: [String: String] = [:]
  ) throws -> Result {
    // Checked bundles are kept in the test run's own cache folder, not the user's.
    let ran = try Subprocess.run(
      [executable.path] + arguments,
      environment: ProcessInfo.processInfo.environment.merging(
        ["XDG_CACHE_HOME": cacheHome].merging(environment) { $1 }
      ) { $1 }, stdin: stdin.map { Data($0.utf8) }, folder: folder)
    let result = Result(
      status: ran.status, stdout: String(decoding: ran.stdout, as: UTF8.self),
      stderr: String(decoding: ran.stderr, as: UTF8.self))
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
