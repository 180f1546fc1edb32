import Foundation
import GS1
import Testing

@testable import Label

@Suite("Labels")
struct LabelRenderTests {
  static let url =
    "https://truyxuat.angiang.example/01/08936059000017/10/DTN-2611-01/21/1001?17=271101"

  static func content(address: String = "Ấp Tà Lọt, Xã Lê Trì, Tỉnh An Giang", stars: Int? = 4)
    -> LabelContent
  {
    LabelContent(
      productName: "Đường thốt nốt Tri Tôn", ocopStars: stars, lot: "DTN-2611-01",
      productionDate: try! GS1Date(iso: "2026-11-02"), expiryDate: try! GS1Date(iso: "2027-11-01"),
      netQuantity: "500 g", producerName: "HTX Thốt Nốt Tri Tôn", producerAddress: address,
      origin: "Tri Tôn, An Giang, Việt Nam",
      elementString: "(01)08936059000017(10)DTN-2611-01(21)1001(17)271101")
  }

  static func render(
    _ content: LabelContent = content(), template: LabelTemplate = .size50x30, dpi: Int = 300
  ) throws -> (Bitmap, QRSymbol, ModuleSize) {
    let module = try ModuleSize(millimetres: 0.423, dpi: dpi)
    let symbol = try QRSymbol.encode(url)
    let label = try LabelRenderer().render(
      content, symbol: symbol, module: module, template: template)
    // Every label the tests render must read back to its URL.
    #expect(try ZBarDecoder.decode(label) == [url])
    return (label, symbol, module)
  }

  @Test(arguments: LabelTemplate.standard)
  func everyTemplateRendersTheDecreeFieldsAndReadsBack(_ template: LabelTemplate) throws {
    // The smallest label holds a shorter address; the default 50×30 and larger hold it all.
    let content =
      template == .size40x30 ? Self.content(address: "Xã Lê Trì, An Giang") : Self.content()
    let (label, _, module) = try Self.render(content, template: template)
    #expect(label.width == Int((template.widthMillimetres * 300 / 25.4).rounded()))
    #expect(try ZBarDecoder.decode(label) == [Self.url])
    let png = try PNGEncoder.encode(label, depth: .oneBit, pixelsPerMetre: module.pixelsPerMetre)
    if template == .size50x30 {
      let preview = try PNGEncoder.encode(
        label, depth: .eightBit, pixelsPerMetre: module.pixelsPerMetre)
      // Kept for people to look at.
      try Data(preview).write(
        to: URL(fileURLWithPath: NSTemporaryDirectory() + "ocop-label-50x30-preview.png"))
      try Data(png).write(
        to: URL(fileURLWithPath: NSTemporaryDirectory() + "ocop-label-50x30-print.png"))
    }
  }

  @Test func textNeverEntersTheQuietZone() throws {
    let (label, symbol, module) = try Self.render()
    let margin = Int((1.0 * 300 / 25.4).rounded())
    let side = (symbol.width + 8) * module.dots
    let quiet = 4 * module.dots
    for y in margin..<(margin + side) {
      for x in margin..<(margin + side) {
        let inQuietZone =
          x < margin + quiet || y < margin + quiet || x >= margin + side - quiet
          || y >= margin + side - quiet
        if inQuietZone { #expect(label[x, y] == 255, "dark pixel at \(x),\(y) in the quiet zone") }
      }
    }
    // The text column to the right has ink.
    let columnStart = margin + side
    #expect(
      label.pixels.enumerated().contains {
        $0.offset % label.width > columnStart && $0.element < 128
      })
  }

