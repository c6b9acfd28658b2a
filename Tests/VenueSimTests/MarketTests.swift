import BusProtocol
import Testing
import TradingModel
import VenueKit
import VenueSim

/// The seeded market: resting orders, fills on market moves, cancels, determinism.
@Suite struct MarketTests {
    /// Steps the market until `clientOrderId` fills (nil if not within `maxSteps`),
    /// checking at every step that the order fills exactly when BTC's touch reaches it.
    static func stepUntilFilled(
        _ exchange: inout PaperExchange, clientOrderId: String, maxSteps: Int = 10_000,
        touched: (VenueTick) -> Bool
    ) -> (now: Int64, result: PaperExchange.MarketStep)? {
        for step in 1...maxSteps {
            let now = Fixtures.t0 + Int64(step) * 1_000_000
            let result = exchange.advanceMarket(now: now)
            let filled = exchange.order(account: Fixtures.rich, clientOrderId: clientOrderId)?.status == .filled
            guard let btc = result.ticks.first(where: { $0.symbol == "BTC/USDT" }) else { return nil }
            #expect(touched(btc) == filled, "step \(step): \(btc)")
            if filled { return (now, result) }
        }
        return nil
    }

    @Test("a market trend (the market_trend_bps fault) moves every mid by its basis points per step, on the tick grid; a resting buy fills in the crash")
    func marketTrendCrashesTheMarket() throws {
        var exchange = Fixtures.exchange(seed: 3)
        _ = try exchange.place(Fixtures.place("low", type: .limit, qty: "0.01", price: "40000", tif: .gtc), now: Fixtures.t0)
        var mids: [Price] = []
        for step in 1...50 {
            let ticks = exchange.advanceMarket(now: Fixtures.t0 + Int64(step), trendBps: -100).ticks
            let btc = try #require(ticks.first { $0.symbol == "BTC/USDT" })
            #expect(btc.bid.rounded(toIncrement: dec("0.01"), .halfEven) == btc.bid)
            mids.append(btc.bid)
        }
        // 50000 × 0.99^50 ≈ 30250, give or take the walk's 3 ticks a step.
        let last = try #require(mids.last)
        #expect(last > dec("30000") && last < dec("30500"), "\(last)")
        #expect(zip(mids, mids.dropFirst()).allSatisfy { $1 < $0 })  // 1 % a step outweighs the walk
        let low = try #require(exchange.order(account: Fixtures.rich, clientOrderId: "low"))
        #expect(low.status == .filled && low.fills.first?.price == dec("40000"))
        // The rally back: the same trend the other way.
        for step in 51...100 { _ = exchange.advanceMarket(now: Fixtures.t0 + Int64(step), trendBps: 100) }
        let back = try #require(exchange.quote(symbol: "BTC/USDT"))
        #expect(back.bid > dec("49000") && back.bid < dec("50500"), "\(back.bid)")
    }

    @Test func gtcBuyRestsWithFundsLockedThenFillsAtItsLimitWhenTheMarketComesDown() throws {
        var exchange = Fixtures.exchange(seed: 8)
        let resting = try exchange.place(
            Fixtures.place("g1", type: .limit, qty: "0.01", price: "49999.9"), now: Fixtures.t0)
        #expect(resting.status == .new)
        #expect(resting.fills.isEmpty)
        #expect(exchange.openOrders(account: Fixtures.rich) == [resting])
        // Locked: 499.999 notional + 0.499999 fee; the total is untouched until a fill.
        #expect(exchange.availableBalances(account: Fixtures.rich)["USDT"] == dec("99499.501001"))
        #expect(exchange.balances(account: Fixtures.rich) == Fixtures.richStart)

        let found = Self.stepUntilFilled(&exchange, clientOrderId: "g1") { $0.ask <= dec("49999.9") }
        let (now, result) = try #require(found, "seed 8: never filled")
        let filled = try #require(exchange.order(account: Fixtures.rich, clientOrderId: "g1"))
        let fill = try #require(filled.fills.first)
        #expect(fill.price == dec("49999.9"))
        #expect(fill.fee == dec("0.499999"))
        #expect(fill.ts == now)
        #expect(result.fills == [fill])
        #expect(result.updates == [filled])
        #expect(result.ticks.count == 2)
        #expect(result.ticks.first { $0.symbol == "BTC/USDT" }?.last == dec("49999.9"))
        #expect(exchange.openOrders(account: Fixtures.rich).isEmpty)
        let expected = ["USDT": dec("99499.501001"), "BTC": dec("1.01"), "ETH": dec("10")]
        #expect(exchange.balances(account: Fixtures.rich) == expected)
        #expect(exchange.availableBalances(account: Fixtures.rich) == expected)
    }

    @Test func gtcSellRestsWithBaseLockedThenFillsWhenTheMarketGoesUp() throws {
        var exchange = Fixtures.exchange(seed: 10)
        let resting = try exchange.place(
            Fixtures.place("g2", side: .sell, type: .limit, qty: "0.5", price: "50000.1"), now: Fixtures.t0)
        #expect(resting.status == .new)
        #expect(exchange.availableBalances(account: Fixtures.rich)["BTC"] == dec("0.5"))
        // The locked base cannot be sold twice.
        let second = try exchange.place(Fixtures.place("g3", side: .sell, qty: "0.6"), now: Fixtures.t0)
        #expect(second.status == .rejected)

        let found = Self.stepUntilFilled(&exchange, clientOrderId: "g2") { $0.bid >= dec("50000.1") }
        _ = try #require(found, "seed 10: never filled")
        // + 25000.05 notional − 25.00005 fee.
        #expect(exchange.balances(account: Fixtures.rich)["USDT"] == dec("124975.04995"))
        #expect(exchange.balances(account: Fixtures.rich)["BTC"] == dec("0.5"))
    }

