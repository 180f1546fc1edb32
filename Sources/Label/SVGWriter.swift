/// SVG drawings in millimetres: the QR as one path, so it scales without blur.
public enum SVGWriter {
  /// The QR symbol with its quiet zone, `moduleMillimetres` per module, as a standalone SVG.
  public static func qr(_ symbol: QRSymbol, moduleMillimetres: Double, quietZone: Int = 4)
    throws(LabelError)
    -> String
  {
    guard quietZone >= 4 else {
      throw .invalidOption(
        name: "quiet zone", value: "\(quietZone) modules", reason: "must be at least 4 modules")
    }
    let side = Double(symbol.width + 2 * quietZone) * moduleMillimetres
    let size = ModuleSize.format(side)
    return """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(size)mm" height="\(size)mm" \
      viewBox="0 0 \(symbol.width + 2 * quietZone) \(symbol.width + 2 * quietZone)" shape-rendering="crispEdges">
      <rect width="100%" height="100%" fill="#fff"/>
      <path fill="#000" d="\(path(symbol, offset: quietZone))"/>
      </svg>

      """
  }

  /// The dark modules as one path in module units, offset by the quiet zone: one
  /// rectangle per horizontal run of dark modules.
  static func path(_ symbol: QRSymbol, offset: Int) -> String {
    var commands: [String] = []
    for row in 0..<symbol.width {
      var column = 0
      while column < symbol.width {
        guard symbol.isDark(row: row, column: column) else {
          column += 1
          continue
        }
        let start = column
        while column < symbol.width, symbol.isDark(row: row, column: column) { column += 1 }
        commands.append(
          "M\(start + offset) \(row + offset)h\(column - start)v1h-\(column - start)z")
      }
    }
    return commands.joined()
  }

  /// A whole label in millimetres: the code as one path, the OCOP mark as another, each
  /// line of text as a text element in `fontFamily` (DejaVu Sans by default), placed where
  /// the PNG draws it.
  public static func label(_ layout: LabelLayout, fontFamily: String = "DejaVu Sans") -> String {
    let scale = 25.4 / Double(layout.dpi)
    func mm(_ dots: Int) -> String { ModuleSize.format(Double(dots) * scale) }
    let module = Double(layout.dotsPerModule) * scale
    var svg = """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(mm(layout.width))mm" height="\(mm(layout.height))mm" \
      viewBox="0 0 \(mm(layout.width)) \(mm(layout.height))">
      <rect width="100%" height="100%" fill="#fff"/>
      <path fill="#000" shape-rendering="crispEdges" \
      transform="translate(\(mm(layout.codeX)) \(mm(layout.codeY))) scale(\(ModuleSize.format(module)))" \
      d="\(path(layout.symbol, offset: 4))"/>

      """
    if let mark = layout.mark {
      svg +=
        "<path fill=\"#000\" fill-rule=\"evenodd\" aria-label=\"OCOP \(mark.stars) sao\" d=\"\(mark.svgPath(scale: scale))\"/>\n"
    }
    for line in layout.lines {
      let weight = line.bold ? " font-weight=\"bold\"" : ""
      svg +=
        "<text x=\"\(mm(line.x))\" y=\"\(mm(line.baseline))\" font-family=\"\(escape(fontFamily))\" "
        + "font-size=\"\(mm(line.size))\"\(weight)>\(escape(TextRenderer.normalized(line.text)))</text>\n"
    }
    return svg + "</svg>\n"
  }

  /// Text safe inside an XML element or attribute.
  static func escape(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      default: out.append(character)
      }
    }
    return out
  }
}
