import TradingModel

/// An account's risk governor (R4): NORMAL → SOFT_BRAKE → QUARANTINE → HARD_STOP by
/// drawdown, with hysteresis on the way down.
///
/// A pure value: `observe` takes the drawdown and `now` (unix nanoseconds) and returns
/// the transition to journal. Escalation is immediate (straight to the level the
/// drawdown calls for); de-escalation goes one level at a time, only while the
/// drawdown is below `deescalateBelow` and after `minDwellNanos` at the current level.
public struct Governor: Sendable, Equatable {
    /// The governor's levels.
    public typealias Level = GovernorTransition.Level

    /// Thresholds as fractions of the drawdown reference (docs/configuration.md).
    public struct Settings: Sendable, Equatable {
        /// SOFT_BRAKE at or above this drawdown (default 0.10).
        public var softBrake = ExactDecimal(units: 100_000_000_000)
        /// QUARANTINE at or above this drawdown (default 0.15).
        public var quarantine = ExactDecimal(units: 150_000_000_000)
        /// HARD_STOP at or above this drawdown (default 0.20).
        public var hardStop = ExactDecimal(units: 200_000_000_000)
        /// De-escalation only below this drawdown.
        public var deescalateBelow = ExactDecimal(units: 50_000_000_000)
        /// Time at a level before stepping down, nanoseconds.
        public var minDwellNanos: Int64 = 300_000_000_000
        /// Profit mode starts above initial capital × this factor.
        public var profitModeFactor = ExactDecimal(units: 1_050_000_000_000)

        /// The defaults of FEATURES.md R4.
        public init() {}
    }

    /// The account it governs.
    public let account: String
    /// Its thresholds.
    public let settings: Settings
    /// The current level.
    public private(set) var level: Level = .normal
    /// The reason of the last transition.
    public private(set) var reason = "none"
    /// When the level was entered, unix nanoseconds.
    public private(set) var since: Int64 = 0
    /// How many transitions it has had (the journal's count).
    public private(set) var transitions: Int64 = 0
    /// The journal's last transition and the ones decided here that it has not echoed yet (see `TransitionLog`).
    public private(set) var log = TransitionLog<GovernorTransition>()

    /// A governor at NORMAL.
    public init(account: String, settings: Settings) {
        self.account = account
        self.settings = settings
    }

    /// The journaled part, for `risk.show` and comparing folds.
    public var view: GovernorView {
        GovernorView(level: level, reason: reason, since: since, transitions: transitions)
    }

    /// The level a drawdown calls for.
    public func level(for drawdown: ExactDecimal) -> Level {
        if drawdown >= settings.hardStop { return .hardStop }
        if drawdown >= settings.quarantine { return .quarantine }
        if drawdown >= settings.softBrake { return .softBrake }
        return .normal
    }

    /// Moves with the drawdown: up at once, down one level after the dwell below the de-escalation line.
    public mutating func observe(drawdown: ExactDecimal, now: Int64) -> GovernorTransition? {
        let target = level(for: drawdown)
        if target > level {
            return transition(to: target, reason: "drawdown_\(target.rawValue)", drawdown: drawdown, now: now)
        }
        guard level > .normal, drawdown < settings.deescalateBelow, now - since >= settings.minDwellNanos else { return nil }
        let lower = Level.allCases[level.rank - 1]
        return transition(to: lower, reason: "recovered_below_deescalation", drawdown: drawdown, now: now)
    }

    /// Folds a journaled transition; one at or below the journal's count is a repeat. The
    /// journal's wins over one of the same number decided here.
    public mutating func apply(_ transition: GovernorTransition) {
        guard transition.number > (log.journaled?.number ?? 0) else { return }
        if !log.journal(transition) { enter(transition) }
    }

    /// Back to the journal's level: the transitions decided here were not journaled (fenced off, or given up).
    public mutating func rollBack() {
        guard let journaled = log.rollBack() else { return }
        enter(journaled ?? GovernorTransition(number: 0, from: .normal, to: .normal, reason: "none", drawdown: .zero, at: 0))
    }

    private mutating func enter(_ transition: GovernorTransition) {
        level = transition.to
        reason = transition.reason
        since = transition.at
        transitions = transition.number
    }

    private mutating func transition(to next: Level, reason: String, drawdown: ExactDecimal, now: Int64) -> GovernorTransition {
        let transition = GovernorTransition(number: transitions + 1, from: level, to: next, reason: reason, drawdown: drawdown, at: now)
        enter(transition)
        log.decided(transition)
        return transition
    }
}
