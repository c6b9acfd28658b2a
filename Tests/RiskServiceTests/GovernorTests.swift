import BusProtocol
import RiskService
import Testing
import TradingModel

/// R4: thresholds, profit mode, hysteresis; and what each level does to an order.
@Suite("risk governor")
struct GovernorTests {
    static let minute: Int64 = 60_000_000_000

    @Test("each threshold escalates at once, straight to the level the drawdown calls for", arguments: [
        ("0.0999", GovernorTransition.Level.normal), ("0.10", .softBrake), ("0.15", .quarantine), ("0.20", .hardStop), ("0.5", .hardStop),
    ])
    func thresholds(drawdown: String, level: GovernorTransition.Level) {
        var g = Governor(account: "a", settings: Governor.Settings())
        let t = g.observe(drawdown: dec(drawdown), now: 1)
        #expect(g.level == level)
        #expect((t == nil) == (level == .normal))
    }

    @Test("hysteresis: down only below 5 % and after the dwell, one level at a time")
    func hysteresis() {
        var settings = Governor.Settings()
        settings.minDwellNanos = 5 * Self.minute
        var g = Governor(account: "a", settings: settings)
        _ = g.observe(drawdown: dec("0.16"), now: 0)
        #expect(g.level == .quarantine)
        #expect(g.observe(drawdown: dec("0.06"), now: 10 * Self.minute) == nil)  // not below 5 %
        #expect(g.observe(drawdown: dec("0.04"), now: 4 * Self.minute) == nil)  // dwell not over
        #expect(g.observe(drawdown: dec("0.04"), now: 5 * Self.minute)?.to == .softBrake)
        #expect(g.observe(drawdown: dec("0.04"), now: 6 * Self.minute) == nil)  // a new dwell
        #expect(g.observe(drawdown: dec("0.0"), now: 10 * Self.minute)?.to == .normal)
        #expect(g.transitions == 3)
    }

    @Test("profit mode: above capital × 1.05 the drawdown is measured from initial capital, not the day's high")
    func profitMode() {
        var curve = EquityCurve(initialCapital: dec("100000"))
        curve.observe(equity: dec("100000"), now: 0)
        curve.observe(equity: dec("130000"), now: 1)
        curve.observe(equity: dec("112000"), now: 2)  // 13.8 % below the day's high, but above 105000
        #expect(curve.inProfitMode(factor: dec("1.05")))
        #expect(curve.drawdown(profitFactor: dec("1.05")) == .zero)
        curve.observe(equity: dec("104000"), now: 3)  // out of profit mode: from the day's high (130000) it is 20 %
        #expect(!curve.inProfitMode(factor: dec("1.05")))
        #expect(curve.drawdown(profitFactor: dec("1.05")) == dec("0.2"))
    }

    @Test("the day starts at UTC midnight: open and high reset, daily P&L from the new open")
    func dayBoundary() {
        let day: Int64 = 86_400_000_000_000
        var curve = EquityCurve(initialCapital: nil)
        curve.observe(equity: dec("100"), now: 10 * day + 1)
        curve.observe(equity: dec("90"), now: 11 * day - 1)
        #expect(curve.dailyLoss == dec("0.1"))
        curve.observe(equity: dec("91"), now: 11 * day)
        #expect(curve.dayOpen == dec("91") && curve.dailyPnl == .zero && curve.initialCapital == dec("100"))
        #expect(EquityCurve.utcDay(-1) == -1)
    }

    @Test("through the engine: marks move equity, SOFT_BRAKE halves, QUARANTINE is reduce-only, HARD_STOP refuses; the fold replays")
    func levelsShapeOrders() async throws {
        var configuration = Fixtures.configuration(["acct-1": ["USDT": dec("50000"), "BTC": dec("1")]])
        configuration.breaker.drawdown = dec("1")  // keep the breaker out of the way
        configuration.breaker.dailyLoss = dec("1")
        let h = await Harness(configuration)
        await h.mark("BTC/USDT", "50000")
        await h.evaluate()  // equity 100000: the day's high
        await h.mark("BTC/USDT", "39000")  // equity 89000: 11 %
        await h.evaluate()
        #expect(await h.engine.currentFold().governors["acct-1"]?.level == .softBrake)
        let halved = try await h.authorize(Fixtures.order("half", qty: "0.10001", price: "39000"))
        #expect(halved.qty == dec("0.05"))  // half of 0.10001 rounded down to the 0.00001 lot
        do {
            try await h.authorize(Fixtures.order("one-lot", qty: "0.00001", price: "39000"))
            Issue.record("half a lot was approved")
        } catch {
            #expect(error.code == .governor && error.reason == "soft_brake_too_small")
        }
        await h.mark("BTC/USDT", "34000")  // equity 84000: 16 %
        await h.evaluate()
        #expect(await h.engine.currentFold().governors["acct-1"]?.level == .quarantine)
        do {
            try await h.authorize(Fixtures.order("buy", qty: "0.01", price: "34000"))
            Issue.record("QUARANTINE let a buy through")
        } catch {
            #expect(error.code == .governor && error.reason == "quarantine_reduce_only")
        }
        try await h.authorize(Fixtures.order("sell", side: .sell, qty: "0.5", price: "34000"))  // reduces BTC holdings
        await h.mark("BTC/USDT", "29000")  // equity 79000: 21 %
        await h.evaluate()
        #expect(await h.engine.currentFold().governors["acct-1"]?.level == .hardStop)
        do {
            try await h.authorize(Fixtures.order("any", side: .sell, qty: "0.01", price: "29000"))
            Issue.record("HARD_STOP let an order through")
        } catch {
            #expect(error.code == .governor && error.reason == "hard_stop")
        }
        // The open sell is still held: the kill switch is asked for again every 30 s, not at once.
        #expect(await h.engine.accountsToCancelAgain().isEmpty)
        h.clock.advance(seconds: 30)
        #expect(await h.engine.accountsToCancelAgain() == ["acct-1"])
        #expect(await h.engine.accountsToCancelAgain().isEmpty)
        let ids = h.journal.compactMap { if case .governorTransition = $0.fact.payload { $0.fact.id } else { nil } }
        #expect(ids == ["governor:acct-1:1", "governor:acct-1:2", "governor:acct-1:3"])
        #expect(h.replay().governors.mapValues(\.view) == (await h.engine.currentFold().governors.mapValues(\.view)))
    }
}
