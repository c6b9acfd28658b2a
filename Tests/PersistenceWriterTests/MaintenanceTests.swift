import BusProtocol
import Foundation
import GRDB
import Testing
import TradingModel

@testable import PersistenceWriter

@Suite("Opening, pragmas, integrity, backup and checkpoints")
struct MaintenanceTests {
    @Test(arguments: [(false, 1), (true, 2)])
    func synchronousReadsBackTheConfiguredLevel(full: Bool, level: Int) throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir, synchronousFull: full)
        let pragmas = try store.pragmas()
        #expect(pragmas.synchronous == level)
        #expect(pragmas.journalMode == "wal")
        #expect(pragmas.foreignKeys)
        #expect(pragmas.busyTimeoutMs == 5_000)
        #expect(pragmas.journalSizeLimitBytes == 64 * 1024 * 1024)
    }

    @Test func theSchemaHasEveryTableAfterTheMigrations() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let tables = try store.dbQueue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        for table in ["journal", "orders", "fills", "reservations", "partition_epochs", "positions", "operations",
                      "breaker_state", "governor_state", "spans"] {
            #expect(tables.contains(table), "missing \(table)")
        }
        let applied = try store.dbQueue.read { db in try JournalSchema.migrator.appliedIdentifiers(db) }
        #expect(applied == ["v1-journal", "v1-projections", "v1-state", "v2-fills-per-venue", "v3-positions-from-fills", "v4-trading-halts"])
    }

    @Test func integrityCheckSaysOk() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        _ = try store.append(requests(Facts.intent("o-1"), Facts.fill("o-1", trade: "t-1", qty: "1", price: "1")))
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func backupProducesAReadableCopyWithTheSameLastSeq() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        _ = try store.append(requests(Facts.intent("o-1"), Facts.accepted("o-1")))
        let copyPath = dir.path("backup.sqlite")
        try store.backup(to: copyPath)
        // The live store keeps working after the backup.
        _ = try store.append(requests(Facts.intent("o-2")))

        let copy = try JournalStore(configuration: JournalConfiguration(path: copyPath))
        #expect(try copy.lastSeq() == 2)
        #expect(try copy.integrityCheck() == "ok")
        #expect(try copy.order(account: Facts.account, clientOrderId: "o-1")?.state == .accepted)
        #expect(try copy.readJournal(fromSeq: 1, limit: 10).map(\.fact) == [Facts.intent("o-1"), Facts.accepted("o-1")])
    }

    @Test func backupOntoTheLiveDatabaseIsRefused() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        #expect(throws: ServiceError.self) { try store.backup(to: dir.path("journal.sqlite")) }
        #expect(throws: ServiceError.self) { try store.backup(to: dir.path("./journal.sqlite")) }
    }

    @Test func checkpointTruncatesALargeWAL() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir) {
            $0.checkpointEveryCommits = 0
            $0.truncateCheckpointWalBytes = 1
        }
        _ = try store.append((1...50).map { AppendRequest(facts: [Facts.intent("o-\($0)")]) })
        let walPath = dir.path("journal.sqlite-wal")
        #expect(try walSize(walPath) > 0)
        let report = try store.checkpoint()
        #expect(report.truncateAttempted)
        #expect(report.truncated)
        #expect(try walSize(walPath) == 0)
        #expect(try store.lastSeq() == 50)
    }

    @Test func checkpointStaysPassiveForASmallWAL() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        _ = try store.append(requests(Facts.intent("o-1")))
        let report = try store.checkpoint()
        #expect(!report.truncateAttempted)
        #expect(report.checkpointedFrames == report.walFrames)
    }

    @Test func appendRunsManagedCheckpoints() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir) {
            $0.walAutocheckpointPages = 0
            $0.checkpointEveryCommits = 2
            $0.truncateCheckpointWalBytes = 1
        }
        _ = try store.append(requests(Facts.intent("o-1")))
        #expect(try walSize(dir.path("journal.sqlite-wal")) > 0)
        _ = try store.append(requests(Facts.intent("o-2")))
        #expect(try walSize(dir.path("journal.sqlite-wal")) == 0)
        #expect(store.failedManagedCheckpoints == 0)
    }

    @Test(arguments: [
        { (c: inout JournalConfiguration) in c.busyTimeoutMs = -1 },
        { (c: inout JournalConfiguration) in c.walAutocheckpointPages = 0; c.checkpointEveryCommits = 0 },
        { (c: inout JournalConfiguration) in c.maxReadLimit = 0 },
        { (c: inout JournalConfiguration) in c.path = ":memory:" },
    ] as [@Sendable (inout JournalConfiguration) -> Void])
    func anUnsafeConfigurationIsRefused(change: @Sendable (inout JournalConfiguration) -> Void) throws {
        let dir = try TemporaryDirectory()
        #expect {
            _ = try openStore(in: dir, configure: change)
        } throws: { error in
            (error as? ServiceError)?.reason == "invalid_journal_configuration"
        }
    }

    private func walSize(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? NSNumber)?.intValue ?? -1
    }
}
