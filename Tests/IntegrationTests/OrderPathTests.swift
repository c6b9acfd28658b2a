import BusKit
import BusProtocol
import Foundation
import GRDB
import Testing
import TestSupport
import TradingModel

/// One order end to end through the real executables, checked in the reply, the
/// SQLite file and the risk ledger, and found again after a restart of the suite.
@Suite("order path through the real services", .serialized, .timeLimit(.minutes(3)))
struct OrderPathTests {
    @Test("a market buy is filled, journaled, reserved and settled, and survives a restart", arguments: VenueFront.allCases)
    func marketBuyEndToEnd(front: VenueFront) async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try front.configure(suite)
        try suite.start()
        let client = try suite.client()
        defer { client.close() }
        #expect(try await client.waitUntilReady(accounts: front.accounts))

        let request = OrderSubmit(clientOrderId: "it-buy-1", account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!)
        var order = try await client.submit(request)
        if order.state != .filled {
            #expect(try await eventually { (try? await client.get(account: "acct-1", id: "it-buy-1").state) == .filled })
            order = try await client.get(account: "acct-1", id: "it-buy-1")
        }
        #expect(order.state == .filled)
        #expect(order.filledQty == ExactDecimal("0.01")!)
        let avgPrice = try #require(order.avgPrice)

        // The same id again: the same order, nothing new sent.
        let again = try await client.submit(request)
        #expect(again.venueOrderId == order.venueOrderId && again.state == .filled)

        // In the database: the order row, one fill, the journal facts, the reservation settled.
        let db = try DatabaseQueue(path: suite.databasePath, configuration: { var c = Configuration(); c.readonly = true; return c }())
        try await db.read { db in
            let state = try String.fetchOne(db, sql: "SELECT state FROM orders WHERE account = ? AND client_order_id = ?", arguments: ["acct-1", "it-buy-1"])
            #expect(state == "filled")
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fills WHERE client_order_id = 'it-buy-1'") == 1)
            // The fill came through the front under test (the Binance adapter journals as venue `binance`).
            #expect(try String.fetchOne(db, sql: "SELECT venue FROM fills WHERE client_order_id = 'it-buy-1'") == front.venueName)
            let types = try String.fetchAll(db, sql: "SELECT type FROM journal WHERE msg_id LIKE '%it-buy-1' OR msg_id LIKE 'fill:%' ORDER BY seq")
            // The intent comes first (G9); the ack's facts and the stream's fill may interleave.
            #expect(types.first == "order.intent")
            #expect(types.sorted() == ["fill.recorded", "order.accepted", "order.intent"])
            let reservation = try Row.fetchOne(db, sql: "SELECT asset, state FROM reservations WHERE client_order_id = 'it-buy-1'")
            #expect(reservation?["asset"] == "USDT")
            #expect(reservation?["state"] == "closed")
        }

        // Risk committed the reservation against the balance: USDT fell by notional + fee, nothing stays reserved.
        let notional = ExactDecimal("0.01")!.multiplied(by: avgPrice, rounding: .halfEven)
        let risk = try await client.bus.call(
            service: "risk-service", type: "risk.show", key: "acct-1", body: AccountRef(account: "acct-1"),
            replyType: AccountRisk.self, timeout: .seconds(5), attempts: 1)
        let usdt = try #require(risk.balances.first { $0.asset == "USDT" })
        #expect(usdt.reserved == .zero)
        #expect(usdt.total < ExactDecimal(100_000) - notional)
        #expect(usdt.total > ExactDecimal(100_000) - notional - notional.multiplied(by: ExactDecimal("0.002")!, rounding: .up))
        #expect(risk.balances.first { $0.asset == "BTC" }?.total == ExactDecimal(2) + ExactDecimal("0.01")!)

        // Restart the whole suite: the order is still there.
        client.close()
        suite.stop()
        try suite.start()
        let second = try suite.client()
        defer { second.close() }
        #expect(try await second.waitUntilReady(accounts: front.accounts))
        let found = try await second.get(account: "acct-1", id: "it-buy-1")
        #expect(found.state == .filled && found.venueOrderId == order.venueOrderId)
    }

    @Test("bad input gets an error reply with its code, and the gateway keeps serving")
    func badInputIsAnswered() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try suite.start()
        let client = try suite.client()
        defer { client.close() }
        #expect(try await client.waitUntilReady())

        let numeric = Data(#"{"account":"acct-1","symbol":"BTC/USDT","side":"buy","type":"market","qty":0.01}"#.utf8)
        let reply = try await client.bus.request(service: "order-gateway", type: "order.submit", key: "acct-1", body: numeric, attempts: 1)
        #expect(reply.errorBody().code == .invalidNumber)

        let unknown = OrderSubmit(account: "acct-1", symbol: "DOGE/USDT", side: .buy, type: .market, qty: ExactDecimal("1")!)
        await #expect(throws: ServiceError.self) { try await client.submit(unknown) }
        do {
            _ = try await client.submit(OrderSubmit(account: "nobody", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!))
            Issue.record("an unknown account must be refused")
        } catch {
            #expect(error.code == .unknownAccount)
        }
        do {
            _ = try await client.submit(OrderSubmit(account: "acct-2", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("5")!))
            Issue.record("an order above the balance must be refused")
        } catch {
            #expect(error.code == .insufficientBalance)
        }
        let garbage = try await client.bus.request(service: "order-gateway", type: "order.submit", key: "acct-1", body: Data("{not json".utf8), attempts: 1)
        #expect(garbage.errorBody().code == .invalidRequest)
        // Still serving.
        await #expect(throws: Never.self) {
            _ = try await client.submit(OrderSubmit(clientOrderId: "after-garbage", account: "acct-1", symbol: "ETH/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!))
        }
    }
}
