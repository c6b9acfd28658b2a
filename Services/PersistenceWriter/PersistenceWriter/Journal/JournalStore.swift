import BusProtocol
import Foundation
import GRDB
import Synchronization
import TradingModel

/// The journal database: the only writer of Breakwater's SQLite file (P1, P2, P3, P5, P6).
///
/// It owns one GRDB `DatabaseQueue` — a single connection, so the pragmas set and
/// verified at open stay in force (a `DatabasePool` re-runs setup per connection).
/// Every method blocks on SQLite I/O: call it from the writer's dedicated thread or
/// task. It is `Sendable` because the queue serializes all access and the only other
/// state is a `Mutex`.
///
/// Appends are group-committed: `append` applies a whole batch in ONE transaction,
/// each request in its own savepoint, and returns after COMMIT; the caller then
/// acknowledges each request with its outcome.
public final class JournalStore: Sendable {
    /// The settings the store was opened with.
    public let configuration: JournalConfiguration
    /// The one connection to the database.
    let dbQueue: DatabaseQueue
    /// The database page size, for WAL size arithmetic.
    let pageSizeBytes: Int
    /// The writer's clock, unix nanoseconds (injected so tests control it).
    private let now: @Sendable () -> Int64
    /// Committed batches since the last managed checkpoint, and failed managed checkpoints.
    private let checkpointCounters = Mutex((commitsSince: 0, failures: 0))

