/// Where everything on one label goes, in printer dots: what both the PNG and the SVG of
/// a label are drawn from.
public struct LabelLayout: Hashable, Sendable {
  /// One line of text: its font, size and baseline.
  public struct Line: Hashable, Sendable {
    /// The text, in NFC when drawn.
    public let text: String
    /// Whether it is set in the bold face.
    public let bold: Bool
    /// The em size, in dots.
    public let size: Int
    /// The left edge, in dots.
    public let x: Int
    /// The baseline, in dots from the top.
    public let baseline: Int
    /// The width the line may take, in dots (0: not known): a writer whose font metrics
    /// differ from the layout's (the PDF's unhinted ones) narrows a line to it.
    public var room: Int = 0
  }

  /// The label's width and height, in dots.
  public let width: Int
  public let height: Int
  /// The printer resolution.
  public let dpi: Int
  /// The code.
  public let symbol: QRSymbol
  /// Dots per module.
  public let dotsPerModule: Int
  /// The top-left corner of the code's quiet zone, in dots.
  public let codeX: Int
  public let codeY: Int
  /// Every line of text: first the element string's under the code, then the text column.
  public let lines: [Line]
  /// How many of ``lines`` are the element string's.
  public let codeTextLines: Int
  /// The OCOP mark, when the label carries one.
  public var mark: OCOPMark? = nil
  /// The contents the label gives on the trace page instead, for want of room (the label
  /// then says so), by name.
  public var movedToPage: [String] = []
}
