import Foundation

/// The OCOP mark a rated product's label carries (regulation 1162/QĐ-VPĐP-OCOP: the
/// programme's mark with its 3, 4 or 5 stars), drawn as vectors: a ring, the word OCOP and
/// the stars in a row beneath it, in one colour, so it prints sharp on a thermal printer
/// and scales in the SVG. The PNG and the SVG are drawn from the same shapes.
public struct OCOPMark: Hashable, Sendable {
  /// The top-left corner of the mark's square, in dots.
  public let x: Int
  public let y: Int
  /// The side of the square, in dots.
  public let side: Int
  /// 3, 4 or 5.
  public let stars: Int

  /// The mark's side for a label of `height` dots at `dpi`: 10 mm, or less on a small
  /// label (at least 7 mm, the smallest at which its stars stay distinct at 203 dpi).
  static func side(labelHeight: Int, dpi: Int) -> Int {
    let millimetres = min(10.0, max(7.0, Double(labelHeight) * 25.4 / Double(dpi) / 4))
    return Int((millimetres * Double(dpi) / 25.4).rounded())
  }

  /// The ring's centre and radii, in dots.
  var centre: (x: Double, y: Double) {
    (Double(x) + Double(side) / 2, Double(y) + Double(side) / 2)
  }
  var outerRadius: Double { Double(side) / 2 }
  var innerRadius: Double { Double(side) / 2 - max(2, Double(side) * 0.07) }

  /// The em size of the word OCOP, in dots, and its baseline.
  var wordSize: Int { max(6, Int((Double(side) * 0.27).rounded())) }
  var wordBaseline: Int { y + Int((Double(side) * 0.56).rounded()) }

  /// The filled shapes: closed polygons in dots, filled with the even-odd rule (the ring is
  /// its outer circle and its inner one; each star is one outline).
  var polygons: [[(x: Double, y: Double)]] {
    let (cx, cy) = centre
    func circle(_ radius: Double) -> [(x: Double, y: Double)] {
      (0..<72).map { index in
        let angle = Double(index) * .pi / 36
        return (cx + radius * cos(angle), cy + radius * sin(angle))
      }
    }
    var shapes = [circle(outerRadius), circle(innerRadius)]
    // The stars in a row across the lower part of the ring.
    let count = Double(stars)
    let starRadius = innerRadius * (stars >= 5 ? 0.17 : 0.2)
    let spacing = starRadius * 2.15
    let rowY = cy + innerRadius * 0.45
    for index in 0..<stars {
      let sx = cx + (Double(index) - (count - 1) / 2) * spacing
      shapes.append(
        (0..<10).map { point in
          let radius = point % 2 == 0 ? starRadius : starRadius * 0.42
          let angle = -Double.pi / 2 + Double(point) * .pi / 5
          return (sx + radius * cos(angle), rowY + radius * sin(angle))
        })
    }
    return shapes
  }

  /// The shapes as one SVG path, in millimetres at `scale` (millimetres a dot).
  func svgPath(scale: Double) -> String {
    polygons.map { polygon in
      polygon.enumerated().map { index, point in
        (index == 0 ? "M" : "L") + ModuleSize.format(point.x * scale) + " "
          + ModuleSize.format(point.y * scale)
      }.joined() + "Z"
    }.joined()
  }
}

extension Bitmap {
  /// Fills `polygons` black with the even-odd rule, sampling each pixel at its centre.
  mutating func fill(_ polygons: [[(x: Double, y: Double)]]) {
    let edges = polygons.flatMap { polygon in
      polygon.indices.map { index in (polygon[index], polygon[(index + 1) % polygon.count]) }
    }
    guard let top = polygons.joined().map(\.y).min(),
      let bottom = polygons.joined().map(\.y).max()
    else { return }
    for row in max(0, Int(top.rounded(.down)))...min(height - 1, Int(bottom.rounded(.up))) {
      let sampleY = Double(row) + 0.5
      var crossings: [Double] = []
      for (a, b) in edges where (a.y <= sampleY) != (b.y <= sampleY) {
        crossings.append(a.x + (sampleY - a.y) / (b.y - a.y) * (b.x - a.x))
      }
      crossings.sort()
      var index = 0
      while index + 1 < crossings.count {
        let start = max(0, Int((crossings[index] - 0.5).rounded(.up)))
        let end = min(width - 1, Int((crossings[index + 1] - 0.5).rounded(.down)))
        if start <= end { fillBlack(x: start, y: row, width: end - start + 1, height: 1) }
        index += 2
      }
    }
  }
}
