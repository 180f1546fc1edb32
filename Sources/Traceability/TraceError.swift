import GS1

/// Why a traceability operation was refused. Nothing is stored when one is thrown.
public enum TraceError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A field of a record is invalid: which record, which field, the value and why.
  case invalidField(record: String, field: String, value: String, reason: String)
  /// A GS1 identifier or AI value is invalid.
  case gs1(GS1Error)
  /// A record that the operation names does not exist.
  case notFound(kind: String, key: String)
  /// A record that must be new already exists.
  case alreadyExists(kind: String, key: String)
  /// A lot may not be used because it has been recalled.
  case recalled(lot: String, reason: String)
  /// The store cannot be opened, read or written.
  case store(path: String, reason: String)
  /// An issuer key file is unsafe or unreadable.
  case key(path: String, reason: String)
  /// A file or folder that must be new cannot be written: which one, and why.
  case file(path: String, reason: String)
  /// A trust list, signed link or record could not be read.
  case malformed(what: String, reason: String)
  /// In a list of commands applied together, the one at `index` (from 0) was refused.
  indirect case command(index: Int, error: TraceError)

  /// The error itself, without the command it came from.
  public var underlying: TraceError {
    if case .command(_, let error) = self { return error.underlying }
    return self
  }

  /// The index of the refused command, when the error came from a list of them.
  public var commandIndex: Int? {
    if case .command(let index, _) = self { return index }
    return nil
  }

  public var description: String {
    switch self {
    case .invalidField(let record, let field, let value, let reason):
      let shown = value.isEmpty ? "(empty)" : "\"\(value.clippedForMessage)\""
      return "\(record): \(field) \(shown): \(reason)"
    case .gs1(let error): return error.description
    case .notFound(let kind, let key): return "\(kind) \(key) does not exist"
    case .alreadyExists(let kind, let key): return "\(kind) \(key) already exists"
    case .recalled(let lot, let reason): return "lot \(lot) has been recalled (\(reason))"
    case .store(let path, let reason): return "store \(path): \(reason)"
    case .key(let path, let reason): return "issuer key \(path): \(reason)"
    case .file(let path, let reason): return "\(path): \(reason)"
    case .malformed(let what, let reason): return "\(what): \(reason)"
    case .command(_, let error): return error.description
    }
  }
}

extension GS1Error {
  var trace: TraceError { .gs1(self) }
}
