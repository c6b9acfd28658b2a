import BusProtocol
import RiskService
import ServiceRuntime
import Testing
import TradingModel

/// The breaker's further dimensions: win rate, market conditions (volatility, spread),
/// system health (RSS, CPU) and exposure — pure values first, then through the engine.
@Suite("circuit breaker: win rate, market, system health, exposure")
struct BreakerTriggerTests {
    static let second: Int64 = 1_000_000_000

    @Test("win rate: below the threshold once the window holds the minimum; break-even trades do not count; the window slides")
    func winRate() {
        var settings = WinRateTrigger.Settings()
        settings.windowTrades = 5
        settings.minTrades = 4
        settings.minWinPercent = dec("40")
        var w = WinRateTrigger(settings: settings)
        for pnl in ["-1", "-1", "0", "1"] { w.record(realized: dec(pnl)) }
        #expect(!w.isTripped && w.winPercent == nil)  // 3 trades counted: below the minimum
        w.record(realized: dec("-1"))
        #expect(w.winPercent == dec("25") && w.isTripped)  // 1 win of 4
        for _ in 0..<2 { w.record(realized: dec("2")) }
        #expect(w.outcomes.count == 5 && w.winPercent == dec("60") && !w.isTripped)
        settings.minWinPercent = .zero
        var off = WinRateTrigger(settings: settings)
        for _ in 0..<5 { off.record(realized: dec("-1")) }
        #expect(!off.isTripped)
    }

    @Test("win rate trips the account breaker (low_win_rate) through the breaker, while losses are not consecutive")
    func winRateTripsBreaker() {
        var s = Breaker.Settings()
        s.consecutiveLosses = 100
        s.winRate.windowTrades = 10
        s.winRate.minTrades = 4
        s.winRate.minWinPercent = dec("50")
        var b = Breaker(scope: "acct-1", settings: s)
        #expect(b.recordTrade(realized: dec("-5"), inFlight: 0, now: 1) == nil)
        #expect(b.recordTrade(realized: dec("3"), inFlight: 0, now: 2) == nil)
        #expect(b.recordTrade(realized: dec("-5"), inFlight: 0, now: 3) == nil)
        #expect(b.recordTrade(realized: dec("-5"), inFlight: 0, now: 4)?.reason == "low_win_rate")
    }

    @Test("volatility: the mid's max − min range over the window in bps of the latest mid, exact; old quotes leave the window")
    func volatility() {
        var settings = MarketTrigger.Settings()
        settings.volatilityWindowNanos = 10 * Self.second
        settings.maxVolatilityBps = dec("200")
        settings.maxSpreadBps = .zero
        var m = MarketTrigger(settings: settings)
        m.record(symbol: "BTC/USDT", bid: dec("50000"), ask: dec("50000"), now: 0)
        m.record(symbol: "BTC/USDT", bid: dec("50900"), ask: dec("50900"), now: 5 * Self.second)
        #expect(m.volatilityBps("BTC/USDT", now: 5 * Self.second) == dec("176.817288801572"))  // 900 / 50900, rounded up
        #expect(m.alarm(now: 5 * Self.second) == nil)
        m.record(symbol: "BTC/USDT", bid: dec("51100"), ask: dec("51100"), now: 6 * Self.second)
        #expect(m.alarm(now: 6 * Self.second) == "market_volatility:BTC/USDT")  // 1100 / 51100 = 215 bps
        m.record(symbol: "BTC/USDT", bid: dec("51100"), ask: dec("51100"), now: 16 * Self.second)
        #expect(m.volatilityBps("BTC/USDT", now: 16 * Self.second) == dec("0"))  // 50000 and 50900 left the window
        #expect(m.alarm(now: 16 * Self.second) == nil)
        m.record(symbol: "BTC/USDT", bid: dec("10"), ask: dec("9"), now: 17 * Self.second)  // crossed: ignored
        #expect(m.volatilityBps("BTC/USDT", now: 17 * Self.second) == dec("0"))
    }

