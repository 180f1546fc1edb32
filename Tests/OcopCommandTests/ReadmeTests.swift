import Foundation
import TestSupport
import Testing

/// The README's first hour, pasted: every `$ ocop …` line of "Your first hour" is run, in
/// order, in an empty folder, and must succeed and print what the README shows (first line,
/// where it names no key, size or time). The clock is moved to the README's day with
/// faketime (Debian's faketime), so that its dates do not expire under the test.
@Suite("README")
struct ReadmeTests {
  static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md")

  /// The commands of the section, each with the output lines shown under it.
  static func firstHour() throws -> [(command: String, output: [String])] {
    let text = try String(contentsOf: readme, encoding: .utf8)
    let start = try #require(text.range(of: "## Your first hour"))
    let end = text.range(of: "\n## ", range: start.upperBound..<text.endIndex)?.lowerBound
    var steps: [(String, [String])] = []
    var inBlock = false
    for line in text[start.upperBound..<(end ?? text.endIndex)].split(
      separator: "\n", omittingEmptySubsequences: false)
    {
      if line.hasPrefix("```") {
        inBlock.toggle()
        continue
      }
      guard inBlock else { continue }
      if line.hasPrefix("$ ocop ") {
        steps.append((String(line.dropFirst(2)), []))
      } else if !steps.isEmpty, !line.isEmpty, !line.hasPrefix("$ ") {
        steps[steps.count - 1].1.append(String(line))
      }
    }
    return steps
  }

  /// faketime's offset (in seconds, signed) that takes the real clock to the README's day,
  /// 2026-11-30 08:00 UTC.
  static let shift: String = {
    let seconds = Int(Date(timeIntervalSince1970: 1_796_025_600).timeIntervalSinceNow)
    return (seconds < 0 ? "-" : "+") + String(abs(seconds))
  }()

  @Test func everyFirstHourCommandWorksWhenPasted() throws {
    #expect(
      FileManager.default.isExecutableFile(atPath: "/usr/bin/faketime"),
      "faketime is installed by scripts/quickstart.sh setup")
    let steps = try Self.firstHour()
    #expect(steps.count >= 10, "\(steps.map(\.command))")
    let folder = NSTemporaryDirectory() + "ocop-readme-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (command, output) in steps {
      let words = HelpTests.words(command)
      #expect(words.first == "ocop")
      // A cache folder of its own: a bundle checked in one step is opened by the next.
      var environment = ProcessInfo.processInfo.environment
      environment["XDG_CACHE_HOME"] = folder + "/cache"
      // A shift of the real clock, so that one command's time follows the last's.
      let result = try Subprocess.run(
        ["/usr/bin/faketime", "-f", Self.shift, CommandRunner.executable.path]
          + words.dropFirst(), environment: environment, folder: folder)
      let printed = String(decoding: result.stdout, as: UTF8.self)
      #expect(result.status == 0, "\(command)\n\(printed)")
      // The first line shown, unless it names what changes from run to run.
      if let shown = output.first(where: { !$0.hasPrefix("ocop: ") }),
        !["(kid", "KiB", "exported", "signed by"].contains(where: shown.contains)
      {
        #expect(printed.hasPrefix(shown), "\(command)\nREADME: \(shown)\nprinted: \(printed)")
      }
    }
  }
}
