import BusProtocol
import Foundation
import Testing
import TradingModel
import VenueKit
@testable import VenueSim

/// The paper venue's history window (`BW_VENUE_HISTORY_MINUTES`): ended orders and fills
/// are forgotten after it, working orders and balances never.
@Suite("venue history window")
struct HistoryWindowTests {
    static let second: Int64 = 1_000_000_000

    /// `count` filled market buys one second apart from `t0`, then a resting limit buy.
    static func traded(count: Int, window: Int64?) throws -> PaperExchange {
        var exchange = Fixtures.exchange()
        exchange.historyWindow = window
        for n in 0..<count {
            _ = try exchange.place(Fixtures.place("m-\(n)", qty: "0.0001"), now: Fixtures.t0 + Int64(n) * second)
        }
        _ = try exchange.place(Fixtures.place("resting", type: .limit, qty: "0.01", price: "1000"), now: Fixtures.t0)
        return exchange
    }

    @Test("orders that ended and fills older than the window are forgotten in batches; the working order, balances and positions stay")
    func forgetsEndedHistory() throws {
        let count = PaperExchange.forgetBatch + 10
        var exchange = try Self.traded(count: count, window: 60 * Self.second)
        let balances = exchange.balances(account: Fixtures.rich)
        let positions = exchange.positions(account: Fixtures.rich)
        #expect(positions["BTC/USDT"] == ExactDecimal("0.0266")!)
        let end = Fixtures.t0 + Int64(count - 1) * Self.second
        // Fewer than a batch old: nothing forgotten yet.
        _ = exchange.advanceMarket(now: Fixtures.t0 + 100 * Self.second)
        #expect(exchange.order(account: Fixtures.rich, clientOrderId: "m-0") != nil)
        // 260 orders ended more than 60 s ago: a batch, forgotten; the 6 recent ones stay.
        _ = exchange.advanceMarket(now: Fixtures.t0 + 320 * Self.second)
        let kept = (0..<count).filter { exchange.order(account: Fixtures.rich, clientOrderId: "m-\($0)") != nil }
        #expect(kept == Array(260..<count))
        #expect(exchange.fills(account: Fixtures.rich, afterTradeSeq: nil).map(\.clientOrderId) == kept.map { "m-\($0)" })
        #expect(exchange.order(account: Fixtures.rich, clientOrderId: "resting")?.status == .new)
        #expect(exchange.openOrders(account: Fixtures.rich).map(\.clientOrderId) == ["resting"])
        // Balances do not move with what is forgotten (the market steps moved no resting order).
        #expect(exchange.balances(account: Fixtures.rich) == balances)
        #expect(exchange.positions(account: Fixtures.rich) == positions)
        // At the end of the window everything that ended is gone (the rest is a partial batch, all old).
        _ = exchange.advanceMarket(now: end + 61 * Self.second)
        #expect(exchange.fills(account: Fixtures.rich, afterTradeSeq: nil).isEmpty)
        #expect(exchange.positions(account: Fixtures.rich) == positions)
        #expect(exchange.order(account: Fixtures.rich, clientOrderId: "m-\(count - 1)") == nil)
        #expect(exchange.order(account: Fixtures.rich, clientOrderId: "resting") != nil)
    }

    @Test("a forgotten client order id is a new order if placed again, as at Binance; no window keeps everything")
    func forgottenIdIsNew() throws {
        var forgetting = try Self.traded(count: 1, window: Self.second)
        _ = forgetting.advanceMarket(now: Fixtures.t0 + 10 * Self.second)
        #expect(forgetting.order(account: Fixtures.rich, clientOrderId: "m-0") == nil)
        let again = try forgetting.place(Fixtures.place("m-0", qty: "0.0001"), now: Fixtures.t0 + 11 * Self.second)
        #expect(again.venueOrderId != "V000000000001" && again.status == .filled)

        var keeping = try Self.traded(count: 1, window: nil)
        _ = keeping.advanceMarket(now: Fixtures.t0 + 1_000_000 * Self.second)
        #expect(keeping.order(account: Fixtures.rich, clientOrderId: "m-0")?.status == .filled)
        #expect(keeping.fills(account: Fixtures.rich, afterTradeSeq: nil).count == 1)
    }

    @Test("a book saved with a window keeps it, and forgets the same way after a restart")
    func windowSurvivesSnapshot() throws {
        var exchange = try Self.traded(count: 3, window: 2 * Self.second)
        let saved = try JSONEncoder().encode(exchange)
        var restored = try JSONDecoder().decode(PaperExchange.self, from: saved)
        #expect(restored.historyWindow == 2 * Self.second)
        _ = exchange.advanceMarket(now: Fixtures.t0 + 100 * Self.second)
        _ = restored.advanceMarket(now: Fixtures.t0 + 100 * Self.second)
        for exchangeAfter in [exchange, restored] {
            #expect(exchangeAfter.fills(account: Fixtures.rich, afterTradeSeq: nil).isEmpty)
            #expect(exchangeAfter.order(account: Fixtures.rich, clientOrderId: "m-2") == nil)
        }
    }
}
