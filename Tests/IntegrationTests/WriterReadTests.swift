import BusKit
import BusProtocol
import Foundation
import Testing
import TestSupport
import TradingModel

/// The writer's reads over the bus, against the real writer process.
@Suite("persistence-writer reads over the bus", .serialized, .timeLimit(.minutes(5)))
struct WriterReadTests {
    @Test("unfinished operations are listed until they finish, also after a writer restart")
    func unfinishedOperationsOverTheBus() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try suite.start(["bus", "persistence-writer"])
        let client = try suite.client()
        defer { client.close() }
        let log = AckLog()
        let producer = JournalProducer(client: client, name: "ops", log: log)
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        func record(_ id: String, _ state: OperationState, account: String = "acct-1") async -> Bool {
            let entry = OperationRecorded(operationId: id, kind: "cancel_all", state: state)
            return await producer.append(Fact(id: entry.factId, account: account, payload: .operationRecorded(entry)), deadline: deadline)
        }
        func unfinished(_ account: String? = nil) async throws -> [String] {
            try await client.bus.call(
                service: JournalAPI.service, type: JournalAPI.operations, body: OperationsQuery(account: account),
                replyType: OperationsPage.self, timeout: .seconds(2), attempts: 5
            ).operations.map(\.operationId)
        }
        #expect(await record("op-1", .pending))
        #expect(await record("op-2", .pending, account: "acct-2"))
        #expect(await record("op-2", .inProgress, account: "acct-2"))
        #expect(try await unfinished() == ["op-1", "op-2"])
        #expect(try await unfinished("acct-2") == ["op-2"])

        suite.kill("persistence-writer")
        try suite.start("persistence-writer")
        #expect(try await unfinished() == ["op-1", "op-2"], "a restarted service finds what it left half done")
        #expect(await record("op-1", .rolledBack))
        #expect(try await unfinished() == ["op-2"])
        #expect(log.rejected.isEmpty)
    }
}
