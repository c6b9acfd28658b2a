import TradingModel

/// Decides the `margin_use` alert (S4): an approved order that leaves the worst-case
/// margin use above `threshold` × equity (`BW_RISK_MARGIN_ALERT_USE`, default 0.85) is
/// worth an operator's look — at most once per account per `cooldownNanos` (30 s), so an
/// account trading near its limit does not flood the operator. It never refuses an
/// order: `MarginShock.maxUse` (0.9) does, with `MARGIN`.
///
/// A pure value: `check` takes `now` (unix nanoseconds) from the engine's injected clock.
/// It holds one time per account that alerted (configured accounts only: bounded).
public struct MarginUseAlarm: Sendable, Equatable {
    /// What an alert says.
    public struct Alert: Sendable, Equatable {
        /// The account.
        public var account: String
        /// The worst scenario's margin use, in the valuation asset.
        public var use: ExactDecimal
        /// The account's equity, in the valuation asset.
        public var equity: ExactDecimal
        /// The worst scenario's name, e.g. `price+0.03_spread×2`.
        public var scenario: String
        /// The alert threshold (fraction of equity).
        public var threshold: ExactDecimal

        /// Margin use as a percentage of equity, rounded down to 0.1.
        public var percent: ExactDecimal {
            use.multiplied(by: ExactDecimal(100), rounding: .down).divided(by: equity, rounding: .down)
                .rounded(toIncrement: ExactDecimal(units: 100_000_000_000), .down)
        }
    }

    /// Alert above this fraction of equity.
    public let threshold: ExactDecimal
    /// The least time between two alerts of one account, nanoseconds.
    public let cooldownNanos: Int64
    private var lastAlertAt: [String: Int64] = [:]

    /// An alarm at `threshold` × equity, at most one alert per account per `cooldownNanos`.
    public init(threshold: ExactDecimal, cooldownNanos: Int64 = 30_000_000_000) {
        self.threshold = threshold
        self.cooldownNanos = cooldownNanos
    }

    /// The alert to raise for an approved order whose worst case is `use` (scenario
    /// `scenario`) against `equity`, or nil: at or below the threshold, equity not
    /// positive, or the account alerted within the cooldown.
    public mutating func check(account: String, use: ExactDecimal, scenario: String, equity: ExactDecimal, now: Int64) -> Alert? {
        guard equity.isPositive, use > equity.multiplied(by: threshold, rounding: .down) else { return nil }
        if let last = lastAlertAt[account], now - last < cooldownNanos { return nil }
        lastAlertAt[account] = now
        return Alert(account: account, use: use, equity: equity, scenario: scenario, threshold: threshold)
    }
}
