import FuzzSupport
import GS1
import Traceability

/// One input: a Digital Link URI as text. Any input may be refused, with a ``GS1Error``;
/// a link that is accepted must survive its own canonical URI, its element string and
/// the upper-case form a QR code uses, and its signature, if any, is checked.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = Fuzz.text(data, size)
  let link: DigitalLink
  do {
    link = try DigitalLink(parsing: text)
  } catch {
    _ = error.description
    return 0
  }
  let uri = link.uri
  let reparsed = try? DigitalLink(parsing: uri)
  Fuzz.require(reparsed == link, "\(text) gives \(uri), which does not parse back equal")

  let upper = link.withSchemeAndHost(uppercased: true)
  let upperParsed = try? DigitalLink(parsing: upper.uri)
  Fuzz.require(upperParsed == upper, "\(upper.uri) does not parse back equal")

  let elements = link.elementString
  let elementsParsed = try? ElementString(parsing: elements.description)
  Fuzz.require(
    elementsParsed == elements, "the element string \(elements) does not parse back equal")

  switch SignedLink.verify(link, trustList: Fuzz.seedTrustList, at: Fuzz.checkTime) {
  case .valid, .unsigned: break
  case .malformed(let reason): _ = reason
  case .refused(let problem): _ = problem.description
  }
  _ = link.gtin
  return 0
}
