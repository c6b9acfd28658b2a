import BusProtocol
import RiskService
import Testing
import TradingModel

/// R2/R3: every trigger trips; DRAINING, OPEN, HALF_OPEN probes; manual trip/reset — on an injected clock.
@Suite("circuit breaker")
struct BreakerTests {
    static func settings() -> Breaker.Settings {
        var s = Breaker.Settings()
        s.consecutiveVenueErrors = 3
        s.errorRateMinSamples = 10
        s.errorRatePercent = 50
        s.consecutiveLosses = 2
        s.coolDownNanos = 60_000_000_000
        s.probeOrders = 2
        s.probeSuccesses = 2
        return s
    }

    @Test("consecutive venue errors trip it; an ok in between starts the count again")
    func consecutiveErrors() {
        var b = Breaker(scope: "a", settings: Self.settings())
        #expect(b.recordVenueOutcome(failed: true, inFlight: 0, now: 1) == nil)
        #expect(b.recordVenueOutcome(failed: false, inFlight: 0, now: 2) == nil)
        #expect(b.recordVenueOutcome(failed: true, inFlight: 0, now: 3) == nil)
        #expect(b.recordVenueOutcome(failed: true, inFlight: 0, now: 4) == nil)
        let t = b.recordVenueOutcome(failed: true, inFlight: 0, now: 5)
        #expect(t == BreakerTransition(number: 1, from: .closed, to: .open, reason: "consecutive_venue_errors", at: 5))
        #expect(b.state == .open)
    }

    @Test("the error rate in the window trips it, and old outcomes leave the window")
    func errorRate() {
        var s = Self.settings()
        s.consecutiveVenueErrors = 100
        s.errorRateWindowNanos = 1_000
        var b = Breaker(scope: "a", settings: s)
        for i in 0..<8 { _ = b.recordVenueOutcome(failed: i % 2 == 0, inFlight: 0, now: Int64(i)) }
        // 4 of 8 failed, but fewer than 10 samples: no trip.
        #expect(b.state == .closed)
        // Much later: the window emptied; 9 more with 4 failures stays below 50 % of 10 … then one more failure trips.
        for i in 0..<9 { _ = b.recordVenueOutcome(failed: i < 4, inFlight: 0, now: 10_000 + Int64(i)) }
        #expect(b.state == .closed)
        let t = b.recordVenueOutcome(failed: true, inFlight: 0, now: 10_010)
        #expect(t?.reason == "venue_error_rate")
    }

    @Test("consecutive losing trades, daily loss, drawdown and stale market data each trip it")
    func thresholdTriggers() {
        var losses = Breaker(scope: "a", settings: Self.settings())
        #expect(losses.recordTrade(realized: dec("-1"), inFlight: 0, now: 1) == nil)
        #expect(losses.recordTrade(realized: dec("-1"), inFlight: 0, now: 2)?.reason == "consecutive_losing_trades")

        var daily = Breaker(scope: "a", settings: Self.settings())
        #expect(daily.observe(dailyLoss: dec("0.149"), drawdown: nil, marketDataStale: false, inFlight: 0, now: 1) == nil)
        #expect(daily.observe(dailyLoss: dec("0.15"), drawdown: nil, marketDataStale: false, inFlight: 0, now: 2)?.reason == "daily_loss")

        var drawdown = Breaker(scope: "a", settings: Self.settings())
        #expect(drawdown.observe(dailyLoss: nil, drawdown: dec("0.10"), marketDataStale: false, inFlight: 0, now: 1)?.reason == "drawdown")

        var stale = Breaker(scope: "*", settings: Self.settings())
        #expect(stale.observe(dailyLoss: nil, drawdown: nil, marketDataStale: true, inFlight: 0, now: 1)?.reason == "stale_market_data")
    }

