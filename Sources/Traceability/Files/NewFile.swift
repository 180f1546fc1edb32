import CRename
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Files and folders that appear under their name whole, or not at all.
///
/// What is written goes to a hidden temporary name in the same folder (`.NAME.tmp-RANDOM`),
/// is flushed to the disk, and only then takes its name, in one step that never replaces
/// anything already there: a file that appeared meanwhile, or a symbolic link (even one
/// that points nowhere), is left alone and the write refused. The folder is flushed too, so
/// the name survives a power cut. A process killed at any instant leaves nothing under the
/// name, or the whole file; at worst a hidden temporary stays beside it, which nothing
/// reads.
package enum NewFile {
  /// Writes `bytes` to a new file at `path`. Its permissions are `mode` less what the umask
  /// takes away (never looser than `mode`), or, with `exactMode`, exactly `mode`.
  package static func write(
    _ bytes: some ContiguousBytes, to path: String, mode: mode_t = 0o644, exactMode: Bool = false
  ) throws(TraceError) {
    try refuseExisting(path)
    let (folder, _) = split(path)
    let temporary = try writeTemporary(bytes, for: path, mode: mode, exactMode: exactMode)
    try place(temporary, at: path, folder: folder, isFolder: false)
  }

  /// Replaces the file at `path` with `bytes`, in one step: they are written and flushed
  /// under a hidden temporary name beside it, which is then renamed over it, so that a
  /// reader, or a process killed meanwhile, sees the old file or the new one, never part of
  /// either. Its permissions are exactly `mode`, whatever the umask.
  package static func replace(_ bytes: some ContiguousBytes, at path: String, mode: mode_t)
    throws(TraceError)
  {
    let (folder, _) = split(path)
    let temporary = try writeTemporary(bytes, for: path, mode: mode, exactMode: true)
    guard rename(temporary, path) == 0 else {
      let error = failure(path, "cannot be replaced")
      unlink(temporary)
      throw error
    }
    try flush(folder, path: path)
  }

  /// A hidden temporary file beside `path` holding `bytes`, flushed to the disk; nothing is
  /// left when it cannot be made.
  private static func writeTemporary(
    _ bytes: some ContiguousBytes, for path: String, mode: mode_t, exactMode: Bool
  ) throws(TraceError) -> String {
    let (folder, name) = split(path)
    let (temporary, descriptor) = try createTemporary(in: folder, for: name, path: path, mode: mode)
    do throws(TraceError) {
      defer { close(descriptor) }
      if exactMode, fchmod(descriptor, mode) != 0 { throw failure(path, "cannot set its mode") }
      try writeAll(bytes, to: descriptor, path: path)
      guard fsync(descriptor) == 0 else { throw failure(path, "cannot be flushed to the disk") }
    } catch {
      unlink(temporary)
      throw error
    }
    return temporary
  }

  /// Writes a new file at `path` through what `fill` writes to the descriptor it is given
  /// (a hidden temporary file beside `path`, so a large file need never be whole in
  /// memory): flushed to the disk, it then takes its name; or nothing is left, when `fill`
  /// throws. Returns the file's size.
  package static func stream(
    to path: String, mode: mode_t = 0o644, fill: (Int32) async throws -> Void
  ) async throws -> Int {
    try refuseExisting(path)
    let (folder, name) = split(path)
    let (temporary, descriptor) = try createTemporary(in: folder, for: name, path: path, mode: mode)
    var size = 0
    do {
      defer { close(descriptor) }
      try await fill(descriptor)
      guard fsync(descriptor) == 0 else { throw failure(path, "cannot be flushed to the disk") }
      var status = stat()
      if fstat(descriptor, &status) == 0 { size = Int(status.st_size) }
    } catch {
      unlink(temporary)
      throw error
    }
    try place(temporary, at: path, folder: folder, isFolder: false)
    return size
  }

  /// Writes all of `bytes` to `descriptor`; `path` names the file in errors.
  package static func write(_ bytes: some ContiguousBytes, to descriptor: Int32, path: String)
    throws(TraceError)
  {
    try writeAll(bytes, to: descriptor, path: path)
  }

  /// A new folder at `path` holding what `fill` writes into the folder whose path it is
  /// given (a hidden temporary one beside `path`): every file in it is flushed to the disk,
  /// then the folder takes its name, or nothing does.
  package static func folder<T>(at path: String, fill: (String) throws -> T) throws -> T {
    try refuseExisting(path)
    let (parent, name) = split(path)
    try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    var temporary = ""
    for _ in 0..<8 {
      temporary = parent + "/." + name + ".tmp-" + randomSuffix()
      if mkdir(temporary, 0o755) == 0 { break }
      guard errno == EEXIST else { throw failure(path, "cannot be created") }
      temporary = ""
    }
    guard !temporary.isEmpty else { throw failure(path, "cannot be created") }
    do {
      let result = try fill(temporary)
      for entry in try FileManager.default.contentsOfDirectory(atPath: temporary) {
        try flush(temporary + "/" + entry, path: path)
      }
      try flush(temporary, path: path)
      try place(temporary, at: path, folder: parent, isFolder: true)
      return result
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
  }

  /// What is at a path that is to be new.
  package enum Occupant: Sendable {
    /// A symbolic link, whether or not it points anywhere.
    case symbolicLink
    /// A file, a folder or anything else.
    case entry
  }

  /// What is at `path`, not following a symbolic link; nil when nothing is.
  package static func occupant(of path: String) -> Occupant? {
    var status = stat()
    guard lstat(path, &status) == 0 else { return nil }
    return status.st_mode & S_IFMT == S_IFLNK ? .symbolicLink : .entry
  }

  /// Refuses `path` when anything is there, a symbolic link included (even one that points
  /// nowhere), so that a long export is not made only to be refused at the end.
  package static func refuseExisting(_ path: String) throws(TraceError) {
    switch occupant(of: path) {
    case .symbolicLink?:
      throw .file(path: path, reason: "is a symbolic link; choose a new name")
    case .entry?:
      throw .file(path: path, reason: "already exists; choose a new name")
    case nil:
      break
    }
  }

  /// The folder and name of `path`.
  private static func split(_ path: String) -> (folder: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let folder = path[..<slash]
    return (folder.isEmpty ? "/" : String(folder), String(path[path.index(after: slash)...]))
  }

  private static func randomSuffix() -> String {
    String(UInt64.random(in: 0...UInt64.max), radix: 36)
  }

  /// A new hidden file beside `path`, open for writing; never a link followed.
  private static func createTemporary(
    in folder: String, for name: String, path: String, mode: mode_t
  )
    throws(TraceError) -> (String, Int32)
  {
    for _ in 0..<8 {
      let temporary = folder + "/." + name + ".tmp-" + randomSuffix()
      let descriptor = open(
        temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
      if descriptor >= 0 { return (temporary, descriptor) }
      guard errno == EEXIST else { throw failure(path, "cannot be created") }
    }
    throw failure(path, "cannot be created (no free temporary name beside it)")
  }

  private static func writeAll(_ bytes: some ContiguousBytes, to descriptor: Int32, path: String)
    throws(TraceError)
  {
    let failed = bytes.withUnsafeBytes { buffer -> Bool in
      var offset = 0
      while offset < buffer.count {
        let written = Foundation.write(
          descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return true
        }
        offset += written
      }
      return false
    }
    if failed { throw failure(path, "could not be written") }
  }

  /// Flushes a file or folder to the disk.
  private static func flush(_ item: String, path: String) throws(TraceError) {
    let descriptor = open(item, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    guard descriptor >= 0 else { throw failure(path, "cannot be flushed to the disk") }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else { throw failure(path, "cannot be flushed to the disk") }
  }

  /// Gives `temporary` the name `path` unless something is there, then flushes the folder
  /// holding both. The temporary is gone afterwards, whatever happened.
  private static func place(_ temporary: String, at path: String, folder: String, isFolder: Bool)
    throws(TraceError)
  {
    var placed = ocop_rename_no_replace(temporary, path) == 0
    if !placed && (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
      // A file system that cannot rename without replacing: a hard link is never made over
      // anything either; a folder, which cannot be linked, is renamed after a last check.
      if isFolder {
        var status = stat()
        if lstat(path, &status) != 0 && errno == ENOENT {
          placed = rename(temporary, path) == 0
        } else {
          errno = EEXIST
        }
      } else {
        placed = link(temporary, path) == 0
        if placed { unlink(temporary) }
      }
    }
    guard placed else {
      let exists = errno == EEXIST || errno == ENOTEMPTY
      let reason = exists ? "already exists; choose a new name" : "cannot be created"
      let error = failure(path, reason, errno: exists ? 0 : errno)
      if isFolder {
        try? FileManager.default.removeItem(atPath: temporary)
      } else {
        unlink(temporary)
      }
      throw error
    }
    try flush(folder, path: path)
  }

  /// A refusal naming `path`, with the system's reason.
  private static func failure(_ path: String, _ problem: String, errno code: Int32 = errno)
    -> TraceError
  {
    guard code != 0 else { return .file(path: path, reason: problem) }
    return .file(path: path, reason: "\(problem) (\(String(cString: strerror(code))))")
  }
}
