import Foundation
import GS1

/// A step of a lot's production (Circular 02/2024/TT-BKHCN: each stage of a trace record
/// has an item code, a location code and a time).
public enum StageKind: String, CaseIterable, Sendable {
  /// Thu hoạch: harvest or catch of the raw material.
  case harvest
  /// Chế biến: processing.
  case processing
  /// Đóng gói: packing.
  case packing
  /// Kiểm nghiệm: testing.
  case testing
  /// Bảo quản: storage.
  case storage

  /// The Vietnamese name.
  public var vietnamese: String {
    switch self {
    case .harvest: "Thu hoạch"
    case .processing: "Chế biến"
    case .packing: "Đóng gói"
    case .testing: "Kiểm nghiệm"
    case .storage: "Bảo quản"
    }
  }

  /// The English name.
  public var english: String {
    switch self {
    case .harvest: "Harvest"
    case .processing: "Processing"
    case .packing: "Packing"
    case .testing: "Testing"
    case .storage: "Storage"
    }
  }
}

/// When a stage happened: a local time with its offset from UTC, kept as written
/// (`2026-11-02T06:30:00+07:00`), so a reader sees the producer's own clock and the
/// moment is still exact.
public struct StageTime: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The text as written: `YYYY-MM-DDThh:mm:ss` and `Z` or `±hh:mm`.
  public let text: String
  /// The same moment in UTC.
  public let utc: Timestamp

  /// Reads `YYYY-MM-DDThh:mm[:ss](Z|±hh:mm)`; seconds default to 00.
  public init(_ text: String) throws(TraceError) {
    let problem = TraceError.invalidField(
      record: "stage", field: "time", value: text,
      reason: "must be a local time with its offset, YYYY-MM-DDThh:mm:ss+07:00 (or Z for UTC)")
    var written = text
    // Seconds may be left out: 2026-11-02T06:30+07:00.
    let bytes = Array(text.utf8)
    if bytes.count >= 17, bytes[10] == UInt8(ascii: "T"), bytes.count == 17 || bytes[16] != 58 {
      written = String(text.prefix(16)) + ":00" + String(text.dropFirst(16))
    }
    let chars = Array(written.utf8)
    guard chars.count == 20 || chars.count == 25 else { throw problem }
    let zone = String(written.dropFirst(19))
    var offsetMinutes = 0
    if zone == "Z" {
      offsetMinutes = 0
    } else {
      let z = Array(zone.utf8)
      guard z.count == 6, z[0] == 43 || z[0] == 45, z[3] == 58,
        let hours = Int(String(zone.dropFirst(1).prefix(2))),
        let minutes = Int(String(zone.suffix(2))), hours <= 14, minutes < 60,
        zone.dropFirst(1).prefix(2).allSatisfy(\.isNumber), zone.suffix(2).allSatisfy(\.isNumber)
      else { throw problem }
      offsetMinutes = (hours * 60 + minutes) * (z[0] == 45 ? -1 : 1)
    }
    guard let local = try? Timestamp(String(written.prefix(19)) + "Z"),
      (try? GS1Date(iso: String(written.prefix(10)))) != nil,
      let hour = Int(String(written.dropFirst(11).prefix(2))), hour < 24,
      let minute = Int(String(written.dropFirst(14).prefix(2))), minute < 60,
      let second = Int(String(written.dropFirst(17).prefix(2))), second < 60
    else { throw problem }
    self.text = written
    self.utc = Timestamp(local.date.addingTimeInterval(-Double(offsetMinutes) * 60))
  }

  /// The day as the producer's clock read it.
  public var localDay: String { String(text.prefix(10)) }
  /// The offset as written, `+07:00` (`+00:00` for `Z`).
  public var offset: String { text.hasSuffix("Z") ? "+00:00" : String(text.suffix(6)) }

  public var description: String { text }

  public static func < (lhs: StageTime, rhs: StageTime) -> Bool { lhs.utc < rhs.utc }
}

