/// A journaled change of a circuit breaker's state (R2, R7): fact `breaker.transition`.
///
/// The fact's `account` is the breaker's scope: an account, or `*` for the global
/// breaker. `number` counts the scope's transitions from 1, so the fact id
/// `breaker:<scope>:<number>` is deterministic and a replayed or raced transition
/// is journaled once.
public struct BreakerTransition: Codable, Sendable, Equatable {
    /// The states of a circuit breaker.
    public enum State: String, Codable, Sendable, CaseIterable {
        /// Orders flow.
        case closed
        /// Tripped with orders in flight: new orders are refused, in-flight ones finish.
        case draining
        /// Tripped: no new orders until the cool-down ends.
        case open
        /// After the cool-down: a few probe orders may pass.
        case halfOpen = "half_open"
    }

    /// The scope's transition count after this one (1 for the first).
    public var number: Int64
    /// The state before.
    public var from: State
    /// The state after.
    public var to: State
    /// Why, e.g. `consecutive_venue_errors`, `manual_trip`, `cool_down_elapsed`.
    public var reason: String
    /// When the transition was decided, unix nanoseconds.
    public var at: Int64

    /// Creates a transition.
    public init(number: Int64, from: State, to: State, reason: String, at: Int64) {
        self.number = number
        self.from = from
        self.to = to
        self.reason = reason
        self.at = at
    }

    /// The global breaker's scope (a fact's `account`).
    public static let globalScope = "*"

    /// The deterministic fact id of a scope's n-th transition.
    public static func factId(scope: String, number: Int64) -> String { "breaker:\(scope):\(number)" }
}
