import TradingModel

/// One circuit breaker (R2, R3): an account's, or the global one.
///
/// A pure value: every method takes `now` (unix nanoseconds) from the caller's injected
/// clock, and every state change is returned as a `BreakerTransition` for the caller
/// to journal. The journaled part (state, reason, since, transition count) is rebuilt
/// from the facts by `apply`; the trigger counters are soft and start at zero after a
/// restart. With replicas the journal has the last word (`TransitionLog`): a transition
/// decided here is in effect at once, and replaced by the journal's of the same number.
public struct Breaker: Sendable, Equatable {
    /// The breaker's states (closed, draining, open, half_open).
    public typealias State = BreakerTransition.State

    /// Trip thresholds and timings (docs/configuration.md, `BW_RISK_BREAKER_*`).
    public struct Settings: Sendable, Equatable {
        /// Venue errors in a row that trip it.
        public var consecutiveVenueErrors = 5
        /// The sliding window of the venue error rate, nanoseconds.
        public var errorRateWindowNanos: Int64 = 60_000_000_000
        /// The error rate (percent of outcomes in the window) that trips it.
        public var errorRatePercent = 50
        /// Outcomes the window must hold before the rate counts.
        public var errorRateMinSamples = 10
        /// Losing trades (reducing fills with negative realized P&L) in a row that trip it.
        public var consecutiveLosses = 5
        /// Daily loss (fraction of the day's opening equity) that trips it.
        public var dailyLoss = ExactDecimal(units: 150_000_000_000)
        /// Drawdown (fraction) that trips it.
        public var drawdown = ExactDecimal(units: 100_000_000_000)
        /// Market data older than this trips the global breaker, nanoseconds.
        public var staleMarketDataNanos: Int64 = 10_000_000_000
        /// OPEN → HALF_OPEN after this, nanoseconds.
        public var coolDownNanos: Int64 = 60_000_000_000
        /// Orders HALF_OPEN lets through.
        public var probeOrders = 3
        /// Successful probe outcomes that close it.
        public var probeSuccesses = 2
        /// DRAINING becomes OPEN after this even with orders still in flight, nanoseconds.
        public var drainTimeoutNanos: Int64 = 30_000_000_000
        /// The bound of the error-rate window (oldest samples are dropped beyond it).
        public var maxWindowSamples = 10_000
        /// The win rate over the latest trades.
        public var winRate = WinRateTrigger.Settings()

        /// The defaults of FEATURES.md R3.
        public init() {}
    }

    /// What the breaker says about one new order.
    public enum Admission: Sendable, Equatable {
        case pass
        /// HALF_OPEN: this order is one of the probes.
        case probe
        case refuse(reason: String)
    }

    /// The account, or `*` for the global breaker.
    public let scope: String
    /// Its thresholds and timings.
    public let settings: Settings
    /// The current state.
    public private(set) var state: State = .closed
    /// The reason of the last transition.
    public private(set) var reason = "none"
    /// When the state was entered, unix nanoseconds.
    public private(set) var since: Int64 = 0
    /// How many transitions it has had (the journal's count).
    public private(set) var transitions: Int64 = 0
    private(set) var consecutiveErrors = 0
    private(set) var samples = OutcomeWindow()
    private(set) var consecutiveLosses = 0
    private(set) var probesAdmitted = 0
    private(set) var probeSuccesses = 0
    private(set) var winRate: WinRateTrigger
    /// The journal's last transition and the ones decided here that it has not echoed yet.
    public private(set) var log = TransitionLog<BreakerTransition>()

    /// A closed breaker for `scope` (an account, or `BreakerTransition.globalScope`).
    public init(scope: String, settings: Settings) {
        self.scope = scope
        self.settings = settings
        winRate = WinRateTrigger(settings: settings.winRate)
    }

    /// The journaled part, for comparing folds.
    public var view: BreakerView {
        BreakerView(scope: scope, state: state, reason: reason, since: since, transitions: transitions)
    }

    /// Whether a new order would pass, without taking a probe slot.
    public func peek() -> Admission {
        var copy = self
        return copy.admit()
    }

    /// Whether a new order may pass; HALF_OPEN counts it as a probe.
    public mutating func admit() -> Admission {
        switch state {
        case .closed: return .pass
        case .open, .draining: return .refuse(reason: "breaker_\(state.rawValue)")
        case .halfOpen:
            guard probesAdmitted < settings.probeOrders else { return .refuse(reason: "breaker_probes_in_flight") }
            probesAdmitted += 1
            return .probe
        }
    }

    /// Trips it (CLOSED or HALF_OPEN): DRAINING while orders are in flight, else OPEN.
    public mutating func trip(reason: String, inFlight: Int, now: Int64) -> BreakerTransition? {
        guard state == .closed || state == .halfOpen else { return nil }
        return transition(to: inFlight > 0 ? .draining : .open, reason: reason, now: now)
    }

