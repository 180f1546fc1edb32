import Foundation
import TestSupport
import Testing
import TraceStoreSQLite
import Traceability

@testable import Exchange

/// The EPCIS document written an event at a time is the document rendered whole.
@Suite("EPCIS written as a stream")
struct EPCISStreamTests {
  /// The document `EPCISExport.write` writes for `store`, and the one rendered whole, each
  /// with its creation date taken out.
  static func both(_ store: any TraceStore, in folder: TemporaryFolder) async throws -> (
    String, String
  ) {
    let resolver = "https://truyxuat.angiang.example"
    let path = folder.file("events-\(UUID().uuidString).jsonld")
    _ = try await NewFile.stream(to: path) { descriptor in
      try await EPCISExport.write(store, resolver: resolver, to: descriptor, path: path)
    }
    let streamed = try String(contentsOfFile: path, encoding: .utf8)
    let whole = try await EPCISExport.document(store, resolver: resolver).rendered()
    func undated(_ text: String) -> String {
      text.replacingOccurrences(
        of: #""creationDate": "[^"]*""#, with: "", options: .regularExpression)
    }
    return (undated(streamed), undated(whole))
  }

  @Test func theStreamedDocumentIsTheWholeOne() async throws {
    let folder = TemporaryFolder("ocop-epcis-stream")
    let store = try SQLiteTraceStore(
      path: try await ExportSnapshotTests.populated(in: folder), signer: ExportSnapshotTests.key)
    _ = try await store.apply(
      try (0..<1500).map { .issueBatch(try ExportSnapshotTests.request("E\($0)")) })
    let (streamed, whole) = try await Self.both(store, in: folder)
    #expect(streamed == whole)
    #expect(streamed.utf8.count > 1 << 20, "more than one buffer")
    #expect(streamed.components(separatedBy: "\"type\": \"ObjectEvent\"").count == 1503)
    // A store without events: an empty list, as the whole rendering has it.
    let empty = try SQLiteTraceStore(
      path: folder.file("empty.sqlite"), signer: ExportSnapshotTests.key, create: true)
    let (none, wholeNone) = try await Self.both(empty, in: folder)
    #expect(none == wholeNone)
    #expect(none.contains(#""eventList": []"#))
  }
}
