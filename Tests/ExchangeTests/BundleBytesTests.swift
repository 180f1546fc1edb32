import Exchange
import Testing
import Traceability

@Suite("Bundle from bytes")
struct BundleBytesTests {
  @Test func bytesThatAreNotABundleAreRefusedUnderTheGivenName() async {
    await #expect(
      throws: TraceError.malformed(
        what: "bundle scan.json", reason: "is not JSON (cut short or damaged?)")
    ) {
      try await BundleStore(
        bytes: Array("{\"events\":[".utf8), path: "scan.json", trustList: TrustList())
    }
    await #expect(
      throws: TraceError.malformed(
        what: "bundle scan.json", reason: "is not an ocop-trace bundle v1 file")
    ) {
      try await BundleStore(
        bytes: Array("{\"format\":\"ocop-trace bundle v2\"}".utf8), path: "scan.json",
        trustList: TrustList())
    }
  }
}
