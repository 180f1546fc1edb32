import Exchange
import Testing
import Traceability

@Suite("Bundle from bytes")
struct BundleBytesTests {
  @Test func bytesThatAreNotABundleAreRefusedUnderTheGivenName() {
    #expect(
      throws: TraceError.malformed(
        what: "bundle scan.json", reason: "is not JSON (cut short or damaged?)")
    ) {
      try BundleStore(bytes: Array("{\"events\":[".utf8), path: "scan.json", trustList: TrustList())
    }
    #expect(
      throws: TraceError.malformed(
        what: "bundle scan.json", reason: "is not an ocop-trace bundle v1 file")
    ) {
      try BundleStore(
        bytes: Array("{\"format\":\"ocop-trace bundle v2\"}".utf8), path: "scan.json",
        trustList: TrustList())
    }
  }
}
