import ServiceRuntime
import TradingModel

/// Every setting of the risk-service, read from the environment and validated at
/// start-up (a bad value stops the service with a clear message). The keys, types,
/// units and defaults are in docs/configuration.md.
public struct RiskConfiguration: Sendable, Equatable {
    /// Starting balances per account and asset (BW_ACCOUNTS).
    public var balances: [String: [String: ExactDecimal]]
    /// The fee rate reserved for (BW_FEE_RATE).
    public var feeRate: ExactDecimal
    /// The asset equity and notionals are measured in.
    public var valuationAsset = "USDT"
    /// Initial capital per account; an account not listed takes its first valued equity.
    public var initialCapital: [String: ExactDecimal] = [:]
    /// Limits per account; accounts not listed use `defaultLimits`.
    public var limits: [String: Limits] = [:]
    /// Limits of accounts without their own (the `*` entry, or the built-in defaults).
    public var defaultLimits = Limits()
    /// Breaker triggers and timings.
    public var breaker = Breaker.Settings()
    /// The global breaker's market-condition triggers (volatility, spread).
    public var market = MarketTrigger.Settings()
    /// The global breaker's system-health triggers (RSS, CPU).
    public var health = SystemHealthTrigger.Settings()
    /// The account breakers' exposure trigger (gross position value against equity).
    public var exposure = ExposureTrigger()
    /// How often each configured account is asked for through the bus, so every account's
    /// partition has a live owner that decides its transitions (docs/risk.md, "Replicas").
    public var leasePingInterval: Duration = .seconds(5)
    /// Governor thresholds, hysteresis and profit mode.
    public var governor = Governor.Settings()
    /// The worst-case margin check's scenarios and limits.
    public var margin = MarginShock()
    /// Uncommitted approvals are released after this, nanoseconds.
    public var orphanTimeoutNanos: Int64 = 30_000_000_000
    /// How often equity, drawdown, timers and orphans are evaluated.
    public var evaluateInterval: Duration = .milliseconds(250)
    /// Refuse orders (`ACCOUNT_NOT_RECONCILED`) until the reconciler's `recon.account_ready` (C1); BW_RISK_REQUIRE_RECON, default true.
    public var requireReconciliation = false

    /// A configuration with the defaults and these accounts.
    public init(balances: [String: [String: ExactDecimal]], feeRate: ExactDecimal) {
        self.balances = balances
        self.feeRate = feeRate
    }

    /// The limits of one account.
    public func limits(for account: String) -> Limits { limits[account] ?? defaultLimits }

    /// Reads and validates everything.
    public static func read(_ s: Settings) throws -> RiskConfiguration {
        var c = RiskConfiguration(balances: try s.accounts(), feeRate: try s.feeRate())
        c.valuationAsset = s.string("BW_RISK_VALUATION_ASSET", default: "USDT")
        c.initialCapital = try RiskConfiguration.parseCapital(s.string("BW_RISK_CAPITAL", default: ""))
        (c.defaultLimits, c.limits) = try LimitsParser.parse(s.string("BW_RISK_LIMITS", default: ""))
        try readBreaker(s, into: &c.breaker)
        try readTriggers(s, into: &c)
        try readGovernor(s, into: &c.governor)
        try readMargin(s, into: &c.margin)
        // Longer than an intent's journal append may take (3 attempts × 5 s), so a live approval is never taken for an orphan.
        c.orphanTimeoutNanos = try s.millisNanos("BW_RISK_ORPHAN_TIMEOUT_MS", default: 30_000, in: 20_000...3_600_000)
        c.evaluateInterval = .milliseconds(try s.int("BW_RISK_EVALUATE_MS", default: 250, in: 10...60_000))
        c.requireReconciliation = try s.bool("BW_RISK_REQUIRE_RECON", default: true)
        return c
    }

