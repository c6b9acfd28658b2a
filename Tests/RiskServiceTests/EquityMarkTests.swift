import BusProtocol
import RiskService
import Testing
import TradingModel

/// The day's open and high, and initial capital, survive a restart through journaled equity marks.
@Suite("equity baselines across a restart")
struct EquityMarkTests {
    static let day: Int64 = 86_400_000_000_000

    @Test("restore: a later day replaces the baselines, the same day keeps the higher high, an earlier day is ignored")
    func restoreRules() {
        var curve = EquityCurve(initialCapital: nil)
        curve.restore(EquityMark(day: 10, open: dec("100"), high: dec("120"), initialCapital: dec("90"), at: 1))
        #expect(curve.day == 10 && curve.dayOpen == dec("100") && curve.dayHigh == dec("120") && curve.initialCapital == dec("90"))
        curve.restore(EquityMark(day: 10, open: dec("100"), high: dec("110"), initialCapital: dec("90"), at: 2))
        #expect(curve.dayHigh == dec("120"))
        curve.restore(EquityMark(day: 9, open: dec("1"), high: dec("500"), initialCapital: dec("90"), at: 3))
        #expect(curve.day == 10 && curve.dayHigh == dec("120"))
        curve.restore(EquityMark(day: 11, open: dec("115"), high: dec("118"), initialCapital: dec("90"), at: 4))
        #expect(curve.day == 11 && curve.dayOpen == dec("115") && curve.dayHigh == dec("118"))
        var configured = EquityCurve(initialCapital: dec("1000"))
        configured.restore(EquityMark(day: 11, open: dec("115"), high: dec("118"), initialCapital: dec("90"), at: 4))
        #expect(configured.initialCapital == dec("1000"))
        // A valuation after the restore continues the restored day.
        curve.observe(equity: dec("100"), now: 11 * Self.day + 5)
        #expect(curve.dayHigh == dec("118") && curve.dailyLoss == ExactDecimal(100 - 115).abs.divided(by: dec("115"), rounding: .up))
    }

    @Test("a restarted engine measures drawdown from the journaled high: the governor keeps its level and the day's loss its base")
    func restartKeepsTheBaselines() async throws {
        var configuration = Fixtures.configuration(["acct-1": ["USDT": dec("50000"), "BTC": dec("1")]])
        configuration.breaker.drawdown = dec("1")
        configuration.breaker.dailyLoss = dec("1")
        let h = await Harness(configuration)
        await h.mark("BTC/USDT", "50000")
        await h.evaluate()  // equity 100000: the day's open and high
        await h.mark("BTC/USDT", "38000")  // equity 88000: 12 % below the high
        await h.evaluate()
        #expect(await h.engine.currentFold().governors["acct-1"]?.level == .softBrake)
        let marks = h.journal.filter { if case .equityMark = $0.fact.payload { true } else { false } }
        #expect(marks.count == 1)  // the high never moved after the first valuation

        // The restart: a new engine folds the journal, then values the same market.
        let restarted = RiskEngine(configuration: configuration, clock: h.clock.read)
        for record in h.journal { _ = await restarted.apply(record) }
        await restarted.goLive()
        await restarted.updateMark(symbol: "BTC/USDT", bid: dec("38000"), ask: dec("38000"))
        _ = await restarted.evaluate()
        let pnl = try #require(try await restarted.show(account: "acct-1").pnl)
        #expect(pnl.dayHigh == dec("100000") && pnl.dayOpen == dec("100000"))
        #expect(pnl.drawdown == dec("0.12"))
        #expect(await restarted.currentFold().governors["acct-1"]?.level == .softBrake)
    }

    @Test("new highs are journaled at most once a second; a new day at once")
    func marksAreThrottled() async throws {
        let h = await Harness(Fixtures.configuration(["acct-1": ["USDT": dec("50000"), "BTC": dec("1")]]))
        func marks() -> [EquityMark] {
            h.journal.compactMap { if case .equityMark(let m) = $0.fact.payload { m } else { nil } }
        }
        await h.mark("BTC/USDT", "50000")
        await h.evaluate()
        for price in ["50100", "50200", "50300"] {
            h.clock.advance(nanos: 250_000_000)
            await h.mark("BTC/USDT", price)
            await h.evaluate()
        }
        #expect(marks().map(\.high) == [dec("100000")])
        h.clock.advance(nanos: 250_000_000)  // a second after the first mark
        await h.evaluate()
        #expect(marks().map(\.high) == [dec("100000"), dec("100300")])
        h.clock.advance(seconds: 86_400)  // the next UTC day: a new open at once
        await h.evaluate()
        #expect(marks().count == 3 && marks().last?.open == dec("100300") && marks().last?.day == marks().first!.day + 1)
    }
}
