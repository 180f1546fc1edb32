import Foundation
import GS1
import Traceability

/// The trace events as an EPCIS 2.0 document in JSON-LD, with CBV 2.0 vocabulary:
///
/// - a batch issued: an `ObjectEvent`, action `ADD`, bizStep `commissioning`, disposition
///   `active`, the lot as a quantity of its class (`https://id.gs1.org/01/…/10/…`) with its
///   UN/ECE unit, and its lot master data (ILMD): `cbvmda:lotNumber`,
///   `cbvmda:productionDate`, `cbvmda:itemExpirationDate`, `cbvmda:countryOfOrigin`,
///   `cbvmda:harvestStartDate`/`harvestEndDate`, and the origin area under the `ocop:`
///   extension namespace;
/// - input lots: a `TransformationEvent` from the inputs' classes to the output's;
/// - shipping and receiving: `ObjectEvent`s, action `OBSERVE`, bizSteps `shipping`
///   (disposition `in_transit`) and `receiving` (`in_progress`), the other party as a
///   source or destination when it has a GLN;
/// - a recall: an `ObjectEvent`, action `OBSERVE`, bizStep `holding`, disposition
///   `recalled`, with the reason;
/// - a production stage: an `ObjectEvent`, action `OBSERVE`, disposition `in_progress`,
///   bizStep `packing`, `inspecting` (testing) or `storing`, or, where CBV has no word, the
///   extension namespace's `harvesting` and `processing` (full URIs, as the schema's
///   vocab-other-uri asks); at a GLN as its `bizLocation`, or with the
///   producer's location code and name under `ocop:`.
///
/// `eventTime` is when the thing happened: a lot's production date (at 00:00 in Vietnam,
/// +07:00) for its commissioning and transformation, a movement's date, a stage's own time
/// with its offset, and the moment a recall was recorded. `recordTime` is when the signed
/// event was recorded.
///
/// Each event's `eventID` is a UUID URN taken from the hash of the signed event it comes
/// from, so the same store always exports the same IDs.
public enum EPCISExport {
  /// The extension namespace for what CBV has no word for.
  public static func namespace(resolver: String) -> String {
    (resolver.hasSuffix("/") ? String(resolver.dropLast()) : resolver) + "/ns/ocop#"
  }

  /// The document for every event in `store`, read in one snapshot.
  public static func document(_ store: any TraceStore, resolver: String) async throws -> JSONValue {
    let events = try await store.snapshot { snapshot in
      var events: [JSONValue] = []
      try Self.events(snapshot, resolver: resolver) { events.append($0) }
      return events
    }
    return wrapper(resolver: resolver, events: events)
  }

  /// The document around `events`.
  static func wrapper(resolver: String, events: [JSONValue]) -> JSONValue {
    .object([
      (
        "@context",
        .array([
          .string("https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"),
          .object([("ocop", .string(namespace(resolver: resolver)))]),
        ])
      ),
      ("type", .string("EPCISDocument")), ("schemaVersion", .string("2.0")),
      ("creationDate", .string(Timestamp.now().text)),
      ("epcisBody", .object([("eventList", .array(events))])),
    ])
  }

  /// The document for every event in `store`, read in one snapshot, written to the open
  /// file `descriptor` (named `path` in errors) as ``document(_:resolver:)`` renders it,
  /// an event at a time through a buffer of a megabyte: memory does not grow with the store.
  public static func write(
    _ store: any TraceStore, resolver: String, to descriptor: Int32, path: String
  ) async throws {
    try await store.snapshot { snapshot in
      // The document with one stand-in event, cut around it.
      let marker = "ocop-trace: the events go here"
      let whole = wrapper(resolver: resolver, events: [.string(marker)]).rendered()
      let parts = whole.components(separatedBy: "      \"" + marker + "\"")
      guard parts.count == 2 else {
        throw TraceError.malformed(what: "EPCIS document", reason: "cannot be laid out")
      }
      var buffer: [UInt8] = []
      buffer.reserveCapacity(1 << 20)
      func write(_ text: String) throws {
        buffer += text.utf8
        if buffer.count >= 1 << 20 {
          try NewFile.write(buffer, to: descriptor, path: path)
          buffer.removeAll(keepingCapacity: true)
        }
      }
      var count = 0
      try Self.events(snapshot, resolver: resolver) { event in
        try write((count == 0 ? parts[0] : ",\n") + "      " + event.rendered(indent: "      "))
        count += 1
      }
      try write(count == 0 ? wrapper(resolver: resolver, events: []).rendered() : parts[1])
      try NewFile.write(buffer, to: descriptor, path: path)
    }
  }

