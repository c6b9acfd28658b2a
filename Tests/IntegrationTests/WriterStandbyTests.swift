import BusKit
import BusProtocol
import Foundation
import Testing
import TestSupport
import TradingModel

/// A second writer on the same database stands by on the lock and takes over after kill -9.
@Suite("persistence-writer hot standby", .serialized, .timeLimit(.minutes(5)))
struct WriterStandbyTests {
    /// The process ids of the writers registered on the bus (from their `service@host:pid:ms` names).
    private func registeredWriterPids(_ client: SuiteClientConnection) async throws -> [Int32] {
        let reply = try await client.bus.request(
            service: BusCommand.service, type: BusCommand.status, body: Data("{}".utf8), timeout: .seconds(2), attempts: 1)
        struct Status: Decodable { var workers: [BusCommand.Registration] }
        let status = try JSONDecoder().decode(Status.self, from: reply.body)
        return status.workers.filter { $0.service == JournalAPI.service }.compactMap { worker in
            let parts = worker.worker.split(separator: ":")
            return parts.count >= 3 ? Int32(parts[parts.count - 2]) : nil
        }
    }

    /// Whether process `pid` holds a descriptor on `path` (the standby blocks on the lock file).
    private func hasOpen(_ pid: Int32, _ path: String) -> Bool {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return fds.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")) == path }
    }

    @Test("the standby does not write while the active writer lives, and serves within seconds after its kill -9")
    func standbyTakesOverAfterKillNine() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try suite.start("bus")
        try suite.start("persistence-writer", as: "writer-a")
        let client = try suite.client()
        defer { client.close() }
        let log = AckLog()
        let probe = JournalProducer(client: client, name: "probe", log: log)
        let start = ContinuousClock.now.advanced(by: .seconds(60))
        #expect(await probe.append(JournalProducer.fact(producer: "probe", index: 0), deadline: start))
        let active = try #require(suite.pid("writer-a"))

        try suite.start("persistence-writer", as: "writer-b")
        let standby = try #require(suite.pid("writer-b"))
        #expect(try await eventually { hasOpen(standby, suite.databasePath + ".lock") })
        #expect(!hasOpen(standby, suite.databasePath), "the standby must not open the database")
        #expect(try await registeredWriterPids(client) == [active])

        let clients = try (0..<4).map { _ in try suite.client() }
        defer { clients.forEach { $0.close() } }
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        let producing = Task {
            await withTaskGroup(of: Int.self) { group in
                for (index, producerClient) in clients.enumerated() {
                    let producer = JournalProducer(client: producerClient, name: "s\(index)", log: log)
                    group.addTask { await producer.run(count: 100, deadline: deadline) }
                }
                return await group.reduce(0, +)
            }
        }
        #expect(try await eventually(timeout: .seconds(60), every: .milliseconds(2)) { log.count >= 120 })
        suite.kill("writer-a")
        let killed = ContinuousClock.now
        #expect(await probe.append(JournalProducer.fact(producer: "probe", index: 1), deadline: killed.advanced(by: .seconds(30))))
        let outage = ContinuousClock.now - killed
        print("WriterStandbyTests: appends served again \(outage) after kill -9")
        #expect(outage < .seconds(8), "takeover took \(outage)")
        #expect(try await registeredWriterPids(client).contains(standby))

        #expect(await producing.value == 400)
        #expect(log.rejected.isEmpty)
        let journal = try JournalFile.seqs(suite.databasePath)
        #expect(journal.count == 402)
        #expect(log.snapshot.filter { journal[$0.key] != $0.value }.isEmpty, "an acknowledged append was lost")
        #expect(try JournalFile.integrity(suite.databasePath) == "ok")
    }
}
