import CQREncode
import Foundation

/// The QR symbols libqrencode makes. This file is the only one that calls libqrencode;
/// its results are copied into ``QRSymbol`` values and freed here.
enum QREncoder {
  /// Encodes `text` case-sensitively, letting libqrencode split it into numeric,
  /// alphanumeric and byte segments, at `level`, in the smallest version from
  /// `minimumVersion` up; nil when it does not fit in any version.
  static func encode(_ text: String, level: ErrorCorrection, minimumVersion: Int) throws(LabelError)
    -> QRSymbol?
  {
    guard !text.isEmpty else { throw .emptyText }
    errno = 0
    guard let code = QRcode_encodeString(text, Int32(minimumVersion), level.qrLevel, QR_MODE_8, 1)
    else {
      switch errno {
      case ERANGE: return nil
      case ENOMEM: throw .library(name: "libqrencode", reason: "out of memory")
      default: throw .library(name: "libqrencode", reason: "rejected the input (errno \(errno))")
      }
    }
    defer { QRcode_free(code) }
    let width = Int(code.pointee.width)
    // Only bit 0 of each byte says whether the module is dark.
    let modules = (0..<width * width).map { code.pointee.data[$0] & 1 == 1 }
    return QRSymbol(version: Int(code.pointee.version), width: width, dark: modules, level: level)
  }
}

extension ErrorCorrection {
  var qrLevel: QRecLevel {
    switch self {
    case .low: QR_ECLEVEL_L
    case .medium: QR_ECLEVEL_M
    case .quartile: QR_ECLEVEL_Q
    case .high: QR_ECLEVEL_H
    }
  }
}
