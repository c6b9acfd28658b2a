import BusKit
import ServiceRuntime

/// The order-gateway's settings (docs/configuration.md), read from the environment and
/// validated at startup: a bad value stops the gateway before it takes an order.
public struct GatewayConfiguration: Sendable {
    /// Which venue adapter the gateway talks to (G8).
    public enum VenueMode: String, Sendable {
        case paper, live
    }

    public var bus: BusEndpoints
    public var venue: (rpc: String, stream: String)
    /// Accounts allowed to trade (BW_ACCOUNTS); others get UNKNOWN_ACCOUNT at the edge.
    public var accounts: Set<String>
    public var rateLimits: RateLimits.Limits
    /// BW_DUPLICATE_WINDOW_MS: the G2 double-submission window.
    public var duplicateWindow: Duration
    /// BW_VENUE_TIMEOUT_MS: how long one venue call may take before it counts as transient.
    public var venueTimeout: Duration
    public var retryAttempts: Int
    public var retryBaseDelay: Duration
    public var retryMaxDelay: Duration
    /// BW_UNKNOWN_GRACE_MS: how long an `unknown` order is asked about before, still absent
    /// at the venue, it is closed as `rejected` (`not_at_venue`) and its reservation released.
    public var unknownGrace: Duration
    /// BW_VENUE_SILENCE_MS: how long the venue's stream may be silent before the venue counts
    /// as unreachable and no order is sent to it (`UNAVAILABLE` / `venue_disconnected`).
    public var venueSilence: Duration

    public init(settings: Settings) throws {
        bus = try settings.busEndpoints()
        venue = try settings.venueEndpoints()
        accounts = Set(try settings.accounts().keys)
        rateLimits = .init(
            accountPerSecond: Int64(try settings.int("BW_RATE_ACCOUNT_PER_SEC", default: 50, in: 1...1_000_000)),
            accountBurst: Int64(try settings.int("BW_RATE_ACCOUNT_BURST", default: 100, in: 1...1_000_000)),
            venuePerSecond: Int64(try settings.int("BW_RATE_VENUE_PER_SEC", default: 500, in: 1...1_000_000)),
            venueBurst: Int64(try settings.int("BW_RATE_VENUE_BURST", default: 1000, in: 1...1_000_000)))
        duplicateWindow = .milliseconds(try settings.int("BW_DUPLICATE_WINDOW_MS", default: 5000, in: 0...3_600_000))
        venueTimeout = .milliseconds(try settings.int("BW_VENUE_TIMEOUT_MS", default: 2000, in: 10...60_000))
        retryAttempts = try settings.int("BW_VENUE_RETRY_ATTEMPTS", default: 4, in: 1...20)
        retryBaseDelay = .milliseconds(try settings.int("BW_VENUE_RETRY_BASE_MS", default: 100, in: 1...60_000))
        retryMaxDelay = .milliseconds(try settings.int("BW_VENUE_RETRY_MAX_MS", default: 2000, in: 1...600_000))
        unknownGrace = .milliseconds(try settings.int("BW_UNKNOWN_GRACE_MS", default: 10_000, in: 100...3_600_000))
        venueSilence = .milliseconds(try settings.int("BW_VENUE_SILENCE_MS", default: 3_000, in: 100...600_000))
        try Self.checkVenueMode(settings)
    }

    /// Paper by default (G8). `live` needs LIVE_TRADING=true and credentials, and even
    /// then this release has no live adapter: the gateway refuses to start rather than
    /// fall back to anything. Paper mode has no code path to a live endpoint.
    static func checkVenueMode(_ settings: Settings) throws {
        let raw = settings.string("BW_VENUE_MODE", default: "paper")
        guard let mode = VenueMode(rawValue: raw) else {
            throw ConfigurationError(key: "BW_VENUE_MODE", problem: "'\(raw)' is not paper or live")
        }
        guard mode == .live else { return }
        guard try settings.bool("LIVE_TRADING", default: false) else {
            throw ConfigurationError(key: "LIVE_TRADING", problem: "BW_VENUE_MODE=live needs LIVE_TRADING=true (an explicit opt-in)")
        }
        for key in ["BW_VENUE_API_KEY", "BW_VENUE_API_SECRET"] where settings.string(key, default: "").isEmpty {
            throw ConfigurationError(key: key, problem: "BW_VENUE_MODE=live needs venue credentials")
        }
        throw ConfigurationError(key: "BW_VENUE_MODE", problem: "no live venue adapter is built into this release; use paper")
    }
}
