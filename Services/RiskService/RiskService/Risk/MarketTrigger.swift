import TradingModel

/// The market-condition triggers of the global breaker, from the venue's quotes: the
/// volatility of each symbol's mid over a window (its max − min range, in bps of the latest
/// mid) and its liquidity as the latest spread (ask − bid, in bps of the mid). All exact
/// decimals. The venue's ticks carry no sizes, so top-of-book depth is not watched.
///
/// The global breaker, not an account's: the market is the venue's, the same for every
/// account and every replica, and the breaker has no per-symbol scope (FEATURES.md R3;
/// stale market data is global for the same reason). A pure value; its window is soft
/// state (empty after a restart).
public struct MarketTrigger: Sendable, Equatable {
    /// Its thresholds (docs/configuration.md, `BW_RISK_BREAKER_VOLATILITY_*`, `BW_RISK_BREAKER_MAX_SPREAD_BPS`).
    public struct Settings: Sendable, Equatable {
        /// The volatility window, nanoseconds.
        public var volatilityWindowNanos: Int64 = 60_000_000_000
        /// Trips when a symbol's mid range over the window exceeds this, bps of the mid (0: off).
        public var maxVolatilityBps = ExactDecimal(500)
        /// Trips when a symbol's spread exceeds this, bps of the mid (0: off).
        public var maxSpreadBps = ExactDecimal(100)
        /// The bound of each symbol's window (oldest quotes are dropped beyond it).
        public var maxWindowSamples = 10_000

        /// The documented defaults.
        public init() {}
    }

    struct Sample: Sendable, Equatable {
        var at: Int64
        var mid: ExactDecimal
    }

    /// Its thresholds.
    public let settings: Settings
    private(set) var windows: [String: [Sample]] = [:]
    private(set) var spreads: [String: ExactDecimal] = [:]

    /// No quotes yet.
    public init(settings: Settings) {
        self.settings = settings
    }

    /// One quote; a crossed or non-positive one is ignored, as for the marks.
    public mutating func record(symbol: String, bid: ExactDecimal, ask: ExactDecimal, now: Int64) {
        guard bid.isPositive, ask >= bid else { return }
        let mid = (bid + ask).divided(by: ExactDecimal(2), rounding: .halfEven)
        spreads[symbol] = Self.bps(ask - bid, of: mid)
        var window = windows[symbol, default: []]
        window.append(Sample(at: now, mid: mid))
        window.removeAll { now - $0.at > settings.volatilityWindowNanos }
        if window.count > settings.maxWindowSamples { window.removeFirst(window.count - settings.maxWindowSamples) }
        windows[symbol] = window
    }

    /// A symbol's mid range over the window, bps of its latest mid (nil without quotes in the window).
    public func volatilityBps(_ symbol: String, now: Int64) -> ExactDecimal? {
        let window = (windows[symbol] ?? []).filter { now - $0.at <= settings.volatilityWindowNanos }
        guard let latest = window.last, let low = window.map(\.mid).min(), let high = window.map(\.mid).max() else { return nil }
        return Self.bps(high - low, of: latest.mid)
    }

    /// A symbol's latest spread, bps of its mid.
    public func spreadBps(_ symbol: String) -> ExactDecimal? { spreads[symbol] }

    /// The first alarm, symbols in order: `market_volatility:<symbol>` or `market_spread:<symbol>`.
    public func alarm(now: Int64) -> String? {
        for symbol in windows.keys.sorted() {
            if settings.maxVolatilityBps.isPositive, let v = volatilityBps(symbol, now: now), v > settings.maxVolatilityBps {
                return "market_volatility:\(symbol)"
            }
            if settings.maxSpreadBps.isPositive, let s = spreads[symbol], s > settings.maxSpreadBps { return "market_spread:\(symbol)" }
        }
        return nil
    }

    /// `amount` in basis points of `reference` (rounded up: a borderline market counts as the worse one).
    static func bps(_ amount: ExactDecimal, of reference: ExactDecimal) -> ExactDecimal {
        amount.multiplied(by: ExactDecimal(10_000), rounding: .up).divided(by: reference, rounding: .up)
    }
}
