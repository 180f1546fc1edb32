import Foundation
import TraceStoreSQLite
import Traceability

/// A file read forward through a buffer of about a megabyte: what a bundle is read with,
/// so that memory does not grow with the file.
struct ForwardReader {
  private let descriptor: Int32
  /// How much is read at a time.
  private let readSize: Int
  private var buffer: [UInt8] = []
  /// The next byte's place in `buffer`.
  private var position = 0
  /// The file offset of `buffer[0]`.
  private var base = 0
  private var ended = false

  /// Reads the file open at `descriptor` from `offset` on.
  init(descriptor: Int32, from offset: Int = 0, readSize: Int = 1 << 20) {
    self.descriptor = descriptor
    self.readSize = readSize
    base = offset
    lseek(descriptor, off_t(offset), SEEK_SET)
  }

  /// The file offset of the next byte.
  var offset: Int { base + position }

  /// Makes at least `count` bytes available after the position; false at the file's end.
  private mutating func fill(_ count: Int) -> Bool {
    while buffer.count - position < count {
      guard !ended else { return false }
      // What has been read is let go before more comes in.
      if position > 0 {
        buffer.removeFirst(position)
        base += position
        position = 0
      }
      let want = max(readSize, count)
      let old = buffer.count
      buffer.append(contentsOf: repeatElement(0, count: want))
      let got = buffer.withUnsafeMutableBufferPointer { pointer in
        read(descriptor, pointer.baseAddress! + old, want)
      }
      buffer.removeLast(want - max(0, got))
      if got <= 0 { ended = true }
    }
    return true
  }

  /// The next byte, not taken; nil at the end.
  mutating func peek() -> UInt8? {
    fill(1) ? buffer[position] : nil
  }

  /// Takes `literal` if it comes next.
  mutating func expect(_ literal: StaticString) -> Bool {
    let count = literal.utf8CodeUnitCount
    guard fill(count) else { return false }
    let matches = literal.withUTF8Buffer { text in
      buffer.withUnsafeBufferPointer { bytes in
        memcmp(bytes.baseAddress! + position, text.baseAddress!, count) == 0
      }
    }
    if matches { position += count }
    return matches
  }

  /// A canonical string's content, still escaped, up to its closing quote (taken): only the
  /// escapes `\"`, `\\` and `\u00xx`, and no control character; nil otherwise.
  mutating func string() -> [UInt8]? {
    var out: [UInt8] = []
    while true {
      guard fill(1) else { return nil }
      // The run of plain bytes in the buffer, copied at once.
      let start = position
      while position < buffer.count {
        let byte = buffer[position]
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
        position += 1
      }
      out += buffer[start..<position]
      guard fill(1) else { return nil }
      let byte = buffer[position]
      // The buffer ran out on a plain byte: read on.
      if byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 { continue }
      if byte == UInt8(ascii: "\"") {
        position += 1
        return out
      }
      guard byte == UInt8(ascii: "\\"), fill(2) else { return nil }
      let escaped = buffer[position + 1]
      if escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") {
        out += buffer[position..<(position + 2)]
        position += 2
      } else if escaped == UInt8(ascii: "u"), fill(6) {
        out += buffer[position..<(position + 6)]
        position += 6
      } else {
        return nil
      }
    }
  }

  /// Decimal digits, as a number; nil when none come next.
  mutating func number() -> Int64? {
    var value: Int64 = 0
    var any = false
    while let byte = peek(), (0x30...0x39).contains(byte) {
      let (times, overflow) = value.multipliedReportingOverflow(by: 10)
      guard !overflow else { return nil }
      value = times + Int64(byte - 0x30)
      position += 1
      any = true
    }
    return any ? value : nil
  }

  /// The bytes up to `marker` (not included; the marker is taken), or nil at the end;
  /// at most `limit` bytes are looked through.
  mutating func upTo(_ marker: [UInt8], limit: Int) -> [UInt8]? {
    var out: [UInt8] = []
    while out.count <= limit {
      guard fill(marker.count) else { return nil }
      if buffer[position..<(position + marker.count)].elementsEqual(marker) {
        position += marker.count
        return out
      }
      out.append(buffer[position])
      position += 1
    }
    return nil
  }

  /// Whether the next bytes are exactly `bytes`, taking them as far as they match.
  mutating func matches(_ bytes: ArraySlice<UInt8>) -> Bool {
    var index = bytes.startIndex
    while index < bytes.endIndex {
      guard fill(1) else { return false }
      let run = min(bytes.endIndex - index, buffer.count - position)
      let same = buffer[position..<(position + run)].elementsEqual(bytes[index..<(index + run)])
      guard same else { return false }
      position += run
      index += run
    }
    return true
  }

  /// Takes everything up to and including the next `marker`; false when the file ends
  /// first. Nothing is kept of what is passed.
  mutating func skip(past marker: [UInt8]) -> Bool {
    while fill(marker.count) {
      let found: Int? = buffer.withUnsafeBufferPointer { bytes in
        let base = bytes.baseAddress!
        var at = position
        while at + marker.count <= bytes.count,
          let hit = memchr(base + at, Int32(marker[0]), bytes.count - at)
        {
          let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
          guard index + marker.count <= bytes.count else { return nil }
          if memcmp(base + index, marker, marker.count) == 0 { return index }
          at = index + 1
        }
        return nil
      }
      if let found {
        position = found + marker.count
        return true
      }
      // Not in the buffer: what could begin it is kept, and more is read.
      position = max(position, buffer.count - (marker.count - 1))
    }
    return false
  }

  /// Whether the file ends here.
  mutating func atEnd() -> Bool { !fill(1) }
}