    @Test("spread: ask − bid in bps of the mid above the threshold trips (market_spread); 0 turns it off")
    func spread() {
        var settings = MarketTrigger.Settings()
        settings.maxSpreadBps = dec("10")
        var m = MarketTrigger(settings: settings)
        m.record(symbol: "ETH/USDT", bid: dec("2999"), ask: dec("3001"), now: 1)  // 2 / 3000 = 6.67 bps
        #expect(m.spreadBps("ETH/USDT") == dec("6.666666666667") && m.alarm(now: 1) == nil)
        m.record(symbol: "ETH/USDT", bid: dec("2990"), ask: dec("3010"), now: 2)  // 66.7 bps
        #expect(m.alarm(now: 2) == "market_spread:ETH/USDT")
        settings.maxSpreadBps = .zero
        var off = MarketTrigger(settings: settings)
        off.record(symbol: "ETH/USDT", bid: dec("2990"), ask: dec("3010"), now: 2)
        #expect(off.alarm(now: 2) == nil)
    }

    @Test("system health: RSS above the limit trips (memory_rss); CPU counts only once the samples span the window (cpu_usage)")
    func systemHealth() {
        var settings = SystemHealthTrigger.Settings()
        settings.maxRSSBytes = 1_000
        settings.maxCPUPercent = 80
        settings.cpuWindowNanos = 10 * Self.second
        var h = SystemHealthTrigger(settings: settings)
        h.record(.init(at: 0, cpuNanos: 0, rssBytes: 500))
        h.record(.init(at: 5 * Self.second, cpuNanos: 5 * Self.second, rssBytes: 500))  // 100 % for 5 s: the window is not covered
        #expect(h.cpuPercent == nil && h.alarm == nil)
        h.record(.init(at: 10 * Self.second, cpuNanos: 9 * Self.second, rssBytes: 500))
        #expect(h.cpuPercent == 90 && h.alarm == "cpu_usage")
        for i in 11...30 { h.record(.init(at: Int64(i) * Self.second, cpuNanos: 9 * Self.second + Int64(i - 10) * Self.second / 10, rssBytes: 500)) }
        #expect(h.cpuPercent == 10 && h.alarm == nil)  // the busy seconds left the window
        h.record(.init(at: 31 * Self.second, cpuNanos: 11 * Self.second, rssBytes: 1_001))
        #expect(h.alarm == "memory_rss")
    }

    @Test("exposure: gross above N × equity trips (gross_exposure); any gross against equity ≤ 0 does; no equity, no alarm")
    func exposure() {
        var e = ExposureTrigger()
        e.maxGrossToEquity = dec("3")
        #expect(e.alarm(gross: dec("300"), equity: dec("100")) == nil)
        #expect(e.alarm(gross: dec("300.01"), equity: dec("100")) == "gross_exposure")
        #expect(e.alarm(gross: dec("1"), equity: dec("-5")) == "gross_exposure")
        #expect(e.alarm(gross: dec("1000"), equity: nil) == nil)
        e.maxGrossToEquity = .zero
        #expect(e.alarm(gross: dec("1000"), equity: dec("1")) == nil)
    }

    @Test("through the engine: a wide spread trips the global breaker with its symbol; a process sample above the RSS limit does too")
    func throughTheEngine() async throws {
        var configuration = Fixtures.configuration(["acct-1": ["USDT": dec("1000"), "BTC": dec("1")]])
        configuration.market.maxSpreadBps = dec("50")
        configuration.exposure.maxGrossToEquity = dec("2")
        let h = await Harness(configuration)
        await h.mark("BTC/USDT", "50000", spread: "10")  // 2 bps; gross 50000 against equity 51000
        await h.evaluate()
        #expect(await h.engine.currentFold().breakers["*"]?.state == .closed)
        #expect(await h.engine.currentFold().breakers["acct-1"]?.state == .closed)
        await h.mark("BTC/USDT", "50000", spread: "500")  // 100 bps
        await h.evaluate()
        #expect(await h.engine.currentFold().breakers["*"]?.reason == "market_spread:BTC/USDT")
        #expect(h.replay().breakers["*"]?.reason == "market_spread:BTC/USDT")  // journaled with its reason
        _ = try await h.reset(nil)

        var health = Fixtures.configuration()
        health.health.maxRSSBytes = 1_000_000
        let hh = await Harness(health)
        await hh.engine.recordHealth(SystemHealthTrigger.Sample(at: hh.clock.now, cpuNanos: 0, rssBytes: 2_000_000))
        await hh.evaluate()
        #expect(hh.replay().breakers["*"]?.reason == "memory_rss")

    }

