import ServiceRuntime
import TradingModel

/// The reconciler's settings (docs/configuration.md), read and validated at startup.
public struct ReconcilerConfiguration: Sendable {
    /// The accounts to reconcile (the keys of BW_ACCOUNTS).
    public var accounts: [String]
    /// Time between periodic reconciliations (C2); always > 0: polling is never off.
    public var interval: Duration = .seconds(12)
    /// How long a pending intent may be absent at the venue before it is failed (C1). Longer
    /// than the gateway's worst-case placement (4 attempts × (2 s call + 2 s ask) + backoff
    /// ≈ 17 s at its defaults), so an order still being placed is never given up on.
    public var grace: Duration = .seconds(30)
    /// Refuse orders for an account whose startup reconciliation failed.
    public var failClosed = true
    /// How position conflicts are settled (C5).
    public var strategy: ResolutionStrategy = .venueWins
    /// The venue's fee rate (BW_FEE_RATE), to size an external order's reservation.
    public var feeRate = ExactDecimal(units: 1_000_000_000)
    /// Differences up to this (in base or quote units) are not desyncs (C4).
    public var tolerance: ExactDecimal = ExactDecimal(units: 1_000_000)
    /// Positions held longer are force-closed (C6); 0 turns the monitor off.
    public var maxHoldSeconds = 0
    /// The stream is taken as disconnected after this long without a message.
    public var streamSilence: Duration = .seconds(2)
    /// The least time between two reconciliations triggered by stream gaps.
    public var triggerSpacing: Duration = .seconds(1)
    /// How long an order that ended and a fill's trade id stay in the reconciler's memory;
    /// an older one a pass needs is read from the writer (see `JournalView`).
    public var recentWindow: Duration = .seconds(120)

    /// Defaults for `accounts`.
    public init(accounts: [String]) {
        self.accounts = accounts
    }

    /// Reads `BW_RECON_*`; a bad value throws (the service stops with the message).
    public static func load(_ settings: Settings) throws -> ReconcilerConfiguration {
        var configuration = ReconcilerConfiguration(accounts: try settings.accounts().keys.sorted())
        configuration.interval = .milliseconds(try settings.int("BW_RECON_INTERVAL_MS", default: 12_000, in: 1...3_600_000))
        configuration.grace = .milliseconds(try settings.int("BW_RECON_GRACE_MS", default: 30_000, in: 0...3_600_000))
        configuration.failClosed = try settings.bool("BW_RECON_FAIL_CLOSED", default: true)
        let strategy = settings.string("BW_RECON_STRATEGY", default: "venue_wins")
        guard let parsed = ResolutionStrategy(rawValue: strategy) else {
            throw ReconcilerConfigurationError(description: "configuration BW_RECON_STRATEGY: '\(strategy)' is not one of \(ResolutionStrategy.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        configuration.strategy = parsed
        let tolerance = settings.string("BW_RECON_TOLERANCE", default: "0.000001")
        guard let value = ExactDecimal(tolerance), !value.isNegative else {
            throw ReconcilerConfigurationError(description: "configuration BW_RECON_TOLERANCE: '\(tolerance)' is not a non-negative decimal")
        }
        configuration.tolerance = value
        configuration.feeRate = try settings.feeRate()
        configuration.maxHoldSeconds = try settings.int("BW_RECON_MAX_HOLD_SECONDS", default: 0, in: 0...31_536_000)
        configuration.streamSilence = .milliseconds(try settings.int("BW_RECON_STREAM_SILENCE_MS", default: 2_000, in: 100...600_000))
        configuration.triggerSpacing = .milliseconds(try settings.int("BW_RECON_TRIGGER_SPACING_MS", default: 1_000, in: 0...600_000))
        configuration.recentWindow = .milliseconds(try settings.int("BW_RECON_RECENT_WINDOW_MS", default: 120_000, in: 1_000...86_400_000))
        return configuration
    }
}

/// A reconciler setting that is not valid; stops the service at startup.
public struct ReconcilerConfigurationError: Error, CustomStringConvertible {
    /// What is wrong, naming the key.
    public var description: String
}
