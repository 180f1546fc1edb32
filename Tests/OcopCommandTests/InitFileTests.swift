import Foundation
import TestSupport
import Testing

/// `ocop init` creates its files itself: it never follows a symbolic link put where one of
/// them goes, and it gives each file its mode whatever the umask.
@Suite("init writes only new files, with their own modes")
struct InitFileTests {
  static func initArguments(_ folder: TemporaryFolder) -> [String] {
    [
      "init", "--store", folder.file("ag.sqlite"), "--resolver",
      "https://truyxuat.angiang.example", "--prefix", "8932301",
    ]
  }

  @Test(arguments: ["ag.sqlite", "ag.json", "ag.key", "ag.trust.json"])
  func aLinkWhereInitWouldWriteIsRefusedAndNotFollowed(_ name: String) throws {
    let folder = TemporaryFolder("ocop-init-link")
    let target = folder.file("elsewhere")
    try FileManager.default.createSymbolicLink(
      atPath: folder.file(name), withDestinationPath: target)
    let result = try CommandRunner.run(Self.initArguments(folder))
    #expect(result.status == 1)
    #expect(
      result.stderr.contains("\(folder.file(name)) is a symbolic link"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: target), "the link was followed")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [name])
  }

  @Test(arguments: ["000", "077"])
  func theModesAreInitsWhateverTheUmask(_ umask: String) throws {
    let folder = TemporaryFolder("ocop-init-umask")
    let result = try Subprocess.run(
      ["/bin/sh", "-c", "umask \(umask) && exec \"$0\" \"$@\"", CommandRunner.executable.path]
        + Self.initArguments(folder))
    #expect(result.status == 0, "\(String(decoding: result.stderr, as: UTF8.self))")
    for (name, mode) in [("ag.json", 0o644), ("ag.trust.json", 0o644), ("ag.key", 0o600)] {
      let attributes = try FileManager.default.attributesOfItem(atPath: folder.file(name))
      #expect(
        attributes[.posixPermissions] as? Int == mode,
        "\(name) under umask \(umask): \(String(attributes[.posixPermissions] as? Int ?? 0, radix: 8))"
      )
    }
  }
}
