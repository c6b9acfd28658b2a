import TradingModel

/// The win-rate trigger of an account's breaker: the share of winning trades among the
/// last `windowTrades` closed trades (reducing fills), once the window holds at least
/// `minTrades`. A pure value; its window is soft state (empty after a restart or a close).
public struct WinRateTrigger: Sendable, Equatable {
    /// Its thresholds (docs/configuration.md, `BW_RISK_BREAKER_WIN_RATE_*`).
    public struct Settings: Sendable, Equatable {
        /// How many of the latest trades count.
        public var windowTrades = 20
        /// Trades the window must hold before the rate counts.
        public var minTrades = 10
        /// Trips below this share of winners, percent (0 turns the trigger off).
        public var minWinPercent = ExactDecimal(25)

        /// The documented defaults.
        public init() {}
    }

    /// Its thresholds.
    public let settings: Settings
    /// The latest trades, oldest first: true for a win.
    public private(set) var outcomes: [Bool] = []

    /// An empty window.
    public init(settings: Settings) {
        self.settings = settings
    }

    /// The share of winners in the window, percent (nil while it holds fewer than `minTrades`).
    public var winPercent: ExactDecimal? {
        guard outcomes.count >= settings.minTrades, !outcomes.isEmpty else { return nil }
        let wins = outcomes.count { $0 }
        return ExactDecimal(wins * 100).divided(by: ExactDecimal(outcomes.count), rounding: .down)
    }

    /// One trade's realized P&L; a break-even trade is neither a win nor a loss and is not counted.
    public mutating func record(realized: ExactDecimal) {
        guard !realized.isZero else { return }
        outcomes.append(realized.isPositive)
        if outcomes.count > settings.windowTrades { outcomes.removeFirst(outcomes.count - settings.windowTrades) }
    }

    /// Whether the window's win rate is below the threshold (exact: wins × 100 < threshold × trades).
    public var isTripped: Bool {
        guard settings.minWinPercent.isPositive, outcomes.count >= settings.minTrades, !outcomes.isEmpty else { return false }
        let wins = ExactDecimal(outcomes.count { $0 } * 100)
        return wins < settings.minWinPercent.multiplied(by: ExactDecimal(outcomes.count), rounding: .halfEven)
    }

    /// Starts the window again (the breaker closed).
    public mutating func reset() { outcomes = [] }
}
