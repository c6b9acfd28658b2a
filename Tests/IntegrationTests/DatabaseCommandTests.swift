import BusProtocol
import Foundation
import GRDB
import Testing
import TestSupport
import TradingModel

/// `tradectl db backup` and `tradectl db check` against the live journal of a real writer.
@Suite("tradectl db backup and check", .serialized, .timeLimit(.minutes(5)))
struct DatabaseCommandTests {
    /// Runs the real `tradectl` with `arguments`: exit status, stdout, stderr.
    private func tradectl(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try TradectlProcess.run(arguments)
    }

    private func health(_ json: String) throws -> JournalHealth {
        try JSONDecoder().decode(JournalHealth.self, from: Data(json.utf8))
    }

    @Test("a backup taken while 4 producers stream is a consistent, self-contained snapshot")
    func backupUnderLoadIsAConsistentSnapshot() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try suite.start(["bus", "persistence-writer"])
        let log = AckLog()
        let clients = try (0..<4).map { _ in try suite.client() }
        defer { clients.forEach { $0.close() } }
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        let producing = Task {
            await withTaskGroup(of: Int.self) { group in
                for (index, client) in clients.enumerated() {
                    let producer = JournalProducer(client: client, name: "b\(index)", log: log)
                    group.addTask { await producer.run(count: 100, deadline: deadline) }
                }
                return await group.reduce(0, +)
            }
        }
        #expect(try await eventually(timeout: .seconds(60), every: .milliseconds(2)) { log.count >= 100 })
        let ackedBefore = log.snapshot
        let backupPath = suite.dataDirectory + "/backup.sqlite"
        let result = try tradectl(["db", "backup", backupPath, "--db", suite.databasePath])
        #expect(result.status == 0, "\(result.stderr)")
        let reported = try health(result.stdout)
        #expect(reported.integrity == "ok")
        #expect(await producing.value == 400)

        let copy = try JournalFile.seqs(backupPath)
        let live = try JournalFile.seqs(suite.databasePath)
        #expect(ackedBefore.allSatisfy { copy[$0.key] == $0.value }, "an append acknowledged before the backup is missing from it")
        #expect(copy.allSatisfy { live[$0.key] == $0.value }, "the copy holds a row the live journal does not")
        #expect(Int64(copy.count) == reported.lastSeq && copy.values.max() == reported.lastSeq)
        #expect(!FileManager.default.fileExists(atPath: backupPath + "-wal"), "the copy is one self-contained file")
        let mode = try await DatabaseQueue(path: backupPath).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "delete")
    }

    @Test("a backup onto an existing file or onto the live database is refused")
    func backupRefusesToOverwrite() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try suite.start(["bus", "persistence-writer"])
        #expect(try await eventually { FileManager.default.fileExists(atPath: suite.databasePath) })
        let existing = suite.dataDirectory + "/existing.sqlite"
        _ = FileManager.default.createFile(atPath: existing, contents: Data("keep me".utf8))
        let onto = try tradectl(["db", "backup", existing, "--db", suite.databasePath])
        #expect(onto.status != 0 && onto.stderr.contains("backup_exists"))
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")
        let self_ = try tradectl(["db", "backup", suite.databasePath, "--db", suite.databasePath])
        #expect(self_.status != 0 && self_.stderr.contains("backup_onto_live_database"))
    }

    @Test("check reports integrity, WAL size and last seq of the live journal; a damaged or missing file fails")
    func checkReportsHealthAndFailsOnDamage() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try suite.start(["bus", "persistence-writer"])
        let client = try suite.client()
        defer { client.close() }
        let log = AckLog()
        _ = await JournalProducer(client: client, name: "c", log: log).run(count: 30, deadline: .now.advanced(by: .seconds(60)))
        #expect(log.count == 30)

        let result = try tradectl(["db", "check", "--db", suite.databasePath])
        #expect(result.status == 0, "\(result.stderr)")
        let reported = try health(result.stdout)
        #expect(reported.integrity == "ok")
        #expect(reported.lastSeq == log.snapshot.values.max())
        #expect(reported.walBytes > 0, "the running writer's WAL holds the recent commits")

        // A copy with a page overwritten by garbage.
        let damaged = suite.dataDirectory + "/damaged.sqlite"
        #expect(try tradectl(["db", "backup", damaged, "--db", suite.databasePath]).status == 0)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: damaged))
        try handle.seek(toOffset: 4_096 * 2)
        handle.write(Data(repeating: 0xA5, count: 4_096 * 4))
        try handle.close()
        let bad = try tradectl(["db", "check", "--db", damaged])
        #expect(bad.status != 0)
        #expect(!bad.stdout.contains("\"integrity\" : \"ok\""))

        let missing = try tradectl(["db", "check", "--db", suite.dataDirectory + "/nope.sqlite"])
        #expect(missing.status != 0 && missing.stderr.contains("no_database"))
    }
}
