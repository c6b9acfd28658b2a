import BusProtocol
import RiskService
import ServiceRuntime
import Synchronization
import Testing
import TradingModel

/// S2 and S4 in the engine, under the injected clock: the `margin_use` alert's threshold
/// and throttle, and the breaker and governor gauges on every transition and on replay.
@Suite("risk alerts and gauges")
struct RiskAlertsTests {
    /// Collects the engine's gauge samples; `latest` is what a scrape would show.
    final class GaugeSink: Sendable {
        private let samples = Mutex<[RiskGauge]>([])

        var record: @Sendable (RiskGauge) -> Void { { sample in self.samples.withLock { $0.append(sample) } } }

        /// The last value per series (`breaker|<scope>`, `governor|<account>`).
        var latest: [String: Int] {
            samples.withLock { list in
                var last: [String: Int] = [:]
                for sample in list {
                    switch sample {
                    case .breaker(let scope, _): last["breaker|\(scope)"] = sample.value
                    case .governor(let account, _): last["governor|\(account)"] = sample.value
                    }
                }
                return last
            }
        }
    }

    @Test("the alarm: above (not at) the threshold × equity, at most once per account per 30 s, accounts apart")
    func alarmThresholdAndThrottle() {
        var alarm = MarginUseAlarm(threshold: dec("0.85"))
        let second: Int64 = 1_000_000_000
        #expect(alarm.check(account: "acct-1", use: dec("85"), scenario: "s", equity: dec("100"), now: 0) == nil)
        let first = alarm.check(account: "acct-1", use: dec("85.01"), scenario: "s", equity: dec("100"), now: 0)
        #expect(first?.account == "acct-1" && first?.use == dec("85.01") && first?.threshold == dec("0.85"))
        #expect(first?.percent == dec("85"))
        #expect(alarm.check(account: "acct-1", use: dec("89"), scenario: "s", equity: dec("100"), now: 30 * second - 1) == nil)
        #expect(alarm.check(account: "acct-2", use: dec("89"), scenario: "s", equity: dec("100"), now: 1 * second) != nil)
        #expect(alarm.check(account: "acct-1", use: dec("89"), scenario: "s", equity: dec("100"), now: 30 * second) != nil)
        #expect(alarm.check(account: "acct-1", use: dec("89"), scenario: "s", equity: dec("100"), now: 31 * second) == nil)
        #expect(alarm.check(account: "acct-3", use: dec("1"), scenario: "s", equity: .zero, now: 0) == nil)
    }

    /// acct-1 with 100000 USDT, spot at 100 % margin, BTC at 50000 with a spread of 10:
    /// a buy of 1.7 BTC has a worst case of 1.7 × 51500 + 1.7 × 5 × 2 = 87567 (87.6 % of equity).
    private func marginHarness(alertUse: String = "0.85") async -> Harness {
        var configuration = Fixtures.configuration(["acct-1": ["USDT": dec("100000")]])
        configuration.margin.spotMarginRate = dec("1")
        configuration.margin.alertUse = dec(alertUse)
        let h = await Harness(configuration)
        await h.mark("BTC/USDT", "50000", spread: "10")
        return h
    }

    @Test("through the engine: an approved order above 85 % carries the alert (not refused), once per 30 s per account")
    func engineMarginAlert() async throws {
        let h = await marginHarness()
        let low = try await h.authorize(Fixtures.order("low", qty: "1"))  // 51510: 51.5 %
        #expect(low.marginAlert == nil)
        await h.close("low")
        let high = try await h.authorize(Fixtures.order("high-1", qty: "1.7"))
        let alert = try #require(high.marginAlert)
        #expect(high.qty == dec("1.7"))
        #expect(alert.account == "acct-1" && alert.use == dec("87567") && alert.equity == dec("100000"))
        #expect(alert.scenario == "price+0.03_spread×2" && alert.percent == dec("87.5"))
        await h.close("high-1")
        h.clock.advance(seconds: 10)
        let throttled = try await h.authorize(Fixtures.order("high-2", qty: "1.7"))
        #expect(throttled.marginAlert == nil)
        await h.close("high-2")
        h.clock.advance(seconds: 20)
        #expect(try await h.authorize(Fixtures.order("high-3", qty: "1.7")).marginAlert != nil)
    }

    @Test("the threshold is the configuration's (BW_RISK_MARGIN_ALERT_USE, default 0.85, a fraction)")
    func thresholdConfigured() async throws {
        #expect(try await marginHarness(alertUse: "0.88").authorize(Fixtures.order("a", qty: "1.7")).marginAlert == nil)
        #expect(try await marginHarness(alertUse: "0.87").authorize(Fixtures.order("a", qty: "1.7")).marginAlert != nil)
        #expect(try RiskConfiguration.read(Settings([:])).margin.alertUse == dec("0.85"))
        #expect(try RiskConfiguration.read(Settings(["BW_RISK_MARGIN_ALERT_USE": "0.8"])).margin.alertUse == dec("0.8"))
        #expect(throws: ConfigurationError.self) { try RiskConfiguration.read(Settings(["BW_RISK_MARGIN_ALERT_USE": "1.5"])) }
        #expect(throws: ConfigurationError.self) { try RiskConfiguration.read(Settings(["BW_RISK_MARGIN_ALERT_USE": "x"])) }
    }

    @Test("gauges: every scope at go-live, a trip and a governor step at once, the replayed state before go-live")
    func gaugesFollowTransitions() async throws {
        var configuration = Fixtures.configuration(["acct-1": ["USDT": dec("50000"), "BTC": dec("1")]])
        configuration.breaker.drawdown = dec("1")  // only the manual trip moves the breaker
        configuration.breaker.dailyLoss = dec("1")
        let sink = GaugeSink()
        let h = await Harness(configuration, gauges: sink.record)
        #expect(sink.latest == ["breaker|acct-1": 0, "breaker|*": 0, "governor|acct-1": 0])
        _ = try await h.trip("acct-1")
        #expect(sink.latest["breaker|acct-1"] == 3)  // open
        await h.mark("BTC/USDT", "50000")
        await h.evaluate()
        await h.mark("BTC/USDT", "39000")  // drawdown 11 %: SOFT_BRAKE
        await h.evaluate()
        #expect(sink.latest["governor|acct-1"] == 1)

        // A restarted service: the replay alone sets the gauges, go-live reports every scope.
        let replayed = GaugeSink()
        let restarted = RiskEngine(configuration: configuration, clock: h.clock.read, gauges: replayed.record)
        for record in h.journal { _ = await restarted.apply(record) }
        #expect(replayed.latest == ["breaker|acct-1": 3, "governor|acct-1": 1])
        await restarted.goLive()
        #expect(replayed.latest == ["breaker|acct-1": 3, "breaker|*": 0, "governor|acct-1": 1])

        _ = try await h.reset("acct-1")
        #expect(sink.latest["breaker|acct-1"] == 0)
    }
}
