import TestSupport
import Testing
import Traceability

/// What a backend's test target supplies so that the conformance suite can run on it:
/// fresh stores, more connections to one store, and edits made behind the store's back.
package protocol ConformanceBackend: Sendable {
  /// A new, empty store whose files (if any) go in `folder`, signed by `signer` and stamped
  /// by `clock`.
  func makeStore(
    in folder: TemporaryFolder, signer: IssuerKey, clock: @escaping @Sendable () -> Timestamp
  ) async throws -> any TraceStore
  /// Another connection to the store made in `folder`, as a second writer (or a reader,
  /// without `signer`) opens it.
  func reopen(in folder: TemporaryFolder, signer: IssuerKey?) async throws -> any TraceStore
  /// Makes `edit` to the store in `folder` directly in its database, around whatever
  /// append-only guard the backend has, as an attacker with the database's password could.
  func tamper(in folder: TemporaryFolder, _ edit: StoreEdit) async throws
}

/// An edit made to a store's database behind its back.
package enum StoreEdit: Sendable {
  /// Replaces `text` with `replacement` in the body of event `sequence`.
  case replaceInEventBody(sequence: Int64, text: String, replacement: String)
  /// Sets `column` of the rows of derived table `table` where `key` equals `value`.
  case setDerivedColumn(table: String, column: String, to: String, whereColumn: String, is: String)
  /// Deletes event `sequence` (its derived rows stay).
  case deleteEvent(sequence: Int64)
  /// Swaps the sequence numbers of two events.
  case swapEvents(Int64, Int64)
  /// Gives event `to` the signature of event `from`.
  case copySignature(from: Int64, to: Int64)
  /// Replaces event `sequence` by another body, signature and hash.
  case replaceEvent(sequence: Int64, body: [UInt8], signature: [UInt8], hash: [UInt8])
  /// Sets the stored hash of event `sequence` to 32 zero bytes.
  case zeroHash(sequence: Int64)
  /// Sets the kind column of event `sequence`.
  case setKind(sequence: Int64, kind: String)
  /// Adds a row to a derived table, cells in column order.
  case insertDerivedRow(table: String, cells: [Cell])
  /// Deletes the rows of a derived table; only those of one event when `eventSequence` is
  /// given.
  case deleteDerivedRows(table: String, eventSequence: Int64?)
}

/// One behaviour every backend must have, run by each backend's test target.
package struct ConformanceCase: Sendable, CustomTestStringConvertible {
  /// What it checks, as a sentence.
  package let name: String
  let body: @Sendable (any ConformanceBackend) async throws -> Void

  init(_ name: String, _ body: @escaping @Sendable (any ConformanceBackend) async throws -> Void) {
    self.name = name
    self.body = body
  }

  /// Runs the case on `backend`; failures are recorded as the test's issues.
  package func run(on backend: any ConformanceBackend) async throws {
    try await body(backend)
  }

  package var testDescription: String { name }
}

/// Every conformance case.
package enum StoreConformance {
  /// The cases, rules first, then the audit's.
  package static let cases: [ConformanceCase] =
    RuleCases.all + AuditCases.all + ConcurrencyCases.all + FederationCases.all
    + CheckpointCases.all
}
