import ServiceRuntime
import TradingModel

/// One sample of a breaker's or a governor's current state (S2): the gauges
/// `bw_breaker_state{scope}` and `bw_governor_level{scope}`.
///
/// The engine reports a sample whenever a state may have changed — a live transition,
/// a folded transition fact (the start-up replay included) and every scope once at
/// go-live — through an injected sink, so tests read them without a metrics backend.
/// The scope is `*` (the global breaker) or a configured account (`BW_ACCOUNTS`): a
/// bounded set.
public enum RiskGauge: Sendable, Equatable {
    /// A breaker's state; scope an account or `*`.
    case breaker(scope: String, state: Breaker.State)
    /// An account's governor level.
    case governor(account: String, level: Governor.Level)

    /// The gauge's value. Breaker: 0 closed, 1 half_open, 2 draining, 3 open (≥ 2: new
    /// orders refused). Governor: 0 normal, 1 soft_brake, 2 quarantine, 3 hard_stop.
    public var value: Int {
        switch self {
        case .breaker(_, let state):
            switch state {
            case .closed: 0
            case .halfOpen: 1
            case .draining: 2
            case .open: 3
            }
        case .governor(_, let level):
            level.rank
        }
    }

    /// The service's sink: records the sample with swift-metrics.
    @Sendable public static func record(_ gauge: RiskGauge) {
        switch gauge {
        case .breaker(let scope, _): OpsMetrics.breakerState(scope: scope, level: gauge.value)
        case .governor(let account, _): OpsMetrics.governorLevel(scope: account, level: gauge.value)
        }
    }
}
