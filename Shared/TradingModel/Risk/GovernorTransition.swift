/// A journaled change of an account's risk-governor level (R4, R7): fact `governor.transition`.
///
/// `number` counts the account's transitions from 1: the fact id
/// `governor:<account>:<number>` is deterministic.
public struct GovernorTransition: Codable, Sendable, Equatable {
    /// The governor's levels, from least to most restrictive.
    public enum Level: String, Codable, Sendable, CaseIterable, Comparable {
        /// Orders pass unchanged.
        case normal
        /// Order sizes are halved.
        case softBrake = "soft_brake"
        /// Only orders that reduce a position pass.
        case quarantine
        /// Nothing passes, and every open order is cancelled.
        case hardStop = "hard_stop"

        /// The level's rank, 0 (normal) to 3 (hard stop).
        public var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

        /// Orders by restrictiveness.
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
    }

    /// The account's transition count after this one (1 for the first).
    public var number: Int64
    /// The level before.
    public var from: Level
    /// The level after.
    public var to: Level
    /// Why, e.g. `drawdown_above_threshold`, `recovered_below_deescalation`.
    public var reason: String
    /// The drawdown that decided it, as a fraction (0.12 = 12 %).
    public var drawdown: ExactDecimal
    /// When the transition was decided, unix nanoseconds.
    public var at: Int64

    /// Creates a transition.
    public init(number: Int64, from: Level, to: Level, reason: String, drawdown: ExactDecimal, at: Int64) {
        self.number = number
        self.from = from
        self.to = to
        self.reason = reason
        self.drawdown = drawdown
        self.at = at
    }

    /// The deterministic fact id of an account's n-th transition.
    public static func factId(account: String, number: Int64) -> String { "governor:\(account):\(number)" }
}