    private static func readBreaker(_ s: Settings, into b: inout Breaker.Settings) throws {
        b.consecutiveVenueErrors = try s.int("BW_RISK_BREAKER_CONSECUTIVE_ERRORS", default: 5, in: 1...10_000)
        b.errorRatePercent = try s.int("BW_RISK_BREAKER_ERROR_RATE_PCT", default: 50, in: 1...100)
        b.errorRateWindowNanos = try s.millisNanos("BW_RISK_BREAKER_ERROR_RATE_WINDOW_MS", default: 60_000, in: 100...86_400_000)
        b.errorRateMinSamples = try s.int("BW_RISK_BREAKER_ERROR_RATE_MIN_SAMPLES", default: 10, in: 1...10_000)
        b.consecutiveLosses = try s.int("BW_RISK_BREAKER_CONSECUTIVE_LOSSES", default: 5, in: 1...10_000)
        b.dailyLoss = try s.fraction("BW_RISK_BREAKER_DAILY_LOSS", default: "0.15")
        b.drawdown = try s.fraction("BW_RISK_BREAKER_DRAWDOWN", default: "0.10")
        b.staleMarketDataNanos = try s.millisNanos("BW_RISK_STALE_MARKET_DATA_MS", default: 10_000, in: 100...3_600_000)
        b.coolDownNanos = try s.millisNanos("BW_RISK_BREAKER_COOL_DOWN_MS", default: 60_000, in: 0...86_400_000)
        b.probeOrders = try s.int("BW_RISK_BREAKER_PROBES", default: 3, in: 1...1_000)
        b.probeSuccesses = try s.int("BW_RISK_BREAKER_PROBE_SUCCESSES", default: 2, in: 1...b.probeOrders)
        b.drainTimeoutNanos = try s.millisNanos("BW_RISK_BREAKER_DRAIN_TIMEOUT_MS", default: 30_000, in: 0...3_600_000)
    }

    private static func readTriggers(_ s: Settings, into c: inout RiskConfiguration) throws {
        c.breaker.winRate.windowTrades = try s.int("BW_RISK_BREAKER_WIN_RATE_WINDOW", default: 20, in: 1...10_000)
        c.breaker.winRate.minTrades = try s.int("BW_RISK_BREAKER_WIN_RATE_MIN_TRADES", default: 10, in: 1...c.breaker.winRate.windowTrades)
        c.breaker.winRate.minWinPercent = try s.percent("BW_RISK_BREAKER_WIN_RATE_PCT", default: "25")
        c.market.volatilityWindowNanos = try s.millisNanos("BW_RISK_BREAKER_VOLATILITY_WINDOW_MS", default: 60_000, in: 100...86_400_000)
        c.market.maxVolatilityBps = try s.nonNegative("BW_RISK_BREAKER_VOLATILITY_BPS", default: "500")
        c.market.maxSpreadBps = try s.nonNegative("BW_RISK_BREAKER_MAX_SPREAD_BPS", default: "100")
        c.health.maxRSSBytes = Int64(try s.int("BW_RISK_BREAKER_MAX_RSS_MB", default: 4_096, in: 0...1_048_576)) * 1_048_576
        c.health.maxCPUPercent = try s.int("BW_RISK_BREAKER_MAX_CPU_PCT", default: 95, in: 0...10_000)
        c.health.cpuWindowNanos = try s.millisNanos("BW_RISK_BREAKER_CPU_WINDOW_MS", default: 300_000, in: 1_000...86_400_000)
        c.exposure.maxGrossToEquity = try s.nonNegative("BW_RISK_BREAKER_MAX_EXPOSURE", default: "12")
        c.leasePingInterval = .milliseconds(try s.int("BW_RISK_LEASE_PING_MS", default: 5_000, in: 100...600_000))
    }