  @Test func decomposedVietnameseRendersLikeComposed() throws {
    var decomposed = Self.content()
    decomposed.productName = "Đường thốt nốt Tri Tôn".decomposedStringWithCanonicalMapping
    #expect(
      decomposed.productName.unicodeScalars.count > Self.content().productName.unicodeScalars.count)
    #expect(try Self.render(decomposed).0 == Self.render().0)
  }

  @Test func theSameLabelGivesTheSameBytes() throws {
    let (first, _, module) = try Self.render()
    let (second, _, _) = try Self.render()
    #expect(
      try PNGEncoder.encode(first, depth: .oneBit, pixelsPerMetre: module.pixelsPerMetre)
        == PNGEncoder.encode(second, depth: .oneBit, pixelsPerMetre: module.pixelsPerMetre))
  }

  @Test func oneRendererForManyLabelsDrawsEachAsAFreshOneWould() throws {
    // A renderer keeps the last text column it set and drew; labels that differ in any
    // field, or only in their code, must come out as a fresh renderer draws them.
    let module = try ModuleSize(millimetres: 0.423, dpi: 300)
    var other = Self.content(stars: nil)
    other.lot = "DTN-2611-02"
    let cases: [(LabelContent, String)] = [
      (Self.content(), Self.url), (Self.content(), Self.url + "1"), (other, Self.url),
      (Self.content(), Self.url),
    ]
    let shared = try LabelRenderer()
    for (content, url) in cases {
      let symbol = try QRSymbol.encode(url)
      let reused = try shared.render(content, symbol: symbol, module: module, template: .size50x30)
      let fresh = try LabelRenderer().render(
        content, symbol: symbol, module: module, template: .size50x30)
      #expect(reused == fresh)
      #expect(try ZBarDecoder.decode(reused) == [url])
    }
  }

  @Test(arguments: LabelTemplate.standard)
  func packedLabelsAreTheGrayLabelsThresholded(_ template: LabelTemplate) throws {
    let module = try ModuleSize(millimetres: 0.423, dpi: 300)
    let content =
      template == .size40x30 ? Self.content(address: "Xã Lê Trì, An Giang") : Self.content()
    let renderer = try LabelRenderer()
    for url in [Self.url, Self.url + "9", Self.url] {
      let layout = try renderer.layout(
        content, symbol: QRSymbol.encode(url), module: module, template: template)
      let gray = try LabelRenderer().draw(layout)
      let packed = try renderer.drawPacked(layout)
      let expected = gray.packedOneBit()
      #expect(packed.stride == expected.stride)
      #expect(packed.rows == expected.rows)
      #expect(try ZBarDecoder.decode(packed.codeBitmap()) == [url])
    }
  }

  /// The OCOP mark with its stars, in vectors: in the layout, drawn black in the PNG
  /// (the ring and each star), as a path in the SVG; none without stars.
  @Test func theOCOPMarkAppearsWithItsStarsOnlyWhenGiven() throws {
    let renderer = try LabelRenderer()
    let module = try ModuleSize(millimetres: 0.423, dpi: 300)
    let symbol = try QRSymbol.encode(Self.url)
    for stars in 3...5 {
      let layout = try renderer.layout(
        Self.content(stars: stars), symbol: symbol, module: module, template: .size100x50)
      let mark = try #require(layout.mark)
      #expect(mark.stars == stars)
      #expect(layout.lines.contains { $0.text == "OCOP" && $0.bold })
      #expect(!layout.lines.contains { $0.text.contains("★") })
      let bitmap = try renderer.draw(layout)
      func isBlack(_ x: Double, _ y: Double) -> Bool {
        bitmap.pixels[Int(y) * bitmap.width + Int(x)] < 128
      }
      let (cx, cy) = mark.centre
      let ring = (mark.outerRadius + mark.innerRadius) / 2
      #expect(isBlack(cx - ring, cy) && isBlack(cx + ring, cy) && isBlack(cx, cy - ring))
      #expect(!isBlack(cx, cy - mark.innerRadius * 0.8))
      // Each star's centre is black, and between two stars is white.
      let starShapes = mark.polygons.dropFirst(2)
      #expect(starShapes.count == mark.stars)
      for star in starShapes {
        let x = star.map(\.x).reduce(0, +) / Double(star.count)
        let y = star.map(\.y).reduce(0, +) / Double(star.count)
        #expect(isBlack(x, y))
      }
      #expect(try ZBarDecoder.decode(bitmap) == [Self.url])
      let svg = SVGWriter.label(layout)
      #expect(svg.contains("aria-label=\"OCOP \(stars) sao\""))
      #expect(svg.contains("fill-rule=\"evenodd\""))
    }
    let plain = try renderer.layout(
      Self.content(stars: nil), symbol: symbol, module: module, template: .size100x50)
    #expect(plain.mark == nil)
    #expect(!plain.lines.contains { $0.text.contains("OCOP") })
    #expect(!SVGWriter.label(plain).contains("OCOP"))
  }

  /// A food label shows what the law asks of a food label, the producer with its role;
  /// a small one gives what the law allows on the trace page and says so; and asked to
  /// keep everything, a small one is refused with what does not fit.
  @Test func aFoodLabelShowsTheMandatoryContentsAndASmallOneSaysWhereTheRestIs() throws {
    var content = Self.content(stars: 4)
    content.group = "food"
    content.producerRole = "Cơ sở sản xuất"
    content.ingredients = "Nước thốt nốt 100%"
    content.allergens = nil
    content.warnings = "Không dùng cho người bị tiểu đường"
    content.storage = "Bảo quản nơi khô ráo, thoáng mát, tránh ánh nắng trực tiếp"
    content.usage = "Dùng nấu chè, kho cá, pha nước uống"
    #expect(content.missingFields().isEmpty)
    let renderer = try LabelRenderer()
    let module = try ModuleSize(millimetres: 0.423, dpi: 300)
    let symbol = try QRSymbol.encode(Self.url)
    let large = try renderer.layout(content, symbol: symbol, module: module, template: .size100x50)
    #expect(large.movedToPage.isEmpty)
    let text = large.lines.map(\.text).joined(separator: " ")
    for words in [
      "Đường thốt nốt Tri Tôn", "Khối lượng tịnh: 500 g", "Thành phần: Nước thốt nốt",
      "NSX: 02/11/2026", "HSD: 01/11/2027", "Hướng dẫn sử dụng:", "Hướng dẫn bảo quản:",
      "Cảnh báo:", "Cơ sở sản xuất: HTX Thốt Nốt Tri Tôn", "Địa chỉ:", "Xuất xứ:",
      "Số lô: DTN-2611-01",
    ] {
      #expect(text.contains(words), "\(words) in \(text)")
    }
    // Text fills the room under the code too, not only the column beside it.
    let codeSide = (symbol.width + 8) * module.dots
    #expect(
      large.lines.contains { $0.x == large.codeX && $0.baseline > large.codeY + codeSide + 40 })
    #expect(try ZBarDecoder.decode(renderer.draw(large)) == [Self.url])
    // A 50×30 label: what the law allows goes to the page, and the label says so.
    let small = try renderer.layout(content, symbol: symbol, module: module, template: .size50x30)
    #expect(!small.movedToPage.isEmpty)
    #expect(small.lines.contains { $0.text.contains("quét mã QR") })
    #expect(!small.movedToPage.contains("warnings"))
    #expect(try ZBarDecoder.decode(renderer.draw(small)) == [Self.url])
    // Keeping everything on it, the 50×30 label is refused, naming what does not fit.
    var whole = content
    whole.keepAllOnLabel = true
    #expect(throws: LabelError.self) {
      _ = try renderer.layout(whole, symbol: symbol, module: module, template: .size50x30)
    }
    // A food product without its storage instructions lacks a mandatory content.
    var lacking = content
    lacking.storage = nil
    #expect(lacking.missingFields() == [.storage])
  }

  @Test func longTextShrinksToFit() throws {
    let long = "Số 12, Tổ 3, Ấp Tà Lọt, Xã Lê Trì, Huyện Tri Tôn, Tỉnh An Giang, Việt Nam"
    let (label, _, _) = try Self.render(Self.content(address: long), template: .size60x40)
    #expect(try ZBarDecoder.decode(label) == [Self.url])
  }

  @Test func textThatCannotFitIsRefusedByField() throws {
    let endless = Array(repeating: "Ấp Tà Lọt", count: 40).joined(separator: ", ")
    let error = #expect(throws: LabelError.self) { try Self.render(Self.content(address: endless)) }
    guard case .invalidOption(let name, _, let reason) = error else {
      Issue.record("unexpected \(String(describing: error))")
      return
    }
    #expect(name == "producer address")
    #expect(reason.contains("does not fit on the 50x30 label"))
  }

  @Test func aMissingFontIsNamed() {
    #expect(
      throws: LabelError.invalidOption(
        name: "font", value: "/nonexistent/font.ttf", reason: "does not exist or cannot be read")
    ) {
      try LabelRenderer(regularFont: "/nonexistent/font.ttf")
    }
  }

  @Test func aCodeTooBigForTheLabelIsRefused() throws {
    let module = try ModuleSize(millimetres: 0.99, dpi: 300)
    let symbol = try QRSymbol.encode(Self.url)
    #expect(throws: LabelError.self) {
      try LabelRenderer().render(
        Self.content(), symbol: symbol, module: module, template: .size40x30)
    }
  }

  @Test func templatesByName() throws {
    #expect(try LabelTemplate.named("50x30") == .size50x30)
    #expect(try LabelTemplate.named("70x37").widthMillimetres == 70)
    #expect(throws: LabelError.self) { try LabelTemplate.named("huge") }
    #expect(throws: LabelError.self) { try LabelTemplate.named("5x5") }
  }
}

