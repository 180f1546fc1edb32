import Foundation

/// A fresh folder for one test's files (under `TMPDIR`), removed when the last reference
/// to it goes.
public final class TemporaryFolder: Sendable {
  /// The folder's path.
  public let path: String

  /// A new folder whose name starts with `prefix`.
  public init(_ prefix: String = "ocop-tests") {
    path = NSTemporaryDirectory() + prefix + "-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  /// The path of `name` inside the folder.
  public func file(_ name: String) -> String { path + "/" + name }

  deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Files of the repository the tests read.
public enum RepositoryFiles {
  /// The repository's root, found from this file's place in it.
  public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// The An Giang data set: producers, products, ratings and batches.
  public static let anGiang = root.appendingPathComponent("Fixtures/an-giang").path
}
