import Foundation
import TestSupport
import Testing

/// `ocop dictionary`: the shipped dictionary, and what a newer file would change.
@Suite("ocop dictionary")
struct DictionaryCommandTests {
  @Test func aNewerFileIsComparedAIByAI() throws {
    let shipped = RepositoryFiles.root.appendingPathComponent(
      "Sources/GS1/Resources/gs1-syntax-dictionary.txt")
    let same = try CommandRunner.run(["dictionary", "diff", shipped.path])
    #expect(same.status == 0, "\(same.stderr)")
    #expect(same.stdout.contains("no change"))
    var text = try String(contentsOf: shipped, encoding: .utf8)
    text = text.replacingOccurrences(of: "# BATCH/LOT\n", with: "# BATCH NUMBER\n")
    text +=
      "7299          X..20                                                                    # TEST AI\n"
    let folder = TemporaryFolder()
    let newer = folder.file("newer.txt")
    try text.write(toFile: newer, atomically: true, encoding: .utf8)
    let changed = try CommandRunner.run(["dictionary", "diff", newer])
    #expect(changed.status == 1)
    #expect(changed.stdout.contains("added (1):\n  (7299)  TEST AI"), "\(changed.stdout)")
    #expect(changed.stdout.contains("changed (1):\n  (10)    BATCH NUMBER"), "\(changed.stdout)")
    #expect(changed.stdout.contains("— title"), "\(changed.stdout)")
    let broken = folder.file("broken.txt")
    try "01 N14 oops[".write(toFile: broken, atomically: true, encoding: .utf8)
    let refused = try CommandRunner.run(["dictionary", "diff", broken])
    #expect(refused.status == 1)
    #expect(
      refused.stderr.contains("\(broken) is not a GS1 syntax dictionary"), "\(refused.stderr)")
    let shown = try CommandRunner.run(["dictionary", "show", "8030"])
    #expect(shown.stdout.contains("(8030)  DIGSIG                      Z..90 ?"), "\(shown.stdout)")
  }
}