extension BundleStore {
  /// What a bundle read as a stream gives: the checked store and its folder, the audit, and
  /// when the bundle was exported.
  struct Streamed {
    let store: SQLiteTraceStore
    let folder: String
    let report: AuditReport
    let exportedAt: Timestamp?
  }

  /// Why a bundle is not read as a stream, but read whole: it is not in the canonical
  /// layout ocop writes, or something in it is wrong, which the whole reading names with
  /// the same words as ever.
  struct NotStreamed: Error {}

  /// Checks the bundle at `path` as ``init(path:trustList:cache:bases:)`` does, reading it as
  /// a stream: events a few thousand at a time, each piece's bodies read and signatures
  /// checked on every core and then stored, and the records compared with those the
  /// events imply as both are read. Memory stays bounded whatever the bundle's size.
  /// Throws ``NotStreamed`` for anything but a bundle in ocop's canonical layout that
  /// passes every check. `piece` events are read at a time, through reads of `readSize`
  /// bytes.
  static func checkStreamed(
    path: String, trustList: TrustList, piece: Int = 4096, readSize: Int = 1 << 20
  ) async throws -> Streamed {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw NotStreamed() }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw NotStreamed() }
    let size = Int(status.st_size)
    let work = NSTemporaryDirectory() + "ocop-bundle-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    do {
      return try await streamed(
        descriptor: descriptor, size: size, work: work, trustList: trustList, piece: piece,
        readSize: readSize)
    } catch {
      try? FileManager.default.removeItem(atPath: work)
      throw NotStreamed()
    }
  }

  private static func streamed(
    descriptor: Int32, size: Int, work: String, trustList: TrustList, piece: Int, readSize: Int
  ) async throws -> Streamed {
    let pieces = try BundleEventPieces(descriptor: descriptor, piece: piece, readSize: readSize)
    var verified = VerifiedSignatures()
    // The events, a piece at a time, stored in one transaction.
    let replayed = try SQLiteTraceStore.replay(into: work + "/bundle.sqlite") { append in
      while let events = try pieces.next() {
        verified.record(events, results: VerifiedSignatures.check(events, trustList: trustList))
        try append(events)
      }
    }
    let rest = try pieces.members()
    guard let head = rest["head"] as? [String: Any], let headSequence = head["seq"] as? Int,
      let headHash = head["hash"] as? String
    else { throw NotStreamed() }
    let recordsStart = pieces.offset
    let exportedAt = (rest["exportedAt"] as? String).flatMap { try? Timestamp($0) }
    // The records the events imply, compared as they are encoded with the file's, on a
    // second connection while the audit runs.
    let second = try SQLiteTraceStore(path: work + "/bundle.sqlite", signer: nil)
    async let recordsMatch = Self.recordsMatch(
      second, descriptor: descriptor, from: recordsStart, to: size - 1, readSize: readSize)
    let audit = try await replayed.audit(
      trustList: trustList, expectedHead: (Int64(headSequence), headHash), verified: verified)
    guard audit.passed, await recordsMatch else { throw NotStreamed() }
    return Streamed(store: replayed, folder: work, report: audit, exportedAt: exportedAt)
  }

  /// Each entry's body unescaped and read, and its signature decoded, on every core; throws
  /// ``NotStreamed`` for any that cannot be.
  static func readEvents(_ entries: [(body: [UInt8], signature: [UInt8])]) throws -> [Event] {
    let count = entries.count
    let slots = Slots<Event>(count: count)
    let chunk = 256
    DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { part in
      for index in (part * chunk)..<min(count, (part + 1) * chunk) {
        guard let body = TraceBundle.unescape(entries[index].body[...]),
          let signature = Data(base64Encoded: Data(entries[index].signature))
        else { continue }
        slots[index] = try? Event(body: body, signature: Array(signature))
      }
    }
    var events: [Event] = []
    events.reserveCapacity(count)
    for index in 0..<count {
      guard let event = slots[index] else { throw NotStreamed() }
      events.append(event)
    }
    return events
  }

  /// Whether the records `store` holds, encoded as a bundle lists them, are byte for byte
  /// the file's from `start` to `end`, followed by the closing brace that ends the file.
  private static func recordsMatch(
    _ store: SQLiteTraceStore, descriptor: Int32, from start: Int, to end: Int, readSize: Int
  ) async -> Bool {
    // A descriptor of its own, so that its reads do not move the other's offset.
    let own = open("/proc/self/fd/\(descriptor)", O_RDONLY | O_CLOEXEC)
    guard own >= 0 else { return false }
    defer { close(own) }
    let matched: Bool? = try? await store.snapshot { snapshot in
      var reader = ForwardReader(descriptor: own, from: start, readSize: readSize)
      var same = true
      try TraceBundle.recordsEncoded(snapshot) { piece throws(TraceError) in
        if same { same = reader.matches(piece) }
      }
      return same && reader.offset == end && reader.expect("}") && reader.atEnd()
    }
    return matched ?? false
  }
}