    @Test("a venue's IP ban (venue_ip_banned) trips the global breaker at once: every account's orders are refused; other errors only count")
    func ipBanTripsTheGlobalBreaker() async throws {
        var configuration = Fixtures.configuration()
        configuration.breaker = Self.settings()
        let h = await Harness(configuration)
        try await h.outcome("timed-out", .transient, reason: "venue_outcome_unknown")
        #expect(await h.engine.currentFold().breakers[BreakerTransition.globalScope]?.state == .closed)
        try await h.outcome("banned", .transient, reason: VenueOutcome.ipBannedReason)
        let global = await h.engine.currentFold().breakers[BreakerTransition.globalScope]
        #expect(global?.state == .open && global?.reason == VenueOutcome.ipBannedReason)
        // One failure is no trip of the account's own breaker.
        #expect(await h.engine.currentFold().breakers["acct-1"]?.state == .closed)
        do {
            try await h.authorize(Fixtures.order("during-ban", qty: "0.01"))
            Issue.record("an order was authorized during the venue's ban")
        } catch {
            #expect(error.code == .breakerOpen)
        }
    }

    @Test("a trip with orders in flight drains: new orders refused, in-flight ones finish, then OPEN")
    func drainingThenOpen() async throws {
        var configuration = Fixtures.configuration()
        configuration.breaker = Self.settings()
        let h = await Harness(configuration)
        try await h.authorize(Fixtures.order("in-flight", qty: "0.1"))
        let view = try await h.trip("acct-1", reason: "drill")
        #expect(view.state == .draining)
        do {
            try await h.authorize(Fixtures.order("new", qty: "0.1"))
            Issue.record("DRAINING let a new order through")
        } catch {
            #expect(error.code == .breakerOpen && error.reason == "breaker_draining")
        }
        await h.evaluate()
        #expect(await h.engine.currentFold().breakers["acct-1"]?.state == .draining)
        await h.accept("in-flight")  // the venue answered: nothing in flight any more
        await h.evaluate()
        #expect(await h.engine.currentFold().breakers["acct-1"]?.state == .open)
        #expect(await h.engine.currentFold().breakers["acct-1"]?.reason == "drained")
    }

    @Test("after the cool-down HALF_OPEN lets probes through: enough successes close it, one failure re-opens it")
    func halfOpenProbes() async throws {
        var configuration = Fixtures.configuration()
        configuration.breaker = Self.settings()
        let h = await Harness(configuration)
        _ = try await h.trip("acct-1")
        h.clock.advance(seconds: 59)
        await h.evaluate()
        #expect(await h.engine.currentFold().breakers["acct-1"]?.state == .open)
        h.clock.advance(seconds: 1)
        await h.evaluate()
        #expect(await h.engine.currentFold().breakers["acct-1"]?.state == .halfOpen)
        try await h.authorize(Fixtures.order("p1", qty: "0.01"))
        try await h.authorize(Fixtures.order("p2", qty: "0.01"))
        do {
            try await h.authorize(Fixtures.order("p3", qty: "0.01"))
            Issue.record("a third probe passed")
        } catch {
            #expect(error.code == .breakerOpen && error.reason == "breaker_probes_in_flight")
        }
        try await h.outcome("p1", .transient)
        #expect(await h.engine.currentFold().breakers["acct-1"]?.state == .open)
        #expect(await h.engine.currentFold().breakers["acct-1"]?.reason == "probe_failed")

        h.clock.advance(seconds: 60)
        await h.evaluate()
        try await h.authorize(Fixtures.order("p4", qty: "0.01"))
        try await h.authorize(Fixtures.order("p5", qty: "0.01"))
        try await h.outcome("p4", .ok)
        #expect(await h.engine.currentFold().breakers["acct-1"]?.state == .halfOpen)
        try await h.outcome("p5", .ok)
        #expect(await h.engine.currentFold().breakers["acct-1"]?.state == .closed)
        #expect(await h.engine.currentFold().breakers["acct-1"]?.reason == "probes_succeeded")
    }

