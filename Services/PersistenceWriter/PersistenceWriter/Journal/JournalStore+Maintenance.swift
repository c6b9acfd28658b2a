import BusProtocol
import Foundation
import GRDB

extension JournalStore {
    /// `"ok"`, or the problems `PRAGMA integrity_check` and `PRAGMA foreign_key_check`
    /// report, one per line.
    public func integrityCheck() throws -> String {
        try dbQueue.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            let foreignKeys = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { row in
                "foreign key violation: \(row)"
            }
            let problems = integrity.filter { $0 != "ok" } + foreignKeys
            return problems.isEmpty ? "ok" : problems.joined(separator: "\n")
        }
    }

    /// Copies the live database to `path` with SQLite's online backup (P6), while the
    /// writer keeps its connection; the copy is a consistent snapshot of the last
    /// commit, left in rollback-journal mode so it is one self-contained file.
    ///
    /// An existing file at `path` is overwritten. Throws `INVALID_REQUEST` /
    /// `backup_onto_live_database` when `path` is the live database itself.
    public func backup(to path: String) throws {
        let target = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        let live = URL(fileURLWithPath: configuration.path).standardizedFileURL.resolvingSymlinksInPath().path
        guard target != live else {
            throw ServiceError(.invalidRequest, reason: "backup_onto_live_database", "refusing to back up onto \(path)")
        }
        let destination = try DatabaseQueue(path: path)
        try dbQueue.backup(to: destination)
        try destination.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = DELETE")
        }
    }

    /// Checkpoints the WAL with a policy that can neither starve nor stall the writer.
    ///
    /// 1. PASSIVE: copies what it can without waiting for anybody. Readers holding
    ///    old snapshots can keep it from ever finishing — that is the starvation.
    /// 2. If the WAL still holds at least `truncateCheckpointWalBytes` of frames,
    ///    TRUNCATE: waits for those readers, at most `truncateCheckpointTimeoutMs`
    ///    (new readers start on the newest snapshot and do not block it; the writer
    ///    is this connection, so no write competes), then empties the WAL file.
    ///    If readers outlast the wait it returns `truncated == false` and the next
    ///    call tries again: the WAL is bounded by how long a reader can stay, not
    ///    by luck.
    ///
    /// `append` calls it every `checkpointEveryCommits` batches; the caller may also
    /// call it when idle.
    @discardableResult
    public func checkpoint() throws -> CheckpointReport {
        let configuration = configuration
        let frameBytes = pageSizeBytes + 24
        return try dbQueue.writeWithoutTransaction { db in
            let passive = try db.checkpoint(.passive)
            var report = CheckpointReport(
                walFrames: passive.walFrameCount, checkpointedFrames: passive.checkpointedFrameCount,
                truncateAttempted: false, truncated: false)
            guard passive.walFrameCount * frameBytes >= configuration.truncateCheckpointWalBytes,
                  passive.walFrameCount > 0
            else { return report }
            report.truncateAttempted = true
            try db.execute(sql: "PRAGMA busy_timeout = \(configuration.truncateCheckpointTimeoutMs)")
            let result = Result { try db.checkpoint(.truncate) }
            try db.execute(sql: "PRAGMA busy_timeout = \(configuration.busyTimeoutMs)")
            switch result {
            case .success:
                report.truncated = true
            case .failure(let error as DatabaseError) where error.resultCode == .SQLITE_BUSY:
                report.truncated = false
            case .failure(let error):
                throw error
            }
            return report
        }
    }
}