/// The events of a bundle in ocop's canonical layout, read as a stream a piece at a time:
/// each piece's bodies read on every core, checked to run 1, 2, 3… Anything else throws
/// ``BundleStore/NotStreamed``.
public final class BundleEventPieces: @unchecked Sendable {
  private var reader: ForwardReader
  private let piece: Int
  private var expected: Int64 = 1
  private var ended = false

  /// Reads the file open at `descriptor` from its start.
  public init(descriptor: Int32, piece: Int = 4096, readSize: Int = 1 << 20) throws {
    reader = ForwardReader(descriptor: descriptor, readSize: readSize)
    self.piece = piece
    guard reader.expect(#"{"events":["#) else { throw BundleStore.NotStreamed() }
    ended = reader.expect("]")
  }

  /// The file offset after what has been read.
  var offset: Int { reader.offset }

  /// The next piece of events; nil after the last.
  public func next() throws -> [Event]? {
    guard !ended else { return nil }
    var pending: [(body: [UInt8], signature: [UInt8])] = []
    var bytes = 0
    while pending.count < piece, bytes < 8 << 20 {
      guard reader.expect(#"{"body":""#), let body = reader.string(),
        reader.expect(#","seq":"#), reader.number() != nil,
        reader.expect(#","signature":""#), let signature = reader.string(),
        reader.expect("}")
      else { throw BundleStore.NotStreamed() }
      pending.append((body, signature))
      bytes += body.count
      if reader.expect("]") {
        ended = true
        break
      }
      guard reader.expect(",") else { throw BundleStore.NotStreamed() }
    }
    let events = try BundleStore.readEvents(pending)
    for event in events {
      guard event.sequence == expected else { throw BundleStore.NotStreamed() }
      expected += 1
    }
    return events
  }

  /// After the last piece: the members between the events and the records (format,
  /// head, issuer, when it was exported), which must say it is a bundle.
  public func members() throws -> [String: Any] {
    guard ended, reader.expect(","),
      let middle = reader.upTo(Array(#","records":"#.utf8), limit: 1 << 20),
      let rest = try? JSONSerialization.jsonObject(
        with: Data([UInt8(ascii: "{")] + middle + [UInt8(ascii: "}")])) as? [String: Any],
      rest["format"] as? String == TraceBundle.format, rest["events"] == nil,
      rest["records"] == nil
    else { throw BundleStore.NotStreamed() }
    return rest
  }
}
