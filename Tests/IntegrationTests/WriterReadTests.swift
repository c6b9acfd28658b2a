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
        // The operation log is the gateway's (the writer's AppendRights): journaled with its key.
        let client = try suite.client(as: "order-gateway")
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

    @Test("orders by account and state, fills since a seq and positions are served from the projections")
    func projectionReadsOverTheBus() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try suite.start(["bus", "persistence-writer"])
        let client = try suite.client()
        defer { client.close() }
        let producer = JournalProducer(client: client, name: "reads", log: AckLog())
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        let intent = OrderIntent(
            clientOrderId: "r-1", symbol: "BTC/USDT", side: .buy, type: .limit, qty: ExactDecimal(2), price: ExactDecimal(100),
            timeInForce: .gtc, reserveAsset: "USDT", reserveAmount: ExactDecimal(201))
        let fill = FillRecorded(
            clientOrderId: "r-1", venueOrderId: "V1", tradeId: "T1", symbol: "BTC/USDT", side: .buy, qty: ExactDecimal(2),
            price: ExactDecimal(100), fee: .zero, feeAsset: "USDT", ts: 7)
        for fact in [
            Fact(id: "intent:r-1", account: "acct-1", payload: .orderIntent(intent)),
            Fact(id: FillRecorded.factId(venue: "sim", tradeId: "T1"), account: "acct-1", payload: .fillRecorded(fill)),
        ] {
            #expect(await producer.append(fact, deadline: deadline))
        }
        func call<Reply: Decodable>(_ type: String, _ body: some Encodable, _ reply: Reply.Type) async throws -> Reply {
            try await client.bus.call(service: JournalAPI.service, type: type, body: body, replyType: reply, timeout: .seconds(2), attempts: 5)
        }
        let all = try await call(JournalAPI.orders, OrdersQuery(account: "acct-1"), OrdersPage.self).orders
        #expect(all.map(\.clientOrderId) == ["r-1"] && all.first?.state == .filled)
        #expect(try await call(JournalAPI.orders, OrdersQuery(account: "acct-1", state: .accepted), OrdersPage.self).orders.isEmpty)
        let fills = try await call(JournalAPI.fills, FillsQuery(fromSeq: 1, limit: 10), FillsPage.self).fills
        #expect(fills == [FillEntry(seq: 2, account: "acct-1", venue: "sim", fill: fill)])
        #expect(try await call(JournalAPI.fills, FillsQuery(fromSeq: 3, limit: 10), FillsPage.self).fills.isEmpty)
        let positions = try await call(JournalAPI.positions, PositionsQuery(account: "acct-1"), PositionsPage.self).positions
        #expect(positions == [JournalPosition(account: "acct-1", symbol: "BTC/USDT", qty: ExactDecimal(2), avgPrice: ExactDecimal(100), realizedPnl: .zero)])
        do {
            _ = try await call(JournalAPI.fills, FillsQuery(fromSeq: 1, limit: 0), FillsPage.self)
            Issue.record("a limit below 1 must be refused")
        } catch let error as ServiceError {
            #expect(error.code == .invalidRequest && error.reason == "bad_limit")
        }
        // Still serving after the refusal.
        #expect(try await call(JournalAPI.positions, PositionsQuery(account: "nobody"), PositionsPage.self).positions.isEmpty)
    }
}