  /// The EPCIS event of each event of the log of `snapshot`, in order, handed to `each`; the
  /// log is read a thousand events at a time.
  static func events(
    _ snapshot: TraceSnapshot, resolver: String, each: (JSONValue) throws -> Void
  ) throws {
    let products = try snapshot.products()
    let producers = try snapshot.producers()
    let producersByGTIN = Dictionary(
      uniqueKeysWithValues: products.map { ($0.gtin, $0.producerTaxCode) })
    let glns = Dictionary(uniqueKeysWithValues: producers.map { ($0.taxCode, $0.gln) })
    var after: Int64 = 0
    while true {
      let page = try snapshot.events(after: after, limit: 1000)
      guard let last = page.last else { return }
      for stored in page {
        if let event = try Self.event(
          stored, resolver: resolver, producersByGTIN: producersByGTIN, glns: glns,
          snapshot: snapshot)
        {
          try each(event)
        }
      }
      after = last.sequence
    }
  }

  /// The EPCIS event of one event of the log; nil for one that has none.
  private static func event(
    _ stored: Event, resolver: String, producersByGTIN: [GTIN: String], glns: [String: GLN?],
    snapshot: TraceSnapshot
  ) throws -> JSONValue? {
    // A transformation takes its time from its output lot's production date: the batch's,
    // read when it is needed, so that memory does not grow with the lots.
    func produced(_ lot: CanonicalJSON?) -> String? {
      guard let gtin = lot?["gtin"]?.stringValue.flatMap({ try? GTIN($0) }),
        let code = lot?["lot"]?.stringValue,
        let reference = try? LotReference(gtin: gtin, lot: code)
      else { return nil }
      return (try? snapshot.batch(reference))??.request.productionDate.iso
    }
    // An event taken in from a producer's log is exported as the producer's event (its
    // time, its hash for the event's ID); an import of an import brings no records.
    guard let event = try stored.recordBearing() else { return nil }
    let data = event.data
    // When it happened, and the offset it is told in.
    var time = event.recordedAt.text
    var offset = "+07:00"
    func local(_ day: String?) -> String? { day.map { $0 + "T00:00:00+07:00" } }
    switch event.kind {
    case .commissioning:
      if let day = data["productionDate"]?.stringValue {
        time = local(day) ?? time
      }
    case .transformation:
      let output = data["outputs"]?.arrayValue?.first
      time = local(produced(output)) ?? time
    case .shipping, .receiving:
      time = local(data["date"]?.stringValue) ?? time
    case .stageRecorded:
      if let text = data["time"]?.stringValue, let stage = try? StageTime(text) {
        time = stage.text
        offset = stage.offset
      }
    default:
      break
    }
    var base: [(String, JSONValue)] = [
      ("eventID", .string(eventID(event))), ("eventTime", .string(time)),
      ("recordTime", .string(event.recordedAt.text)),
      ("eventTimeZoneOffset", .string(offset)),
    ]
    func lotClass(_ lot: CanonicalJSON?) -> String? {
      guard let gtin = lot?["gtin"]?.stringValue, let code = lot?["lot"]?.stringValue else {
        return nil
      }
      return "https://id.gs1.org/01/\(gtin)/10/" + PercentEncoding.encode(code)
    }
    func quantity(_ lot: CanonicalJSON?, _ amount: CanonicalJSON?) -> JSONValue? {
      guard let epcClass = lotClass(lot) else { return nil }
      var members: [(String, JSONValue)] = [("epcClass", .string(epcClass))]
      if let text = amount?["amount"]?.stringValue, let unit = amount?["unit"]?.stringValue {
        members += [("quantity", .number(text)), ("uom", .string(unit))]
      }
      return .object(members)
    }
    func value(_ json: CanonicalJSON?) -> JSONValue { json.map(JSONValue.init) ?? .null }
    switch event.kind {
    case .commissioning:
      guard let item = quantity(data["lot"], data["quantity"]) else { return nil }
      let origin = data["origin"]
      let address = origin?["address"]
      var ilmd: [(String, JSONValue)] = [
        ("cbvmda:lotNumber", value(data["lot"]?["lot"])),
        ("cbvmda:productionDate", value(data["productionDate"])),
        ("cbvmda:itemExpirationDate", value(data["expiryDate"])),
        ("cbvmda:countryOfOrigin", .string("VN")),
      ]
      if let start = origin?["harvestStart"]?.stringValue {
        ilmd.append(("cbvmda:harvestStartDate", .string(start)))
      }
      if let end = origin?["harvestEnd"]?.stringValue {
        ilmd.append(("cbvmda:harvestEndDate", .string(end)))
      }
      ilmd += [
        ("ocop:originArea", value(origin?["area"])),
        ("ocop:originCommune", value(address?["commune"])),
      ]
      if let district = address?["district"]?.stringValue {
        ilmd.append(("ocop:originDistrict", .string(district)))
      }
      ilmd.append(("ocop:originProvince", value(address?["province"])))
      if let latitude = origin?["latitude"]?.stringValue,
        let longitude = origin?["longitude"]?.stringValue
      {
        ilmd.append(("ocop:originGeo", .string("geo:\(latitude),\(longitude)")))
      }
      if let stars = data["rating"]?["stars"]?.integerValue {
        ilmd.append(("ocop:ocopStars", .number(String(stars))))
        ilmd.append(("ocop:ocopDecision", value(data["rating"]?["decision"])))
      }
      base += [
        ("type", .string("ObjectEvent")), ("action", .string("ADD")),
        ("bizStep", .string("commissioning")), ("disposition", .string("active")),
        ("epcList", .array([])), ("quantityList", .array([item])), ("ilmd", .object(ilmd)),
      ]
      if let gtin = data["lot"]?["gtin"]?.stringValue, let code = try? GTIN(gtin),
        let producer = producersByGTIN[code], let gln = glns[producer] ?? nil
      {
        base.append(
          ("bizLocation", .object([("id", .string("https://id.gs1.org/414/\(gln.digits)"))])))
      }
    case .transformation:
      let inputs = (data["inputs"]?.arrayValue ?? []).compactMap { quantity($0, nil) }
      let outputs = (data["outputs"]?.arrayValue ?? []).compactMap { quantity($0, nil) }
      base += [
        ("type", .string("TransformationEvent")), ("bizStep", .string("commissioning")),
        ("disposition", .string("active")), ("inputQuantityList", .array(inputs)),
        ("outputQuantityList", .array(outputs)),
      ]
    case .shipping, .receiving:
      guard let item = quantity(data["lot"], data["quantity"]) else { return nil }
      let shipping = event.kind == .shipping
      base += [
        ("type", .string("ObjectEvent")), ("action", .string("OBSERVE")),
        ("bizStep", .string(shipping ? "shipping" : "receiving")),
        ("disposition", .string(shipping ? "in_transit" : "in_progress")),
        ("epcList", .array([])), ("quantityList", .array([item])),
        ("ocop:party", value(data["party"])),
      ]
      if let gln = data["gln"]?.stringValue {
        let party = JSONValue.object([
          ("type", .string("owning_party")),
          (shipping ? "destination" : "source", .string("https://id.gs1.org/417/\(gln)")),
        ])
        base.append((shipping ? "destinationList" : "sourceList", .array([party])))
      }
    case .recall:
      guard let item = quantity(data["lot"], nil) else { return nil }
      base += [
        ("type", .string("ObjectEvent")), ("action", .string("OBSERVE")),
        ("bizStep", .string("holding")), ("disposition", .string("recalled")),
        ("epcList", .array([])), ("quantityList", .array([item])),
        ("ocop:recallReason", value(data["reason"])),
      ]
    case .recallWithdrawn:
      // The recall lifted: the lot is active again.
      guard let item = quantity(data["lot"], nil) else { return nil }
      base += [
        ("type", .string("ObjectEvent")), ("action", .string("OBSERVE")),
        ("bizStep", .string("holding")), ("disposition", .string("active")),
        ("epcList", .array([])), ("quantityList", .array([item])),
        ("ocop:recallWithdrawnReason", value(data["reason"])),
      ]
    case .stageRecorded:
      guard let item = quantity(data["lot"], nil),
        let kind = data["stage"]?.stringValue.flatMap(StageKind.init(rawValue:))
      else { return nil }
      let bizStep: String
      switch kind {
      case .harvest: bizStep = namespace(resolver: resolver) + "harvesting"
      case .processing: bizStep = namespace(resolver: resolver) + "processing"
      case .packing: bizStep = "packing"
      case .testing: bizStep = "inspecting"
      case .storage: bizStep = "storing"
      }
      base += [
        ("type", .string("ObjectEvent")), ("action", .string("OBSERVE")),
        ("bizStep", .string(bizStep)), ("disposition", .string("in_progress")),
        ("epcList", .array([])), ("quantityList", .array([item])),
      ]
      if let location = data["location"]?.stringValue {
        if let place = try? StageLocation(location), case .gln(let gln) = place {
          base.append(
            ("bizLocation", .object([("id", .string("https://id.gs1.org/414/\(gln.digits)"))])))
        } else {
          base.append(("ocop:locationCode", .string(location)))
        }
      }
      if let name = data["locationName"]?.stringValue {
        base.append(("ocop:locationName", .string(name)))
      }
      if let code = data["item"]?.stringValue { base.append(("ocop:itemCode", .string(code))) }
    default:
      return nil
    }
    return .object(base)
  }

  /// A UUID URN from the first 16 bytes of the event's hash, marked as a version 8 UUID.
  static func eventID(_ event: Event) -> String {
    var bytes = Array(event.hash.prefix(16))
    bytes[6] = (bytes[6] & 0x0F) | 0x80
    bytes[8] = (bytes[8] & 0x3F) | 0x80
    let hex = ByteText.hex(bytes)
    let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
      String(
        hex[
          hex.index(
            hex.startIndex, offsetBy: range.lowerBound)..<hex.index(
              hex.startIndex, offsetBy: range.upperBound)])
    }
    return "urn:uuid:" + parts.joined(separator: "-")
  }
}