    @Test("gross exposure through the engine: a perpetual position grown past N × equity by a loss trips the account's breaker")
    func exposureThroughEngine() async throws {
        var configuration = Fixtures.configuration(["acct-1": ["USDT": dec("100000"), "BTC": dec("2")]])
        configuration.exposure.maxGrossToEquity = dec("1")
        let h = await Harness(configuration)
        await h.mark("BTC/USDT", "50000")  // gross 100000 against equity 200000: 0.5×
        await h.evaluate()
        #expect(await h.engine.currentFold().breakers["acct-1"]?.state == .closed)
        try await h.authorize(Fixtures.order("buy", qty: "1.5", price: "50000"))
        await h.fill("buy", side: .buy, qty: "1.5", price: "50000")  // 3.5 BTC = 175000 against equity ~199925
        await h.evaluate()
        #expect(await h.engine.currentFold().breakers["acct-1"]?.state == .closed)
        await h.mark("BTC/USDT", "70000")  // 245000 against 25000 + 245000: still below 1×
        await h.evaluate()
        #expect(await h.engine.currentFold().breakers["acct-1"]?.state == .closed)
        configuration.exposure.maxGrossToEquity = dec("0.8")
        let tight = await Harness(configuration)
        await tight.mark("BTC/USDT", "50000")
        try await tight.authorize(Fixtures.order("buy", qty: "1.5", price: "50000"))
        await tight.fill("buy", side: .buy, qty: "1.5", price: "50000")
        await tight.evaluate()  // 175000 > 0.8 × 199925
        #expect(tight.replay().breakers["acct-1"]?.reason == "gross_exposure")
    }

    @Test("the new settings: documented defaults, read from the environment, bad values refused")
    func settings() throws {
        let defaults = try RiskConfiguration.read(Settings([:]))
        #expect(defaults.breaker.winRate == WinRateTrigger.Settings())
        #expect(defaults.market == MarketTrigger.Settings() && defaults.health == SystemHealthTrigger.Settings())
        #expect(defaults.exposure == ExposureTrigger() && defaults.leasePingInterval == .seconds(5))
        let read = try RiskConfiguration.read(Settings([
            "BW_RISK_BREAKER_WIN_RATE_WINDOW": "30", "BW_RISK_BREAKER_WIN_RATE_MIN_TRADES": "12", "BW_RISK_BREAKER_WIN_RATE_PCT": "33.5",
            "BW_RISK_BREAKER_VOLATILITY_WINDOW_MS": "30000", "BW_RISK_BREAKER_VOLATILITY_BPS": "250", "BW_RISK_BREAKER_MAX_SPREAD_BPS": "0",
            "BW_RISK_BREAKER_MAX_RSS_MB": "512", "BW_RISK_BREAKER_MAX_CPU_PCT": "0", "BW_RISK_BREAKER_CPU_WINDOW_MS": "5000",
            "BW_RISK_BREAKER_MAX_EXPOSURE": "4.5", "BW_RISK_LEASE_PING_MS": "1000",
        ]))
        #expect(read.breaker.winRate.windowTrades == 30 && read.breaker.winRate.minTrades == 12 && read.breaker.winRate.minWinPercent == dec("33.5"))
        #expect(read.market.volatilityWindowNanos == 30 * Self.second && read.market.maxVolatilityBps == dec("250") && read.market.maxSpreadBps == .zero)
        #expect(read.health.maxRSSBytes == 512 * 1_048_576 && read.health.maxCPUPercent == 0 && read.health.cpuWindowNanos == 5 * Self.second)
        #expect(read.exposure.maxGrossToEquity == dec("4.5") && read.leasePingInterval == .seconds(1))
        for (key, bad) in [
            ("BW_RISK_BREAKER_WIN_RATE_PCT", "101"), ("BW_RISK_BREAKER_WIN_RATE_MIN_TRADES", "21"), ("BW_RISK_BREAKER_VOLATILITY_BPS", "-1"),
            ("BW_RISK_BREAKER_MAX_SPREAD_BPS", "wide"), ("BW_RISK_BREAKER_MAX_EXPOSURE", "-2"), ("BW_RISK_BREAKER_MAX_CPU_PCT", "-1"),
        ] {
            #expect(throws: ConfigurationError.self, "\(key)=\(bad)") { try RiskConfiguration.read(Settings([key: bad])) }
        }
    }
}
