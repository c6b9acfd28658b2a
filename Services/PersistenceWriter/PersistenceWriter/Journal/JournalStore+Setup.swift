import BusProtocol
import GRDB

extension JournalStore {
    /// The connection settings as SQLite reports them now.
    public func pragmas() throws -> JournalPragmas {
        try dbQueue.read(Self.readPragmas)
    }

    /// Reads every pragma the store depends on.
    static func readPragmas(_ db: Database) throws -> JournalPragmas {
        func int(_ name: String) throws -> Int {
            guard let value = try Int.fetchOne(db, sql: "PRAGMA \(name)") else {
                throw ServiceError(.internal, reason: "pragma_not_applied", "PRAGMA \(name) returned nothing")
            }
            return value
        }
        return JournalPragmas(
            journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
            synchronous: try int("synchronous"),
            foreignKeys: try int("foreign_keys") == 1,
            busyTimeoutMs: try int("busy_timeout"),
            journalSizeLimitBytes: try int("journal_size_limit"),
            walAutocheckpointPages: try int("wal_autocheckpoint"),
            pageSizeBytes: try int("page_size"))
    }

    /// Refuses to run with a setting SQLite did not take: a durability promise that
    /// is not in force must stop the writer at startup, not surface after a crash.
    static func verify(_ actual: JournalPragmas, against configuration: JournalConfiguration) throws(ServiceError) {
        let expected = JournalPragmas(
            journalMode: "wal", synchronous: configuration.synchronousLevel, foreignKeys: true,
            busyTimeoutMs: configuration.busyTimeoutMs, journalSizeLimitBytes: configuration.journalSizeLimitBytes,
            walAutocheckpointPages: configuration.walAutocheckpointPages, pageSizeBytes: actual.pageSizeBytes)
        guard actual == expected else {
            throw ServiceError(
                .internal, reason: "pragma_not_applied", "SQLite reports \(actual), expected \(expected)")
        }
    }

    /// Runs the pending migrations; refuses a database that a newer writer migrated
    /// (`INTERNAL` / `schema_too_new`): this binary would not maintain its projections.
    static func migrate(_ dbQueue: DatabaseQueue) throws {
        let migrator = JournalSchema.migrator
        let superseded = try dbQueue.read { db in try migrator.hasBeenSuperseded(db) }
        guard !superseded else {
            throw ServiceError(
                .internal, reason: "schema_too_new", "the database has migrations this writer does not know")
        }
        try migrator.migrate(dbQueue)
    }
}
