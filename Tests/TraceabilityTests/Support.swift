import TraceStoreConformance

/// The conformance suite's fixture also names the records the model tests build.
typealias Fixture = StoreFixture