    @Test("manual trip and reset, per account and global; the journal rebuilds the same breakers")
    func manualTripReset() async throws {
        let h = await Harness()
        #expect(try await h.trip(nil, reason: "ops").state == .open)
        do {
            try await h.authorize(Fixtures.order("g", account: "acct-1", qty: "0.01"))
            Issue.record("the global breaker let an order through")
        } catch {
            #expect(error.code == .breakerOpen)
        }
        #expect(try await h.reset(nil).state == .closed)
        #expect(try await h.trip("acct-1", reason: "ops").reason == "manual_trip:ops")
        #expect(try await h.reset("acct-1").reason == "manual_reset")
        try await h.authorize(Fixtures.order("after", qty: "0.01"))
        // The transitions were journaled with deterministic ids, in order.
        let ids = h.journal.compactMap { if case .breakerTransition = $0.fact.payload { $0.fact.id } else { nil } }
        #expect(ids == ["breaker:*:1", "breaker:*:2", "breaker:acct-1:1", "breaker:acct-1:2"])
        let replayed = h.replay()
        let live = await h.engine.currentFold()
        #expect(replayed.breakers.mapValues(\.view) == live.breakers.mapValues(\.view))
        do {
            _ = try await h.trip("nobody")
            Issue.record("unknown account tripped")
        } catch {
            #expect(error.code == .unknownAccount)
        }
    }

    @Test("losing trades from fills trip the account breaker through the engine")
    func losingTradesThroughEngine() async throws {
        var configuration = Fixtures.configuration(["acct-1": ["USDT": dec("100000"), "BTC": dec("1")]])
        configuration.breaker = Self.settings()
        let h = await Harness(configuration)
        try await h.authorize(Fixtures.order("b", qty: "0.2", price: "50000"))
        await h.fill("b", side: .buy, qty: "0.2", price: "50000")
        try await h.authorize(Fixtures.order("s1", side: .sell, qty: "0.1", price: "49000"))
        await h.fill("s1", side: .sell, qty: "0.1", price: "49000")
        #expect(await h.engine.currentFold().breakers["acct-1"]?.state == .closed)
        try await h.authorize(Fixtures.order("s2", side: .sell, qty: "0.1", price: "49000"))
        await h.fill("s2", side: .sell, qty: "0.1", price: "49000")
        #expect(await h.engine.currentFold().breakers["acct-1"]?.reason == "consecutive_losing_trades")
    }
    @Test("through the engine: stale marks trip the global breaker, a drawdown of the account's equity trips its breaker")
    func staleAndDrawdownThroughEngine() async throws {
        var configuration = Fixtures.configuration(["acct-1": ["USDT": dec("50000"), "BTC": dec("1")]])
        configuration.governor.softBrake = dec("0.5")  // keep the governor out of the way
        configuration.governor.quarantine = dec("0.6")
        configuration.governor.hardStop = dec("0.7")
        let h = await Harness(configuration)
        await h.mark("BTC/USDT", "50000")
        await h.evaluate()  // equity 100000: the day's high
        h.clock.advance(seconds: 10)
        await h.evaluate()
        #expect(await h.engine.currentFold().breakers["*"]?.state == .closed)  // 10 s old is not stale yet
        h.clock.advance(nanos: 1)
        await h.evaluate()
        #expect(await h.engine.currentFold().breakers["*"]?.reason == "stale_market_data")
        await h.mark("BTC/USDT", "40000")  // equity 90000: 10 % below the high
        await h.evaluate()
        let account = try #require(await h.engine.currentFold().breakers["acct-1"])
        #expect(account.state == .open && account.reason == "drawdown")
    }

    @Test("through the engine: the day's loss trips the breaker (the drawdown threshold set out of reach)")
    func dailyLossThroughEngine() async throws {
        var configuration = Fixtures.configuration(["acct-1": ["USDT": dec("50000"), "BTC": dec("1")]])
        configuration.breaker.drawdown = dec("1")
        configuration.governor.softBrake = dec("0.5")
        configuration.governor.quarantine = dec("0.6")
        configuration.governor.hardStop = dec("0.7")
        let h = await Harness(configuration)
        await h.mark("BTC/USDT", "50000")
        await h.evaluate()
        await h.mark("BTC/USDT", "36000")  // equity 86000: down 14 % on the day
        await h.evaluate()
        #expect(await h.engine.currentFold().breakers["acct-1"]?.state == .closed)
        await h.mark("BTC/USDT", "35000")  // 15 %
        await h.evaluate()
        #expect(await h.engine.currentFold().breakers["acct-1"]?.reason == "daily_loss")
    }
}
