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

  static func run(
    _ arguments: [String], stdin: String? = nil, in folder: String? = nil,
    environment: [String: String] = [:]
  ) throws -> Result {
    let process = Process()
    process.executableURL = executable
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
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
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
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
