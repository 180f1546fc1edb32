import GS1

/// The OCOP programme's figures for a store, as a provincial office reports them: products
/// by rating result, certified producers by kind, producers by district and by product
/// group, and certificates about to expire.
public struct ProgrammeReport: Hashable, Sendable {
  /// A product's latest rating result.
  public enum Result: String, CaseIterable, Sendable {
    case threeStars = "3 stars"
    case fourStars = "4 stars"
    case fiveStars = "5 stars"
    case proposedFiveStars = "proposed for 5 stars"
    case notRated = "not rated"
    case expired
    case revoked
  }

  /// A certificate that runs out soon.
  public struct Expiring: Hashable, Sendable {
    public let product: Product
    public let rating: OCOPRating
  }

  /// The day the figures are for.
  public let asOf: GS1Date
  /// Products with at least one rating decision.
  public let evaluated: Int
  /// Evaluated products by the result of their latest decision.
  public let byResult: [Result: Int]
  /// Products whose certificate is in force on ``asOf``.
  public let inForce: Int
  /// Producers with a product rated 3 stars or more (or proposed for 5), by kind.
  public let certifiedProducers: [ProducerKind: Int]
  /// Producers proposing a product for 5 stars.
  public let proposingProducers: Int
  /// Every producer, by district as recorded (`(none)` for addresses without one).
  public let producersByDistrict: [String: Int]
  /// Producers with a product in each group.
  public let producersByGroup: [ProductGroup: Int]
  /// Products in each group.
  public let productsByGroup: [ProductGroup: Int]
  /// Certificates in force on ``asOf`` whose last valid day falls within ``horizonDays``.
  public let expiring: [Expiring]
  /// How far ahead ``expiring`` looks.
  public let horizonDays: Int

  /// The result of a product's latest decision.
  public static func result(of history: RatingHistory) -> Result? {
    let latest = history.entries.enumerated()
      .max { ($0.element.decision.date, $0.offset) < ($1.element.decision.date, $1.offset) }?
      .element
    guard let latest else { return nil }
    switch latest.status {
    case .certified:
      switch latest.stars {
      case 3: return .threeStars
      case 4: return .fourStars
      default: return .fiveStars
      }
    case .proposedCentral: return .proposedFiveStars
    case .notRated: return .notRated
    case .expired: return .expired
    case .revoked: return .revoked
    }
  }

  /// Computes the figures from `store` on `asOf`, looking `horizonDays` ahead, from one
  /// snapshot. With `trustList`, only the rating decisions an issuer it trusts for ratings
  /// signed count (a producer's own decisions, taken in from its log, do not).
  public init(
    store: any TraceStore, asOf: GS1Date, horizonDays: Int = 90, trustList: TrustList? = nil
  ) async throws(TraceError) {
    self.asOf = asOf
    self.horizonDays = horizonDays
    let (producers, products, histories) = try await store.snapshot { snapshot in
      let products = try snapshot.products()
      let histories = try products.map { product in
        try trustList.map { try snapshot.ratingHistory(product.gtin, trustedBy: $0) }
          ?? snapshot.ratingHistory(product.gtin)
      }
      return (try snapshot.producers(), products, histories)
    }
    let kinds = Dictionary(producers.map { ($0.taxCode, $0.kind) }, uniquingKeysWith: { a, _ in a })
    var evaluated = 0
    var byResult: [Result: Int] = [:]
    var inForce = 0
    var certified: Set<String> = []
    var proposing: Set<String> = []
    var expiring: [Expiring] = []
    var productsByGroup: [ProductGroup: Int] = [:]
    var groupProducers: [ProductGroup: Set<String>] = [:]
    let horizon = asOf.adding(days: horizonDays)
    for (product, history) in zip(products, histories) {
      productsByGroup[product.group, default: 0] += 1
      groupProducers[product.group, default: []].insert(product.producerTaxCode)
      guard let result = Self.result(of: history) else { continue }
      evaluated += 1
      byResult[result, default: 0] += 1
      switch result {
      case .threeStars, .fourStars, .fiveStars: certified.insert(product.producerTaxCode)
      case .proposedFiveStars:
        certified.insert(product.producerTaxCode)
        proposing.insert(product.producerTaxCode)
      default: break
      }
      if let current = history.inForce(on: asOf) {
        inForce += 1
        if let until = current.validUntil, until <= horizon {
          expiring.append(Expiring(product: product, rating: current))
        }
      }
    }
    var certifiedProducers: [ProducerKind: Int] = [:]
    for taxCode in certified {
      if let kind = kinds[taxCode] { certifiedProducers[kind, default: 0] += 1 }
    }
    var byDistrict: [String: Int] = [:]
    for producer in producers { byDistrict[producer.address.district ?? "(none)", default: 0] += 1 }
    self.evaluated = evaluated
    self.byResult = byResult
    self.inForce = inForce
    self.certifiedProducers = certifiedProducers
    proposingProducers = proposing.count
    producersByDistrict = byDistrict
    producersByGroup = groupProducers.mapValues(\.count)
    self.productsByGroup = productsByGroup
    self.expiring = expiring.sorted {
      ($0.rating.validUntil ?? asOf, $0.product.gtin.digits)
        < ($1.rating.validUntil ?? asOf, $1.product.gtin.digits)
    }
  }
}
