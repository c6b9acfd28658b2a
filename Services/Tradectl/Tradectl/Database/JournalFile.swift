import BusProtocol
import Foundation
import GRDB
import TradingModel

/// Operator access to the journal FILE, beside the writer and never instead of it.
///
/// Everything here opens its own READ-ONLY connection: in WAL mode a reader sees a
/// consistent snapshot (the last commit before it started) and neither blocks the
/// writer nor is blocked by it, so the single writer keeps group-committing while a
/// backup or a check runs. Going through the writer instead would run the copy or the
/// integrity scan on its one connection and stall every append for its duration, and
/// would be impossible exactly when it is needed most — when the writer is down.
public enum JournalFile {
    /// Copies the live database at `source` to `destination` with SQLite's online
    /// backup, in one read transaction (a consistent snapshot), then switches the copy
    /// to rollback-journal mode (one self-contained file) and checks it.
    ///
    /// Throws `INVALID_REQUEST` / `backup_onto_live_database` when `destination` is the
    /// source, `INVALID_REQUEST` / `backup_exists` when it exists already, and
    /// `INTERNAL` / `backup_corrupt` when the copy fails its integrity check.
    public static func backup(from source: String, to destination: String) throws -> JournalHealth {
        guard canonical(source) != canonical(destination) else {
            throw ServiceError(.invalidRequest, reason: "backup_onto_live_database", "refusing to back up \(source) onto itself")
        }
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw ServiceError(.invalidRequest, reason: "backup_exists", "\(destination) exists; choose a new path")
        }
        let live = try openReadOnly(source)
        let copy = try DatabaseQueue(path: destination)
        try live.backup(to: copy)
        try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
        try copy.close()
        let health = try check(destination)
        guard health.integrity == "ok" else {
            throw ServiceError(.internal, reason: "backup_corrupt", "the copy fails its check: \(health.integrity)")
        }
        return health
    }

    /// `PRAGMA integrity_check` and `foreign_key_check`, the WAL file's size and the
    /// last journal seq of the database at `path` (which must exist).
    public static func check(_ path: String) throws -> JournalHealth {
        let queue = try openReadOnly(path)
        return try queue.read { db in
            let problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
                + (try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { "foreign key violation: \($0)" })
            let lastSeq = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM journal") ?? 0
            let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            return JournalHealth(
                integrity: problems.isEmpty ? "ok" : problems.joined(separator: "\n"), lastSeq: lastSeq, walBytes: Int64(wal))
        }
    }

    /// A read-only connection; `NOT_FOUND` / `no_database` when the file is missing.
    private static func openReadOnly(_ path: String) throws -> DatabaseQueue {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ServiceError(.notFound, reason: "no_database", "no database at \(path)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    private static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