    /// Closes it by hand, whatever its state; the trigger counters start again.
    public mutating func reset(now: Int64) -> BreakerTransition? {
        guard state != .closed else { return nil }
        return transition(to: .closed, reason: "manual_reset", now: now)
    }

    /// A venue call's outcome: consecutive errors, error rate, and HALF_OPEN probes.
    public mutating func recordVenueOutcome(failed: Bool, inFlight: Int, now: Int64) -> BreakerTransition? {
        consecutiveErrors = failed ? consecutiveErrors + 1 : 0
        samples.record(failed: failed, now: now, window: settings.errorRateWindowNanos, limit: settings.maxWindowSamples)
        switch state {
        case .halfOpen:
            if failed { return transition(to: .open, reason: "probe_failed", now: now) }
            probeSuccesses += 1
            return probeSuccesses >= settings.probeSuccesses ? transition(to: .closed, reason: "probes_succeeded", now: now) : nil
        case .closed:
            if consecutiveErrors >= settings.consecutiveVenueErrors {
                return trip(reason: "consecutive_venue_errors", inFlight: inFlight, now: now)
            }
            if samples.count >= settings.errorRateMinSamples, samples.failures * 100 >= settings.errorRatePercent * samples.count {
                return trip(reason: "venue_error_rate", inFlight: inFlight, now: now)
            }
            return nil
        case .open, .draining:
            return nil
        }
    }

    /// A trade's realized P&L (reducing fills only): consecutive losing trades, and the win rate over the latest trades.
    public mutating func recordTrade(realized: ExactDecimal, inFlight: Int, now: Int64) -> BreakerTransition? {
        if realized.isNegative { consecutiveLosses += 1 } else if realized.isPositive { consecutiveLosses = 0 }
        winRate.record(realized: realized)
        guard state == .closed else { return nil }
        if consecutiveLosses >= settings.consecutiveLosses { return trip(reason: "consecutive_losing_trades", inFlight: inFlight, now: now) }
        return winRate.isTripped ? trip(reason: "low_win_rate", inFlight: inFlight, now: now) : nil
    }

    /// The periodic look: drain finished or timed out, cool-down over, and the
    /// threshold triggers (daily loss, drawdown, stale market data) while CLOSED.
    public mutating func observe(
        dailyLoss: ExactDecimal?, drawdown: ExactDecimal?, marketDataStale: Bool, inFlight: Int, now: Int64
    ) -> BreakerTransition? {
        switch state {
        case .draining:
            if inFlight == 0 { return transition(to: .open, reason: "drained", now: now) }
            if now - since >= settings.drainTimeoutNanos { return transition(to: .open, reason: "drain_timeout", now: now) }
            return nil
        case .open:
            return now - since >= settings.coolDownNanos ? transition(to: .halfOpen, reason: "cool_down_elapsed", now: now) : nil
        case .halfOpen:
            return nil
        case .closed:
            if let dailyLoss, dailyLoss >= settings.dailyLoss { return trip(reason: "daily_loss", inFlight: inFlight, now: now) }
            if let drawdown, drawdown >= settings.drawdown { return trip(reason: "drawdown", inFlight: inFlight, now: now) }
            if marketDataStale { return trip(reason: "stale_market_data", inFlight: inFlight, now: now) }
            return nil
        }
    }

    /// The periodic look with the first alarm of the other threshold triggers (market
    /// conditions, system health, exposure), already turned into a reason: it trips a
    /// CLOSED breaker; timers run as in `observe(dailyLoss:…)`.
    public mutating func observe(alarm: String?, inFlight: Int, now: Int64) -> BreakerTransition? {
        if state == .closed, let alarm { return trip(reason: alarm, inFlight: inFlight, now: now) }
        return observe(dailyLoss: nil, drawdown: nil, marketDataStale: false, inFlight: inFlight, now: now)
    }

    /// Folds a journaled transition; one at or below the journal's count is a repeat. The
    /// journal's wins over one of the same number decided here.
    public mutating func apply(_ transition: BreakerTransition) {
        guard transition.number > (log.journaled?.number ?? 0) else { return }
        if !log.journal(transition) { enter(transition) }
    }

    /// Back to the journal's state: the transitions decided here were not journaled
    /// (fenced off, or given up). Soft counters start again.
    public mutating func rollBack() {
        guard let journaled = log.rollBack() else { return }
        enter(journaled ?? BreakerTransition(number: 0, from: .closed, to: .closed, reason: "none", at: 0))
    }

    private mutating func enter(_ transition: BreakerTransition) {
        state = transition.to
        reason = transition.reason
        since = transition.at
        transitions = transition.number
        probesAdmitted = 0
        probeSuccesses = 0
        if transition.to == .closed {
            consecutiveErrors = 0
            consecutiveLosses = 0
            samples.removeAll()
            winRate.reset()
        }
    }

    private mutating func transition(to next: State, reason: String, now: Int64) -> BreakerTransition {
        let transition = BreakerTransition(number: transitions + 1, from: state, to: next, reason: reason, at: now)
        enter(transition)
        log.decided(transition)
        return transition
    }
}
