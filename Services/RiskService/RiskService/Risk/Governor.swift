import TradingModel

/// An account's risk governor (R4): NORMAL → SOFT_BRAKE → QUARANTINE → HARD_STOP by
/// drawdown, with hysteresis on the way down.
///
/// A pure value: `observe` takes the drawdown and `now` (unix nanoseconds) and returns
/// the transition to journal. Escalation is immediate (straight to the level the
/// drawdown calls for); de-escalation goes one level at a time, only while the
/// drawdown is below `deescalateBelow` and after `minDwellNanos` at the current level.
public struct Governor: Sendable, Equatable {
    public typealias Level = GovernorTransition.Level

    /// Thresholds as fractions of the drawdown reference (docs/configuration.md).
    public struct Settings: Sendable, Equatable {
        public var softBrake = ExactDecimal(units: 100_000_000_000)
        public var quarantine = ExactDecimal(units: 150_000_000_000)
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

    public let account: String
    public let settings: Settings
    public private(set) var level: Level = .normal
    public private(set) var reason = "none"
    public private(set) var since: Int64 = 0
    public private(set) var transitions: Int64 = 0

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

    /// Folds a journaled transition; one at or below the current count is a repeat.
    public mutating func apply(_ transition: GovernorTransition) {
        guard transition.number > transitions else { return }
        level = transition.to
        reason = transition.reason
        since = transition.at
        transitions = transition.number
    }

    private mutating func transition(to next: Level, reason: String, drawdown: ExactDecimal, now: Int64) -> GovernorTransition {
        let transition = GovernorTransition(number: transitions + 1, from: level, to: next, reason: reason, drawdown: drawdown, at: now)
        apply(transition)
        return transition
    }
}
