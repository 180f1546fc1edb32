/// The read-back check of a print run: every label is decoded again and must carry
/// exactly the URL it was made for.
public enum ReadBack {
  /// Decodes `bitmap` and throws ``LabelError/readBack(label:expected:found:)`` unless it
  /// holds exactly one QR code whose text is `expected`.
  public static func check(_ bitmap: Bitmap, label: String, expected: String) throws(LabelError) {
    let found = try ZBarDecoder.decode(bitmap)
    guard found == [expected] else {
      throw .readBack(label: label, expected: expected, found: found)
    }
  }
}