    private static func readGovernor(_ s: Settings, into g: inout Governor.Settings) throws {
        g.softBrake = try s.fraction("BW_RISK_GOVERNOR_SOFT_BRAKE", default: "0.10")
        g.quarantine = try s.fraction("BW_RISK_GOVERNOR_QUARANTINE", default: "0.15")
        g.hardStop = try s.fraction("BW_RISK_GOVERNOR_HARD_STOP", default: "0.20")
        g.deescalateBelow = try s.fraction("BW_RISK_GOVERNOR_DEESCALATE_BELOW", default: "0.05")
        g.minDwellNanos = try s.millisNanos("BW_RISK_GOVERNOR_MIN_DWELL_MS", default: 300_000, in: 0...86_400_000)
        g.profitModeFactor = try s.decimal("BW_RISK_GOVERNOR_PROFIT_FACTOR", default: "1.05")
        guard g.deescalateBelow <= g.softBrake, g.softBrake <= g.quarantine, g.quarantine <= g.hardStop else {
            throw ConfigurationError(key: "BW_RISK_GOVERNOR_*", problem: "need DEESCALATE_BELOW ≤ SOFT_BRAKE ≤ QUARANTINE ≤ HARD_STOP")
        }
        guard g.profitModeFactor >= ExactDecimal(1) else {
            throw ConfigurationError(key: "BW_RISK_GOVERNOR_PROFIT_FACTOR", problem: "must be at least 1")
        }
    }

    private static func readMargin(_ s: Settings, into m: inout MarginShock) throws {
        m.priceMove = try s.fraction("BW_RISK_MARGIN_PRICE_MOVE", default: "0.03")
        m.maxUse = try s.fraction("BW_RISK_MARGIN_MAX_USE", default: "0.9")
        m.alertUse = try s.fraction("BW_RISK_MARGIN_ALERT_USE", default: "0.85")
        m.spotMarginRate = try s.fraction("BW_RISK_MARGIN_SPOT_RATE", default: "0")
        m.perpetualMarginRate = try s.fraction("BW_RISK_MARGIN_PERP_RATE", default: "0.1")
        let raw = s.string("BW_RISK_MARGIN_SPREAD_FACTORS", default: "1.5,2")
        let factors = raw.split(separator: ",").compactMap { ExactDecimal(String($0)) }
        guard !factors.isEmpty, factors.count == raw.split(separator: ",").count, factors.allSatisfy({ $0 >= ExactDecimal(1) }) else {
            throw ConfigurationError(key: "BW_RISK_MARGIN_SPREAD_FACTORS", problem: "'\(raw)' is not a comma list of decimals ≥ 1")
        }
        m.spreadFactors = factors
    }

    /// `acct-1=250000;acct-2=50000`.
    static func parseCapital(_ raw: String) throws -> [String: ExactDecimal] {
        var capital: [String: ExactDecimal] = [:]
        for entry in raw.split(separator: ";") {
            let kv = entry.split(separator: "=")
            guard kv.count == 2, let amount = ExactDecimal(String(kv[1])), amount.isPositive else {
                throw ConfigurationError(key: "BW_RISK_CAPITAL", problem: "'\(entry)' is not ACCOUNT=POSITIVE_DECIMAL")
            }
            capital[String(kv[0])] = amount
        }
        return capital
    }
}

extension Settings {
    /// A decimal setting.
    func decimal(_ key: String, default fallback: String) throws -> ExactDecimal {
        let raw = string(key, default: fallback)
        guard let value = ExactDecimal(raw) else { throw ConfigurationError(key: key, problem: "'\(raw)' is not a decimal") }
        return value
    }

    /// A decimal ≥ 0.
    func nonNegative(_ key: String, default fallback: String) throws -> ExactDecimal {
        let value = try decimal(key, default: fallback)
        guard !value.isNegative else { throw ConfigurationError(key: key, problem: "\(value) must not be negative") }
        return value
    }

    /// A percent in [0, 100].
    func percent(_ key: String, default fallback: String) throws -> ExactDecimal {
        let value = try nonNegative(key, default: fallback)
        guard value <= ExactDecimal(100) else { throw ConfigurationError(key: key, problem: "\(value) is not a percent in [0, 100]") }
        return value
    }

    /// A fraction in [0, 1], e.g. `0.15` for 15 %.
    func fraction(_ key: String, default fallback: String) throws -> ExactDecimal {
        let value = try decimal(key, default: fallback)
        guard !value.isNegative, value <= ExactDecimal(1) else {
            throw ConfigurationError(key: key, problem: "\(value) is not a fraction in [0, 1] (0.15 means 15 %)")
        }
        return value
    }

    /// Milliseconds, returned as nanoseconds.
    func millisNanos(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int64 {
        Int64(try int(key, default: fallback, in: range)) * 1_000_000
    }
}