@Suite("Sheets and read-back")
struct SheetTests {
  @Test func a4WithThreeByEightLabelsOf70x37() throws {
    let layout = try SheetLayout(
      columns: 3, rows: 8, label: LabelTemplate.custom(width: 70, height: 37))
    #expect(layout.perPage == 24)
    #expect(ModuleSize.format(layout.marginTop) == "0.500")
    let label = try LabelRenderer().render(
      LabelRenderTests.content(), symbol: QRSymbol.encode(LabelRenderTests.url),
      module: ModuleSize(millimetres: 0.423, dpi: 300), template: layout.label)
    let pages = try layout.pages(Array(repeating: label, count: 30), dpi: 300)
    #expect(pages.count == 2)
    #expect(pages[0].width == 2480)
    #expect(pages[0].height == 3508)
    // All 24 codes on the first page read back.
    #expect(try ZBarDecoder.decode(pages[0]).count == 24)
    #expect(try ZBarDecoder.decode(pages[1]).count == 6)
  }

  @Test func aGridLargerThanThePageIsRefused() throws {
    #expect(throws: LabelError.self) {
      try SheetLayout(columns: 4, rows: 8, label: LabelTemplate.custom(width: 70, height: 37))
    }
    #expect(throws: LabelError.self) {
      try SheetLayout(
        columns: 3, rows: 8, label: LabelTemplate.custom(width: 70, height: 37), gapY: 1)
    }
  }

  @Test func readBackNamesTheLabelThatDoesNotCarryItsURL() throws {
    let symbol = try QRSymbol.encode(LabelRenderTests.url)
    let image = try symbol.bitmap(dotsPerModule: 4)
    try ReadBack.check(image, label: "lot A #1", expected: LabelRenderTests.url)
    #expect(
      throws: LabelError.readBack(
        label: "lot A #2", expected: "https://x.vn/other", found: [LabelRenderTests.url])
    ) {
      try ReadBack.check(image, label: "lot A #2", expected: "https://x.vn/other")
    }
    #expect(throws: LabelError.readBack(label: "blank", expected: "https://x.vn", found: [])) {
      try ReadBack.check(Bitmap(width: 50, height: 50), label: "blank", expected: "https://x.vn")
    }
  }
}

@Suite("Label SVG")
struct LabelSVGTests {
  @Test func theSVGPlacesTheSameTextAsThePNGInMillimetres() throws {
    let renderer = try LabelRenderer()
    var content = LabelRenderTests.content(stars: nil)
    content.producerName = "HTX <Thốt Nốt> & Co"
    let layout = try renderer.layout(
      content, symbol: QRSymbol.encode(LabelRenderTests.url),
      module: ModuleSize(millimetres: 0.423, dpi: 300),
      template: .size50x30)
    let svg = SVGWriter.label(layout)
    #expect(svg.contains("width=\"50.038mm\""))
    #expect(svg.components(separatedBy: "<path").count == 2)
    #expect(svg.components(separatedBy: "<text").count == layout.lines.count + 1)
    #expect(svg.contains(">Đường thốt nốt Tri Tôn</text>"))
    #expect(svg.contains("HTX &lt;Thốt") && svg.contains("Nốt&gt; &amp; Co"))
    #expect(!svg.contains("<Thốt"))
    #expect(
      try renderer.draw(layout)
        == renderer.render(
          content, symbol: QRSymbol.encode(LabelRenderTests.url),
          module: ModuleSize(millimetres: 0.423, dpi: 300),
          template: .size50x30))
  }
}
