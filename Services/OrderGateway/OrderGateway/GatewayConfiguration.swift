import BinanceVenue
import BusKit
import ServiceRuntime

/// The order-gateway's settings (docs/configuration.md), read from the environment and
/// validated at startup: a bad value stops the gateway before it takes an order.
public struct GatewayConfiguration: Sendable {
    public var bus: BusEndpoints
    /// The paper venue's endpoints (paper mode).
    public var venue: VenueEndpoints
    /// The live venue (BW_VENUE_MODE=live): Binance Spot's REST API through
    /// `BinanceSpotVenue`; nil in paper mode (G8: paper has no code path to a live endpoint).
    public var live: BinanceSpotVenue.Configuration?
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
        live = try BinanceSpotVenue.Configuration.live(settings, weightShare: BinanceSpotVenue.Configuration.gatewayWeightShare)
        // Binance takes 100 new orders per 10 s per account: the live venue's bucket defaults to that.
        rateLimits = .init(
            accountPerSecond: Int64(try settings.int("BW_RATE_ACCOUNT_PER_SEC", default: 50, in: 1...1_000_000)),
            accountBurst: Int64(try settings.int("BW_RATE_ACCOUNT_BURST", default: 100, in: 1...1_000_000)),
            venuePerSecond: Int64(try settings.int("BW_RATE_VENUE_PER_SEC", default: live == nil ? 500 : 10, in: 1...1_000_000)),
            venueBurst: Int64(try settings.int("BW_RATE_VENUE_BURST", default: live == nil ? 1000 : 100, in: 1...1_000_000)))
        duplicateWindow = .milliseconds(try settings.int("BW_DUPLICATE_WINDOW_MS", default: 5000, in: 0...3_600_000))
        venueTimeout = .milliseconds(try settings.int("BW_VENUE_TIMEOUT_MS", default: 2000, in: 10...60_000))
        retryAttempts = try settings.int("BW_VENUE_RETRY_ATTEMPTS", default: 4, in: 1...20)
        retryBaseDelay = .milliseconds(try settings.int("BW_VENUE_RETRY_BASE_MS", default: 100, in: 1...60_000))
        retryMaxDelay = .milliseconds(try settings.int("BW_VENUE_RETRY_MAX_MS", default: 2000, in: 1...600_000))
        unknownGrace = .milliseconds(try settings.int("BW_UNKNOWN_GRACE_MS", default: 10_000, in: 100...3_600_000))
        venueSilence = .milliseconds(try settings.int("BW_VENUE_SILENCE_MS", default: 3_000, in: 100...600_000))
        if let live, live.recvWindow >= unknownGrace {
            // A place that timed out must not be able to land after the gateway gave up on it.
            throw ConfigurationError(
                key: "BW_BINANCE_RECV_WINDOW_MS", problem: "recvWindow \(live.recvWindow) must be below BW_UNKNOWN_GRACE_MS (\(unknownGrace))")
        }
    }
}
