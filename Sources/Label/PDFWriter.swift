import CCairo

/// Labels as PDF at true size, through cairo's PDF surface: pages in millimetres, the code
/// as filled squares of whole modules (its quiet zone kept white), the OCOP mark as
/// vector shapes, and the text as real text in the label's TrueType fonts, embedded as
/// subsets with their Unicode map, so a reader can search and copy it. This file is the
/// only one that calls cairo.
///
/// A writer is used from one thread at a time.
public final class PDFWriter {
  private let surface: OpaquePointer
  private let context: OpaquePointer
  private let faces: Faces
  private let path: String
  private var pageOpen = false
  private var finished = false

  /// A PDF at `path`, whose first page is `width` × `height` millimetres; the label text is
  /// set in the fonts at `regularFont` and `boldFont`.
  public init(
    path: String, width: Double, height: Double, regularFont: String = Font.defaultRegular,
    boldFont: String = Font.defaultBold, title: String? = nil
  ) throws(LabelError) {
    self.path = path
    faces = try Faces(regular: regularFont, bold: boldFont)
    guard
      let surface = cairo_pdf_surface_create(path, points(width), points(height)),
      cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS
    else {
      throw .invalidOption(name: "PDF file", value: path, reason: "cannot be created")
    }
    cairo_pdf_surface_restrict_to_version(surface, CAIRO_PDF_VERSION_1_5)
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "ocop-trace")
    if let title { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title) }
    guard let context = cairo_create(surface) else {
      cairo_surface_destroy(surface)
      throw .library(name: "cairo", reason: "could not start drawing on \(path)")
    }
    self.surface = surface
    self.context = context
  }

  deinit {
    cairo_destroy(context)
    if !finished { cairo_surface_finish(surface) }
    cairo_surface_destroy(surface)
  }

  /// Ends the page being drawn, if any, and sizes the next one.
  public func newPage(width: Double, height: Double) {
    if pageOpen { cairo_show_page(context) }
    cairo_pdf_surface_set_size(surface, points(width), points(height))
    pageOpen = false
  }

  /// Draws `layout` with its top-left corner at (`x`, `y`) millimetres on the current page.
  public func draw(_ layout: LabelLayout, x: Double, y: Double) throws(LabelError) {
    pageOpen = true
    Self.draw(layout, on: context, faces: faces, millimetre: 72 / 25.4, x: x, y: y)
    try check()
  }

  /// Draws a calibration page for `sheet` on the current page: rulers from the page's
  /// edges, each label's outline and crop marks where the labels will print (with the
  /// sheet's offset), a 100 mm square, and `lines` of instructions inside it.
  public func drawCalibration(_ sheet: SheetLayout, lines: [String]) throws(LabelError) {
    pageOpen = true
    let cr = context
    cairo_save(cr)
    cairo_scale(cr, 72 / 25.4, 72 / 25.4)
    cairo_set_source_rgb(cr, 0, 0, 0)
    cairo_set_line_width(cr, 0.1)
    // Rulers from the page's very edges: the first tick a printer prints is its margin.
    for mm in 0...Int(sheet.pageWidth) {
      let length = mm % 10 == 0 ? 5.0 : mm % 5 == 0 ? 3.5 : 2.0
      cairo_move_to(cr, Double(mm), 0)
      cairo_line_to(cr, Double(mm), length)
      cairo_move_to(cr, Double(mm), sheet.pageHeight)
      cairo_line_to(cr, Double(mm), sheet.pageHeight - length)
    }
    for mm in 0...Int(sheet.pageHeight) {
      let length = mm % 10 == 0 ? 5.0 : mm % 5 == 0 ? 3.5 : 2.0
      cairo_move_to(cr, 0, Double(mm))
      cairo_line_to(cr, length, Double(mm))
      cairo_move_to(cr, sheet.pageWidth, Double(mm))
      cairo_line_to(cr, sheet.pageWidth - length, Double(mm))
    }
    cairo_stroke(cr)
    cairo_set_font_face(cr, faces.regular)
    cairo_set_font_size(cr, 2.2)
    for mm in stride(from: 10, to: Int(sheet.pageWidth), by: 10) {
      cairo_move_to(cr, Double(mm) + 0.4, 7.5)
      cairo_show_text(cr, String(mm))
    }
    for mm in stride(from: 10, to: Int(sheet.pageHeight), by: 10) {
      cairo_move_to(cr, 6, Double(mm) - 0.4)
      cairo_show_text(cr, String(mm))
    }
    // Each label's outline where the labels will be drawn, with crop marks at its corners.
    cairo_set_line_width(cr, 0.15)
    for index in 0..<sheet.perPage {
      let (left, top) = sheet.origin(of: index)
      let (width, height) = (sheet.label.widthMillimetres, sheet.label.heightMillimetres)
      cairo_rectangle(cr, left, top, width, height)
      for (cx, cy) in [
        (left, top), (left + width, top), (left, top + height), (left + width, top + height),
      ] {
        cairo_move_to(cr, cx - 2, cy)
        cairo_line_to(cr, cx + 2, cy)
        cairo_move_to(cr, cx, cy - 2)
        cairo_line_to(cr, cx, cy + 2)
      }
    }
    cairo_stroke(cr)
    // A 100 mm square in the middle: the print is at 100% when its sides measure 100 mm.
    let squareX = (sheet.pageWidth - 100) / 2
    let squareY = (sheet.pageHeight - 100) / 2
    cairo_set_line_width(cr, 0.3)
    cairo_rectangle(cr, squareX, squareY, 100, 100)
    cairo_stroke(cr)
    cairo_set_source_rgb(cr, 1, 1, 1)
    cairo_rectangle(cr, squareX + 5, squareY + 5, 90, 7.5 * Double(lines.count) + 3)
    cairo_fill(cr)
    cairo_set_source_rgb(cr, 0, 0, 0)
    cairo_set_font_size(cr, 3.5)
    for (number, line) in lines.enumerated() {
      cairo_set_font_face(cr, number == 0 ? faces.bold : faces.regular)
      cairo_move_to(cr, squareX + 7, squareY + 11 + 7.5 * Double(number))
      cairo_show_text(cr, TextRenderer.normalized(line))
    }
    cairo_restore(cr)
    try check()
  }

  /// Ends the last page and writes the file out.
  public func finish() throws(LabelError) {
    guard !finished else { return }
    if pageOpen { cairo_show_page(context) }
    cairo_surface_finish(surface)
    finished = true
    try check()
  }

  private func check() throws(LabelError) {
    let status = cairo_surface_status(surface)
    guard status == CAIRO_STATUS_SUCCESS, cairo_status(context) == CAIRO_STATUS_SUCCESS else {
      let failed = status != CAIRO_STATUS_SUCCESS ? status : cairo_status(context)
      throw .invalidOption(
        name: "PDF file", value: path,
        reason: "cannot be written (\(String(cString: cairo_status_to_string(failed))))")
    }
  }

  /// The code's square of `layout` (quiet zone included) drawn by the same commands that
  /// put it in the PDF, rasterised at the layout's resolution: what the read-back decodes.
  public static func codeBitmap(_ layout: LabelLayout) throws(LabelError) -> Bitmap {
    let side = (layout.symbol.width + 8) * layout.dotsPerModule
    guard let image = cairo_image_surface_create(CAIRO_FORMAT_A8, Int32(side), Int32(side)),
      let cr = cairo_create(image)
    else { throw .library(name: "cairo", reason: "could not make an image to read back") }
    defer {
      cairo_destroy(cr)
      cairo_surface_destroy(image)
    }
    let millimetre = Double(layout.dpi) / 25.4
    let scale = 25.4 / Double(layout.dpi)
    // The code's square holds the code alone (the layout keeps text and mark out of its
    // quiet zone), so only the code is drawn: by the very commands the PDF holds.
    cairo_scale(cr, millimetre, millimetre)
    cairo_translate(cr, -Double(layout.codeX) * scale, -Double(layout.codeY) * scale)
    cairo_set_source_rgb(cr, 0, 0, 0)
    drawCode(layout, on: cr, dot: scale)
    cairo_surface_flush(image)
    guard cairo_surface_status(image) == CAIRO_STATUS_SUCCESS,
      let data = cairo_image_surface_get_data(image)
    else { throw .library(name: "cairo", reason: "could not draw the label to read it back") }
    let stride = Int(cairo_image_surface_get_stride(image))
    var bitmap = Bitmap(width: side, height: side)
    for row in 0..<side {
      for column in 0..<side {
        bitmap.pixels[row * side + column] = 255 - data[row * stride + column]
      }
    }
    return bitmap
  }

  /// The code of `layout`, in millimetres from the label's corner, as lines one module
  /// thick along the middle of runs of dark modules, ends cut square, so that every module
  /// is a whole square of the module's size. Each dark module is covered by the longer of
  /// its row's run and its column's run (a line of two points is less than half the PDF of
  /// a rectangle's four corners, and the fewer lines the smaller and faster the PDF).
  private static func drawCode(_ layout: LabelLayout, on cr: OpaquePointer, dot: Double) {
    let symbol = layout.symbol
    let width = symbol.width
    let module = Double(layout.dotsPerModule) * dot
    let codeX = Double(layout.codeX) * dot + 4 * module
    let codeY = Double(layout.codeY) * dot + 4 * module
    // Each dark module's run across and down: where it starts, and its length.
    var across = [Int32](repeating: 0, count: width * width)
    var down = [Int32](repeating: 0, count: width * width)
    var acrossStart = [Int32](repeating: 0, count: width * width)
    var downStart = [Int32](repeating: 0, count: width * width)
    /// The runs of line `line` (a row when `isRow`, else a column).
    func measure(
      _ line: Int, isRow: Bool, lengths: inout [Int32], starts: inout [Int32]
    ) {
      func index(_ position: Int) -> Int {
        isRow ? line * width + position : position * width + line
      }
      func dark(_ position: Int) -> Bool {
        isRow
          ? symbol.isDark(row: line, column: position) : symbol.isDark(row: position, column: line)
      }
      var position = 0
      while position < width {
        guard dark(position) else {
          position += 1
          continue
        }
        let start = position
        while position < width, dark(position) { position += 1 }
        for inRun in start..<position {
          lengths[index(inRun)] = Int32(position - start)
          starts[index(inRun)] = Int32(start)
        }
      }
    }
    for line in 0..<width {
      measure(line, isRow: true, lengths: &across, starts: &acrossStart)
      measure(line, isRow: false, lengths: &down, starts: &downStart)
    }
    cairo_save(cr)
    cairo_set_line_width(cr, module)
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)
    var drawnAcross = [Bool](repeating: false, count: width * width)
    var drawnDown = [Bool](repeating: false, count: width * width)
    for row in 0..<width {
      for column in 0..<width where across[row * width + column] > 0 {
        let index = row * width + column
        if down[index] > across[index] {
          let start = Int(downStart[index])
          guard !drawnDown[start * width + column] else { continue }
          drawnDown[start * width + column] = true
          let x = codeX + (Double(column) + 0.5) * module
          cairo_move_to(cr, x, codeY + Double(start) * module)
          cairo_line_to(cr, x, codeY + Double(start + Int(down[index])) * module)
        } else {
          let start = Int(acrossStart[index])
          guard !drawnAcross[row * width + start] else { continue }
          drawnAcross[row * width + start] = true
          let y = codeY + (Double(row) + 0.5) * module
          cairo_move_to(cr, codeX + Double(start) * module, y)
          cairo_line_to(cr, codeX + Double(start + Int(across[index])) * module, y)
        }
      }
    }
    cairo_stroke(cr)
    cairo_restore(cr)
  }

  /// `layout` drawn with its top-left corner at (`x`, `y`) millimetres, `millimetre` device
  /// units to the millimetre.
  private static func draw(
    _ layout: LabelLayout, on cr: OpaquePointer, faces: Faces, millimetre: Double, x: Double,
    y: Double
  ) {
    let dot = 25.4 / Double(layout.dpi)
    cairo_save(cr)
    cairo_scale(cr, millimetre, millimetre)
    cairo_translate(cr, x, y)
    cairo_set_source_rgb(cr, 0, 0, 0)
    drawCode(layout, on: cr, dot: dot)
    if let mark = layout.mark {
      // The ring as two circles, the stars as their outlines, filled even-odd.
      let (cx, cy) = mark.centre
      cairo_new_sub_path(cr)
      cairo_arc(cr, cx * dot, cy * dot, mark.outerRadius * dot, 0, 2 * .pi)
      cairo_close_path(cr)
      cairo_new_sub_path(cr)
      cairo_arc(cr, cx * dot, cy * dot, mark.innerRadius * dot, 0, 2 * .pi)
      cairo_close_path(cr)
      for star in mark.polygons.dropFirst(2) {
        for (index, point) in star.enumerated() {
          if index == 0 {
            cairo_move_to(cr, point.x * dot, point.y * dot)
          } else {
            cairo_line_to(cr, point.x * dot, point.y * dot)
          }
        }
        cairo_close_path(cr)
      }
      cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD)
      cairo_fill(cr)
    }
    // The text, where the bitmap label has it; a line the PDF's unhinted metrics make wider
    // than its room is narrowed to it.
    for line in layout.lines {
      cairo_set_font_face(cr, line.bold ? faces.bold : faces.regular)
      cairo_set_font_size(cr, Double(line.size) * dot)
      let text = TextRenderer.normalized(line.text)
      // The labels of a run share their lines but the code's: each is measured once.
      let key = Faces.Measured(text: text, bold: line.bold, size: line.size, dot: dot)
      let advance: Double
      if let known = faces.advances[key] {
        advance = known
      } else {
        var extents = cairo_text_extents_t()
        cairo_text_extents(cr, text, &extents)
        advance = extents.x_advance
        if faces.advances.count > 10_000 { faces.advances.removeAll() }
        faces.advances[key] = advance
      }
      let room = Double(line.room) * dot
      cairo_save(cr)
      cairo_translate(cr, Double(line.x) * dot, Double(line.baseline) * dot)
      if line.room > 0, advance > room { cairo_scale(cr, room / advance, 1) }
      cairo_move_to(cr, 0, 0)
      cairo_show_text(cr, text)
      cairo_restore(cr)
    }
    cairo_restore(cr)
  }
}