/// Where a stage happened: a GS1 GLN, or a location code the producer assigns under
/// TCVN 13274:2020 (capital letters, digits, `-` and `.`, up to 40 characters). Thirteen
/// digits are read as a GLN and must carry its check digit.
public enum StageLocation: Hashable, Sendable, CustomStringConvertible {
  case gln(GLN)
  case code(String)

  /// Reads a GLN or a location code.
  public init(_ text: String) throws(TraceError) {
    if text.utf8.count == 13, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
      do { self = .gln(try GLN(text)) } catch {
        throw .invalidField(
          record: "stage", field: "location", value: text,
          reason: "reads as a GLN (13 digits) but \(error.description)")
      }
      return
    }
    let bytes = Array(text.utf8)
    let allowed = bytes.allSatisfy {
      (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x2E
    }
    guard (1...40).contains(bytes.count), allowed, bytes[0] != 0x2D, bytes[0] != 0x2E else {
      throw .invalidField(
        record: "stage", field: "location", value: text,
        reason:
          "must be a GLN (13 digits) or a location code of capital letters, digits, '-' and '.', up to 40 characters"
      )
    }
    self = .code(text)
  }

  /// The GLN or code as written.
  public var description: String {
    switch self {
    case .gln(let gln): gln.digits
    case .code(let code): code
    }
  }
}

/// One stage of a lot's production, as its `stage-recorded` event holds it.
public struct ProductionStage: Hashable, Sendable {
  /// The lot.
  public let lot: LotReference
  /// What was done.
  public let kind: StageKind
  /// When.
  public let time: StageTime
  /// Where.
  public let location: StageLocation
  /// The place's name, if given.
  public let locationName: String?
  /// The code of the item the stage worked on, when it is not the lot itself (a raw
  /// material's own code, say): capital letters, digits, `-`, `.` and `/`, up to 60.
  public let item: String?
  /// The event that recorded it (0 before it is recorded).
  public let eventSequence: Int64

  /// A stage, checking its text fields.
  public init(
    lot: LotReference, kind: StageKind, time: StageTime, location: StageLocation,
    locationName: String? = nil, item: String? = nil, eventSequence: Int64 = 0
  ) throws(TraceError) {
    self.lot = lot
    self.kind = kind
    self.time = time
    self.location = location
    self.locationName = try Text.optional(
      locationName, record: "stage of \(lot)", field: "location name", maxLength: 200)
    if let item, !item.isEmpty {
      let bytes = Array(item.utf8)
      let allowed = bytes.allSatisfy {
        (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x2E
          || $0 == 0x2F
      }
      guard bytes.count <= 60, allowed else {
        throw .invalidField(
          record: "stage of \(lot)", field: "item", value: item,
          reason: "must be capital letters, digits, '-', '.' and '/', up to 60 characters")
      }
      self.item = item
    } else {
      self.item = nil
    }
    self.eventSequence = eventSequence
  }

  /// The record as canonical JSON, as its event holds it.
  public var json: CanonicalJSON {
    var members: CanonicalMembers = [
      "lot": lot.json, "stage": .string(kind.rawValue), "time": .string(time.text),
      "location": .string(location.description),
    ]
    if let locationName { members.insert("locationName", .string(locationName)) }
    if let item { members.insert("item", .string(item)) }
    return .object(members)
  }

  /// A stage from its event's data.
  package init(json: CanonicalJSON, eventSequence: Int64) throws(TraceError) {
    guard let kind = StageKind(rawValue: try Field.string(json, "stage")) else {
      throw .malformed(what: "stage record", reason: "unknown stage")
    }
    try self.init(
      lot: LotReference(json: Field.object(json, "lot")), kind: kind,
      time: StageTime(Field.string(json, "time")),
      location: StageLocation(Field.string(json, "location")),
      locationName: json["locationName"]?.stringValue, item: json["item"]?.stringValue,
      eventSequence: eventSequence)
  }
}