    @Test func cancelReleasesTheLockAndIsIdempotent() throws {
        var exchange = Fixtures.exchange()
        _ = try exchange.place(Fixtures.place("c1", type: .limit, qty: "0.01", price: "40000"), now: Fixtures.t0)
        let canceled = try exchange.cancel(account: Fixtures.rich, clientOrderId: "c1", now: Fixtures.t0 + 1)
        #expect(canceled.status == .canceled)
        #expect(canceled.reason == "canceled_by_client")
        #expect(exchange.openOrders(account: Fixtures.rich).isEmpty)
        #expect(exchange.availableBalances(account: Fixtures.rich) == Fixtures.richStart)
        #expect(try exchange.cancel(account: Fixtures.rich, clientOrderId: "c1", now: Fixtures.t0 + 2) == canceled)
        #expect(exchange.order(account: Fixtures.rich, clientOrderId: "c1") == canceled)
        // A canceled order never fills, however far the market moves.
        for step in 1...2_000 { _ = exchange.advanceMarket(now: Fixtures.t0 + Int64(step)) }
        #expect(exchange.order(account: Fixtures.rich, clientOrderId: "c1") == canceled)
    }

    @Test func cancelOfAFilledOrderReturnsItUnchanged() throws {
        var exchange = Fixtures.exchange()
        let filled = try exchange.place(Fixtures.place("m1", qty: "0.01"), now: Fixtures.t0)
        #expect(try exchange.cancel(account: Fixtures.rich, clientOrderId: "m1", now: Fixtures.t0) == filled)
    }

    @Test func cancelOfAnUnknownOrderIsNotFound() {
        var exchange = Fixtures.exchange()
        expectServiceError(.notFound, reason: "order_not_found") { () throws(ServiceError) in
            _ = try exchange.cancel(account: Fixtures.rich, clientOrderId: "nope", now: Fixtures.t0)
        }
    }

    @Test func fillsPageByTradeSeqPerAccount() throws {
        var exchange = PaperExchange(
            instruments: PaperExchange.defaultInstruments(), startingPrices: PaperExchange.defaultStartingPrices(),
            accounts: ["a": Fixtures.richStart, "b": Fixtures.richStart], spreadTicks: 2, seed: 3)
        for index in 1...5 {
            _ = try exchange.place(Fixtures.place("r\(index)", account: "a", qty: "0.0001"), now: Fixtures.t0)
            // Another account's trade in between: trade seqs are venue-wide, fills per account.
            _ = try exchange.place(
                Fixtures.place("r\(index)", account: "b", symbol: "ETH/USDT", qty: "0.0017"), now: Fixtures.t0)
        }
        let all = exchange.fills(account: "a", afterTradeSeq: nil)
        #expect(all.map(\.clientOrderId) == ["r1", "r2", "r3", "r4", "r5"])
        #expect(all.map(\.tradeSeq) == [1, 3, 5, 7, 9])
        #expect(all.map(\.tradeId) == ["T000000000001", "T000000000003", "T000000000005", "T000000000007", "T000000000009"])
        #expect(exchange.fills(account: "b", afterTradeSeq: nil).map(\.tradeSeq) == [2, 4, 6, 8, 10])
        #expect(exchange.fills(account: "a", afterTradeSeq: 3).map(\.tradeSeq) == [5, 7, 9])
        #expect(exchange.fills(account: "a", afterTradeSeq: 4).map(\.tradeSeq) == [5, 7, 9])
        #expect(exchange.fills(account: "a", afterTradeSeq: 9).isEmpty)
        #expect(exchange.fills(account: "a", afterTradeSeq: 0) == all)
        // Paging with a limit walks every fill exactly once.
        var paged: [VenueFill] = []
        var cursor: Int64?
        for _ in 0..<10 {
            let page = exchange.fills(account: "a", afterTradeSeq: cursor, limit: 2)
            if page.isEmpty { break }
            #expect(page.count <= 2)
            paged += page
            cursor = page.last?.tradeSeq
        }
        #expect(paged == all)
    }

    @Test func sameSeedGivesTheSameMarketAndAnotherSeedAnother() {
        /// 500 steps of ticks from a fresh exchange with `seed`.
        func ticks(seed: UInt64) -> [VenueTick] {
            var exchange = Fixtures.exchange(seed: seed)
            return (1...500).flatMap { exchange.advanceMarket(now: Fixtures.t0 + Int64($0)).ticks }
        }
        let first = ticks(seed: 2024)
        #expect(first.count == 1_000)
        #expect(first == ticks(seed: 2024))
        #expect(first != ticks(seed: 2025))
        for tick in first {
            #expect(tick.bid.isPositive && tick.ask - tick.bid == dec("0.02"))
            #expect(tick.bid.isMultiple(of: dec("0.01")))
        }
    }

    @Test func splitMix64MatchesTheReferenceSequence() {
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(rng.next() == 0x06C4_5D18_8009_454F)
        var bounded = SplitMix64(seed: 99)
        #expect((0..<1_000).allSatisfy { _ in (-3...3).contains(bounded.next(in: -3...3)) })
    }

    @Test func bidNeverGoesBelowOneTick() throws {
        var exchange = PaperExchange(
            instruments: PaperExchange.defaultInstruments(),
            startingPrices: ["BTC/USDT": dec("0.02"), "ETH/USDT": dec("0.01")],
            accounts: [:], spreadTicks: 3, seed: 5)
        for step in 1...2_000 {
            for tick in exchange.advanceMarket(now: Int64(step)).ticks {
                #expect(tick.bid >= dec("0.01"))
                #expect(tick.ask - tick.bid == dec("0.03"))
            }
        }
    }
}