/// The label's regular and bold fonts as cairo font faces over FreeType, each keeping its
/// ``Font`` (and so its FreeType face) alive until cairo lets go of it.
private final class Faces {
  let regular: OpaquePointer
  let bold: OpaquePointer
  /// Lines already measured, and their advance in millimetres.
  struct Measured: Hashable {
    let text: String
    let bold: Bool
    let size: Int
    let dot: Double
  }
  var advances: [Measured: Double] = [:]

  init(regular regularPath: String, bold boldPath: String) throws(LabelError) {
    regular = try Self.face(regularPath)
    do {
      bold = try Self.face(boldPath)
    } catch {
      cairo_font_face_destroy(regular)
      throw error
    }
  }

  deinit {
    cairo_font_face_destroy(regular)
    cairo_font_face_destroy(bold)
  }

  private static func face(_ path: String) throws(LabelError) -> OpaquePointer {
    let font = try Font(path: path)
    guard let handle = font.faceHandle,
      let face = cairo_ft_font_face_create_for_ft_face(FT_Face(handle), 0)
    else { throw .library(name: "cairo", reason: "cannot use the font \(path)") }
    let owner = Unmanaged.passRetained(font).toOpaque()
    let status = cairo_font_face_set_user_data(face, &fontKey, owner) { owner in
      if let owner { Unmanaged<Font>.fromOpaque(owner).release() }
    }
    guard status == CAIRO_STATUS_SUCCESS else {
      Unmanaged<Font>.fromOpaque(owner).release()
      cairo_font_face_destroy(face)
      throw .library(name: "cairo", reason: "cannot use the font \(path)")
    }
    return face
  }
}

/// The key under which a cairo font face keeps its ``Font``.
nonisolated(unsafe) private var fontKey = cairo_user_data_key_t()

/// Millimetres as PDF points.
private func points(_ millimetres: Double) -> Double { millimetres * 72 / 25.4 }
