import BusKit
import BusProtocol
import Foundation
import GRDB
import Testing
import TestSupport
import TradingModel
import VenueKit

/// Position conflicts converge under every strategy, with at most one corrective order
/// (they used to send one every two passes, for ever), real processes.
@Suite("position conflicts converge", .serialized, .timeLimit(.minutes(10)))
struct PositionResolutionTests {
    /// Journal long 0.02 (a fill the venue never made), venue long 0.01: where each strategy ends.
    @Test(arguments: [("venue_wins", "0.01", 0), ("journal_wins", "0.02", 1), ("merge", "0.02", 1), ("most_recent", "0.02", 1), ("flatten", "0", 1)])
    func aConflictConvergesWithAtMostOneOrder(strategy: String, expected: String, orders: Int) async throws {
        let harness = try await FaultyVenueHarness(environment: [
            "BW_RECON_INTERVAL_MS": "1000", "BW_VENUE_TICK_MS": "50", "BW_RECON_STRATEGY": strategy,
        ])
        defer { harness.tearDown() }
        #expect(try await harness.waitUntilReady())
        let base = try await harness.submit(OrderSubmit(
            clientOrderId: "base", account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!))
        #expect(base.state == .filled)
        // Two passes that see both sides agree (merge counts changes from there).
        let runs = try await harness.reconStatus().runs
        #expect(try await eventually(timeout: .seconds(30)) { try await harness.reconStatus().runs >= runs + 2 })
        // A fill only the journal has: journal 0.02, venue 0.01.
        let fill = FillRecorded(
            clientOrderId: "journal-only", venueOrderId: "V-journal-only", tradeId: "journal-only-1", symbol: "BTC/USDT", side: .buy,
            qty: ExactDecimal("0.01")!, price: ExactDecimal("50000")!, fee: .zero, feeAsset: "USDT", ts: WallClock.nowNanos())
        let ack = try await harness.client.bus.call(
            service: JournalAPI.service, type: JournalAPI.append,
            body: JournalAppend(facts: [Fact(id: FillRecorded.factId(venue: "paper", tradeId: "journal-only-1"), account: "acct-1", payload: .fillRecorded(fill))]),
            replyType: AppendAck.self, timeout: .seconds(5), attempts: 3)
        #expect(ack.error == nil)
        let target = try #require(ExactDecimal(expected))
        #expect(try await eventually(timeout: .seconds(40)) { try await Self.positions(harness) == (target, target) }, "\(strategy)")
        #expect(try await Self.correctiveOrders(harness) == orders, "\(strategy)")
        // Three more passes: still agreed, and nothing more sent.
        let settled = try await harness.reconStatus().runs
        #expect(try await eventually(timeout: .seconds(30)) { try await harness.reconStatus().runs >= settled + 3 })
        let (journal, venue) = try await Self.positions(harness)
        #expect(journal == target && venue == target, "\(strategy): journal \(journal), venue \(venue)")
        #expect(try await Self.correctiveOrders(harness) == orders, "\(strategy)")
    }

    /// The journal's projected and the venue's BTC/USDT position of acct-1.
    static func positions(_ harness: FaultyVenueHarness) async throws -> (ExactDecimal, ExactDecimal) {
        let journal = try await harness.database().read { db in
            try String.fetchOne(db, sql: "SELECT qty FROM positions WHERE account = 'acct-1' AND symbol = 'BTC/USDT'")
        }.flatMap(ExactDecimal.init) ?? .zero
        let venue = try await harness.venue.positions(account: "acct-1")["BTC/USDT"] ?? .zero
        return (journal, venue)
    }

    /// Orders the reconciler sent to settle a conflict.
    static func correctiveOrders(_ harness: FaultyVenueHarness) async throws -> Int {
        try await harness.database().read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders WHERE account = 'acct-1' AND client_order_id LIKE 'rs:%'") ?? 0
        }
    }
}