    /// Opens (creating if needed) the database, applies and verifies the pragmas,
    /// and runs the migrations.
    ///
    /// Throws `INVALID_REQUEST` / `invalid_journal_configuration` for bad settings,
    /// `INTERNAL` / `pragma_not_applied` when SQLite does not read a setting back,
    /// `INTERNAL` / `schema_too_new` for a database migrated by a newer writer, and
    /// GRDB errors for I/O.
    public init(
        configuration: JournalConfiguration,
        now: @escaping @Sendable () -> Int64 = JournalStore.wallClockNanos
    ) throws {
        try configuration.validate()
        var config = Configuration()
        config.label = "breakwater.journal"
        config.journalMode = .wal
        config.foreignKeysEnabled = true
        let connectionPragmas = """
            PRAGMA busy_timeout = \(configuration.busyTimeoutMs);
            PRAGMA journal_size_limit = \(configuration.journalSizeLimitBytes);
            PRAGMA wal_autocheckpoint = \(configuration.walAutocheckpointPages);
            """
        config.prepareDatabase { db in try db.execute(sql: connectionPragmas) }
        let dbQueue = try DatabaseQueue(path: configuration.path, configuration: config)
        // GRDB sets synchronous=NORMAL when it enables WAL, after prepareDatabase:
        // the configured level is set afterwards, then read back with the rest.
        try dbQueue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(configuration.synchronousLevel)")
        }
        let pragmas = try dbQueue.read(Self.readPragmas)
        try Self.verify(pragmas, against: configuration)
        try Self.migrate(dbQueue)
        self.configuration = configuration
        self.dbQueue = dbQueue
        self.pageSizeBytes = pragmas.pageSizeBytes
        self.now = now
    }

    /// Journals a batch of requests in one transaction; one outcome per request, in order.
    ///
    /// Each request runs in its own savepoint: a request that fails validation,
    /// fencing or projection is rolled back alone and gets `.rejected`; the others
    /// commit. Returns after COMMIT, so every `.committed` outcome is durable (to the
    /// configured `synchronous` level) when the caller acknowledges it. Throws — and
    /// commits nothing — only on database failures (I/O, disk full), after which the
    /// caller may resend the same requests: they are idempotent.
    ///
    /// Every `checkpointEveryCommits` batches it also runs `checkpoint()` after the
    /// commit; a failure of that checkpoint is not an append failure and is ignored
    /// (the next one retries).
    ///
    /// - Precondition: `batch.count <= configuration.maxBatchRequests`.
    public func append(_ batch: [AppendRequest]) throws -> [AppendOutcome] {
        try appendKeepingPayloads(batch).outcomes
    }

    /// `append`, also returning the payload JSON stored for each newly journaled fact,
    /// by seq, so the writer publishes what it stored without encoding it again.
    func appendKeepingPayloads(_ batch: [AppendRequest]) throws -> (outcomes: [AppendOutcome], payloads: [Int64: String]) {
        let (results, payloads) = try appendProjecting(batch)
        return (results.map(\.outcome), payloads)
    }

    /// `appendKeepingPayloads`, each outcome with the order its request is about as
    /// projected in the same transaction (`AppendAck.order`).
    func appendProjecting(_ batch: [AppendRequest]) throws -> (results: [AppendResult], payloads: [Int64: String]) {
        precondition(batch.count <= configuration.maxBatchRequests,
                     "batch of \(batch.count) requests exceeds maxBatchRequests \(configuration.maxBatchRequests)")
        guard !batch.isEmpty else { return ([], [:]) }
        let ts = now()
        let maxFacts = configuration.maxFactsPerRequest
        let result = try dbQueue.writeWithoutTransaction { db in
            let appender = JournalAppender(db: db, ts: ts, maxFactsPerRequest: maxFacts)
            var outcomes: [AppendResult] = []
            outcomes.reserveCapacity(batch.count)
            try db.inTransaction(.immediate) {
                for request in batch {
                    outcomes.append(try appender.result(of: request))
                }
                return .commit
            }
            return (outcomes, appender.payloads.bySeq)
        }
        checkpointIfDue()
        return result
    }

    /// The highest journal seq, 0 for an empty journal.
    public func lastSeq() throws -> Int64 {
        try dbQueue.read { db in
            try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM journal") ?? 0
        }
    }

    /// Journal entries with `seq >= fromSeq` (inclusive), ascending, at most `limit`
    /// (capped at `maxReadLimit`). A consumer that has seen seq N asks for N + 1.
    ///
    /// Throws `INVALID_REQUEST` / `bad_limit` for `limit < 1`.
    public func readJournal(fromSeq: Int64, limit: Int) throws -> [JournalEntry] {
        let limit = try cappedLimit(limit)
        return try dbQueue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, msg_id, type, account, partition, epoch, payload, trace, ts
                    FROM journal WHERE seq >= ? ORDER BY seq LIMIT ?
                    """,
                arguments: [fromSeq, limit]
            ).map(Self.entry(row:))
        }
    }

    /// The system wall clock in unix nanoseconds: the default `now`.
    public static func wallClockNanos() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000_000).rounded())
    }

    /// `limit` checked (`>= 1`) and capped at `maxReadLimit`.
    func cappedLimit(_ limit: Int) throws(ServiceError) -> Int {
        guard limit >= 1 else {
            throw ServiceError(.invalidRequest, reason: "bad_limit", "limit must be at least 1, got \(limit)")
        }
        return min(limit, configuration.maxReadLimit)
    }

    private static func entry(row: Row) throws -> JournalEntry {
        let fact = try FactCodec.fact(
            id: row["msg_id"], type: row["type"], account: row["account"], payloadJSON: row["payload"])
        return JournalEntry(
            seq: row["seq"], fact: fact, partition: row["partition"], epoch: row["epoch"],
            trace: row["trace"], ts: row["ts"])
    }

    /// How many managed checkpoints (run by `append`) have failed since the store
    /// opened; a metric to watch: the WAL grows while they fail.
    public var failedManagedCheckpoints: Int {
        checkpointCounters.withLock { $0.failures }
    }

    private func checkpointIfDue() {
        let every = configuration.checkpointEveryCommits
        guard every > 0 else { return }
        let due = checkpointCounters.withLock { counters in
            counters.commitsSince += 1
            guard counters.commitsSince >= every else { return false }
            counters.commitsSince = 0
            return true
        }
        guard due else { return }
        do {
            try checkpoint()
        } catch {
            checkpointCounters.withLock { $0.failures += 1 }
        }
    }
}
