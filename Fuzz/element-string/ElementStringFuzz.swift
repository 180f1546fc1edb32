import FuzzSupport
import GS1

/// One input: bracketed GS1 element data as text, `(01)…(10)…`. Any input may be refused
/// with a ``GS1Error``; data that is accepted must parse back from its own text, and when
/// it holds a primary key, the Digital Link made from it must parse back from its URI.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = Fuzz.text(data, size)
  let elements: ElementString
  do {
    elements = try ElementString(parsing: text)
  } catch {
    _ = error.description
    return 0
  }
  let written = elements.description
  let reparsed = try? ElementString(parsing: written)
  Fuzz.require(reparsed == elements, "\(text) gives \(written), which does not parse back equal")
  _ = elements.humanReadable

  let link: DigitalLink
  do {
    link = try DigitalLink(base: base, elements: elements.elements)
  } catch {
    _ = error.description
    return 0
  }
  let linkParsed = try? DigitalLink(parsing: link.uri)
  Fuzz.require(linkParsed == link, "the link \(link.uri) of \(text) does not parse back equal")
  return 0
}

private let base = try! DigitalLink.Base("https://truyxuat.angiang.example/trace")
