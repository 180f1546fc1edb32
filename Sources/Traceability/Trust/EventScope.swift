/// What an issuer's entry lets it sign: a rule written once, for the audit, an import and a
/// bundle's check alike.
///
/// - An issuer trusted for `batches` signs producers, products, batches, transformations,
///   print runs, production stages, movements and recalls; for a product, a lot, a
///   transformation's outputs, a print run, a stage or a recall, the GTIN must lie under one of its company prefixes (an
///   entry without prefixes may sign for any). Input lots are not limited: a lot may be
///   made from another producer's.
/// - An issuer trusted for `ratings` may record recalls of any lot: the OCOP office's
///   power to order one.
/// - A rating decision is accepted from anyone trusted, but the stars a label claims count
///   only when an issuer trusted for `ratings` signed the decision (``Verifier``).
/// - An `imported` event claims nothing itself: the event it carries is checked for its
///   own issuer.
extension TrustList {
  /// Why the entry of `event`'s issuer does not let it sign `event`; nil when it does (or
  /// when the issuer is unknown, which the signature check reports).
  public func scopeProblem(of event: Event) -> TrustProblem? {
    guard let issuer = issuers[event.kid] else { return nil }
    let data = event.data
    var gtins: [String] = []
    switch event.kind {
    case .imported, .ratingRecorded:
      return nil
    case .recall, .recallWithdrawn:
      if issuer.roles.contains(.ratings) { return nil }
      gtins = [data["lot"]?["gtin"]?.stringValue].compactMap { $0 }
    case .productRegistered:
      gtins = [data["gtin"]?.stringValue].compactMap { $0 }
    case .commissioning, .serialsAllocated, .stageRecorded:
      gtins = [data["lot"]?["gtin"]?.stringValue].compactMap { $0 }
    case .transformation:
      gtins = (data["outputs"]?.arrayValue ?? []).compactMap { $0["gtin"]?.stringValue }
    case .producerRegistered, .shipping, .receiving:
      break
    }
    guard issuer.roles.contains(.batches) else {
      return .notTrustedFor(kid: event.kid, role: .batches)
    }
    if let outside = gtins.first(where: { !issuer.covers(digits: $0) }) {
      return .outOfScope(kid: event.kid, gtin: outside, prefixes: issuer.prefixes)
    }
    return nil
  }

  /// Why this list refuses `event`: its signature (its issuer, validity or key), else its
  /// issuer's scope; nil when it accepts it.
  public func refusal(of event: Event) -> TrustProblem? {
    check(
      kid: event.kid, signature: event.signature, message: event.signedMessage, at: event.recordedAt
    )
      ?? scopeProblem(of: event)
  }
}
