import Foundation
import TestSupport
import Testing
import TraceStoreConformance
import Traceability

@testable import TraceStorePostgres

private typealias F = StoreFixture

/// The connection under the store: what happens when the server ends it, and how a
/// connection that cannot be made is reported.
@Suite("The PostgreSQL store's connection")
struct SessionTests {
  /// Ends every connection to `database` but the caller's, and waits until they are gone.
  private func endConnections(_ cluster: PostgresCluster, _ database: String) throws {
    _ = try cluster.psql(
      database,
      """
      SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity
      WHERE datname = '\(database)' AND pid <> pg_backend_pid()
      """)
  }

  @Test func aConnectionTheServerEndsIsReplacedBeforeAnythingCouldHaveCommitted() async throws {
    let cluster = try await PostgresCluster.shared()
    let backend = PostgresBackend(cluster: cluster)
    let fixture = try await F.make(backend)
    let database = PostgresBackend.database(fixture.folder)
    #expect(try await fixture.store.headSequence() == 3)

    // A read on a connection the server ended is run again on a new one.
    try endConnections(cluster, database)
    #expect(try await fixture.store.headSequence() == 3)

    // So is a write, which had sent nothing the server could commit.
    try endConnections(cluster, database)
    let batch = try await fixture.store.issueBatch(F.request(F.sugar, "AFTER-RESTART"))
    #expect(batch.eventSequence == 4)

    // Many statements on one connection, prepared on the server after their second use,
    // give the same answers as the first.
    for index in 1...20 {
      _ = try await fixture.store.allocateSerials(batch.lot, count: 10)
      #expect(try await fixture.store.serialRanges(batch.lot).count == index)
    }
    try endConnections(cluster, database)
    // The statements prepared on the ended connection are made again on the new one.
    let range = try await fixture.store.allocateSerials(batch.lot, count: 10)
    #expect(range.first == 201 && range.last == 210)
    let report = try await fixture.store.audit(trustList: fixture.trustList)
    #expect(report.passed)
    #expect(report.eventsChecked == 3 + 1 + 21)
  }

  @Test func aConnectionThatCannotBeMadeIsOneLineThatNamesTheStore() async throws {
    let cluster = try await PostgresCluster.shared()
    let database = try cluster.createDatabase()
    let key = try IssuerKey(seed: [UInt8](repeating: 3, count: 32), name: "test")
    let base = "postgres://\(cluster.user):\(cluster.password)@127.0.0.1:\(cluster.port)"
    let cases: [(url: String, says: String)] = [
      (
        "\(base)/\(database)?sslmode=require",
        "store postgres://ocop@127.0.0.1:\(cluster.port)/\(database): cannot be reached: the server does not offer TLS, which sslmode requires"
      ),
      (
        "\(base)/no_such_database?sslmode=disable",
        "store postgres://ocop@127.0.0.1:\(cluster.port)/no_such_database: has no such database: database \"no_such_database\" does not exist"
      ),
      (
        "postgres://\(cluster.user):wrong@127.0.0.1:\(cluster.port)/\(database)?sslmode=disable",
        "store postgres://ocop@127.0.0.1:\(cluster.port)/\(database): refused the login: password authentication failed for user \"ocop\""
      ),
    ]
    for (url, says) in cases {
      let location = try PostgresLocation(url, environment: [:])
      do {
        _ = try await PostgresTraceStore.open(location, signer: key, create: true)
        Issue.record("\(url) opened")
      } catch {
        #expect("\(error)" == says)
        #expect(!"\(error)".contains("\n"))
      }
    }
    // The default, sslmode=prefer, goes on without TLS when the server offers none.
    let store = try await PostgresTraceStore.open(
      PostgresLocation("\(base)/\(database)", environment: [:]), signer: key, create: true)
    #expect(try await store.headSequence() == 0)
  }
}

/// The session itself: statements sent together, prepared on the server, and what a
/// failure in a group of them does.
@Suite("A PostgreSQL session")
struct PostgresSessionTests {
  private func session() async throws -> PostgresSession {
    let cluster = try await PostgresCluster.shared()
    let location = try PostgresLocation(cluster.url(try cluster.createDatabase()))
    return try PostgresSession.connect(location)
  }

  @Test func statementsSentTogetherAnswerInOrderAndAFailureSkipsTheRestOfItsGroup() async throws {
    let session = try await session()
    try session.execute("CREATE TABLE t (n BIGINT PRIMARY KEY, s TEXT, b BYTEA)")
    let first = session.sendQuery(
      "INSERT INTO t VALUES (?, ?, ?) RETURNING n, s", [.integer(-7), .text("Việt"), .null])
    #expect(
      try session.values(of: first).map { $0.map(\.cell) } == [[.integer(-7), .text("Việt")]])
    #expect(try session.rows("SELECT count(*) FROM t", []) == [[.integer(1)]])

    // The duplicate key fails; the statement after it in the same group is skipped, and
    // both answers give the duplicate's failure.
    let duplicate = session.sendQuery("INSERT INTO t (n) VALUES (?)", [.integer(-7)])
    let after = session.sendQuery("INSERT INTO t (n) VALUES (?)", [.integer(8)])
    #expect(throws: PostgresSession.SessionError.self) { try session.values(of: duplicate) }
    do {
      _ = try session.values(of: after)
      Issue.record("the statement after a failure ran")
    } catch let error as PostgresSession.SessionError {
      #expect(error.sqlState == "23505")
    }
    // The session goes on, and the skipped row is not there.
    #expect(try session.rows("SELECT n FROM t ORDER BY n", []) == [[.integer(-7)]])
  }

  @Test func aStatementSeenTwiceIsPreparedAndOneTheServerLostIsRunUnnamed() async throws {
    let session = try await session()
    let query = "SELECT ?::bigint + 1, octet_length(?::bytea)"
    for value in Int64(1)...3 {
      var binds = PostgresSession.Binds()
      binds.append(.integer(value))
      binds.append(bytes: [1, 2, 3])
      session.send("SELECT $1::bigint + 1, octet_length($2::bytea)", binds)
      try session.settle()
      #expect(
        try session.rows(query, [.integer(value), .text("abc")]) == [
          [.integer(value + 1), .integer(3)]
        ])
    }
    #expect(
      try session.rows("SELECT count(*) FROM pg_prepared_statements", []).first?.first
        == .integer(2))
    // As a pooler that hands the connection over would: the server forgets them.
    try session.execute("DEALLOCATE ALL")
    do {
      _ = try session.rows(query, [.integer(5), .text("abc")])
      Issue.record("a statement the server forgot ran")
    } catch let error as PostgresSession.SessionError {
      #expect(error.isRetryable)
    }
    // Run again, unnamed from now on.
    #expect(try session.rows(query, [.integer(5), .text("abc")]) == [[.integer(6), .integer(3)]])
    #expect(
      try session.rows("SELECT count(*) FROM pg_prepared_statements", []).first?.first
        == .integer(0))
  }
}
