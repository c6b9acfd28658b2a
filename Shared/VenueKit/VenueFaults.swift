import BusProtocol
import TradingModel

/// The paper venue's fault injection (`venue.faults`, `tradectl venue faults`): how
/// badly it behaves, like a real exchange on a bad day. Rates are fractions in
/// [0, 1] drawn from the venue's seeded generator, so a run is reproducible.
public struct VenueFaults: Codable, Sendable, Equatable {
    /// Fraction of fill messages on the stream that are never sent.
    public var dropFills: ExactDecimal = .zero
    /// Fraction of order-update messages on the stream that are never sent.
    public var dropOrders: ExactDecimal = .zero
    /// Fraction of fill and order messages sent twice.
    public var duplicate: ExactDecimal = .zero
    /// Delay of every fill and order message, milliseconds.
    public var streamDelayMillis: Int = 0
    /// Delay of every reply (ack), milliseconds.
    public var ackDelayMillis: Int = 0
    /// Fraction of `venue.place` requests executed but never answered (the caller times out).
    public var ackTimeout: ExactDecimal = .zero
    /// Fraction of new orders rejected (`rejected`, reason `venue_fault`).
    public var reject: ExactDecimal = .zero
    /// When set in a request: the stream goes silent for this many seconds from now.
    public var disconnectSeconds: Int?
    /// When set in a request: the Binance front answers every request with HTTP 418 (an IP
    /// ban, Binance code -1003) and `Retry-After` for this many seconds from now; nothing is
    /// executed meanwhile (0 lifts a ban). The ZeroMQ front is not concerned.
    public var binanceBanSeconds: Int?
    /// When set in a request: the Binance front answers every request with HTTP 429 (-1003,
    /// too much request weight) and `Retry-After` for this many seconds from now (0 lifts it).
    public var binanceRateLimitSeconds: Int?
    /// Fraction of the Binance front's new orders executed but answered -1007 ("Timeout
    /// waiting for response from backend server … execution status unknown"), as Binance
    /// does when its matching engine is slow: the order exists, the caller was not told.
    public var binanceTimeoutAfterExecution: ExactDecimal = .zero
    /// Fraction of the Binance front's new orders executed but answered HTTP 503: the same
    /// unknown outcome behind a server error.
    public var binanceServerErrorAfterExecution: ExactDecimal = .zero
    /// Milliseconds the Binance front's clock is off from ours, ±1 hour: the server time it
    /// reports and checks `timestamp`/`recvWindow` against (a signed call off by more than the
    /// window is -1021, as from a real exchange whose clock drifted). Its book is not concerned.
    public var binanceClockSkewMillis: Int = 0
    /// While true: the Binance front's WebSocket connections stay open but carry nothing —
    /// no event, no reply, not even to a ping (a stream that looks connected and is dead).
    public var binanceStreamSilent = false
    /// While true: every user data stream subscription of the Binance front is ended with
    /// `eventStreamTerminated` (the ones open when it is set, and each new one at once).
    public var binanceStreamTerminated = false

    /// The largest clock skew the fault takes, milliseconds.
    public static let maxClockSkewMillis = 3_600_000
    /// Basis points every mid moves per market step on top of its random walk, −1000…1000:
    /// a crash (negative) or a rally while set — what drives a real loss in a fault campaign.
    public var marketTrendBps: Int = 0
    /// While true: every `venue.place` is held, neither placed nor answered (asked about, the
    /// venue does not have the order); set false again, the held places are placed then, in
    /// arrival order and past their deadlines — an exchange that takes an order after its
    /// sender gave up on it (issue 12 item 4b).
    public var holdPlaces = false
    /// When true in a request: the venue-sim process exits at once (after its book
    /// is on disk), to be restarted by its supervisor.
    public var crash: Bool?

    /// No faults.
    public init() {}

    /// Throws `INVALID_REQUEST` when a rate is outside [0, 1] or a duration is negative or above a day.
    public func validated() throws(ServiceError) -> VenueFaults {
        for (name, rate) in [
            ("drop_fills", dropFills), ("drop_orders", dropOrders), ("duplicate", duplicate), ("ack_timeout", ackTimeout), ("reject", reject),
            ("binance_timeout_after_execution", binanceTimeoutAfterExecution), ("binance_5xx_after_execution", binanceServerErrorAfterExecution),
        ] {
            guard !rate.isNegative, rate <= ExactDecimal(1) else {
                throw ServiceError(.invalidRequest, reason: "bad_fault_rate", "\(name) must be a fraction in [0, 1], got \(rate)")
            }
        }
        guard (-Self.maxClockSkewMillis...Self.maxClockSkewMillis).contains(binanceClockSkewMillis) else {
            throw ServiceError(.invalidRequest, reason: "bad_clock_skew", "binance_clock_skew_ms must be in ±\(Self.maxClockSkewMillis), got \(binanceClockSkewMillis)")
        }
        guard (-1000...1000).contains(marketTrendBps) else {
            throw ServiceError(.invalidRequest, reason: "bad_market_trend", "market_trend_bps must be in -1000…1000, got \(marketTrendBps)")
        }
        for (name, value) in [
            ("stream_delay_ms", streamDelayMillis), ("ack_delay_ms", ackDelayMillis), ("disconnect_seconds", disconnectSeconds ?? 0),
            ("binance_ban_seconds", binanceBanSeconds ?? 0), ("binance_429_seconds", binanceRateLimitSeconds ?? 0),
        ] {
            guard (0...86_400_000).contains(value) else {
                throw ServiceError(.invalidRequest, reason: "bad_fault_duration", "\(name) must be in 0…86400000, got \(value)")
            }
        }
        return self
    }

    enum CodingKeys: String, CodingKey {
        case duplicate, reject, crash
        case holdPlaces = "hold_places"
        case marketTrendBps = "market_trend_bps"
        case dropFills = "drop_fills"
        case dropOrders = "drop_orders"
        case streamDelayMillis = "stream_delay_ms"
        case ackDelayMillis = "ack_delay_ms"
        case ackTimeout = "ack_timeout"
        case disconnectSeconds = "disconnect_seconds"
        case binanceBanSeconds = "binance_ban_seconds"
        case binanceRateLimitSeconds = "binance_429_seconds"
        case binanceTimeoutAfterExecution = "binance_timeout_after_execution"
        case binanceServerErrorAfterExecution = "binance_5xx_after_execution"
        case binanceClockSkewMillis = "binance_clock_skew_ms"
        case binanceStreamSilent = "binance_stream_silent"
        case binanceStreamTerminated = "binance_stream_terminated"
    }

    /// Decodes; absent keys keep their defaults (no fault).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dropFills = try c.decodeIfPresent(ExactDecimal.self, forKey: .dropFills) ?? .zero
        dropOrders = try c.decodeIfPresent(ExactDecimal.self, forKey: .dropOrders) ?? .zero
        duplicate = try c.decodeIfPresent(ExactDecimal.self, forKey: .duplicate) ?? .zero
        streamDelayMillis = try c.decodeIfPresent(Int.self, forKey: .streamDelayMillis) ?? 0
        ackDelayMillis = try c.decodeIfPresent(Int.self, forKey: .ackDelayMillis) ?? 0
        ackTimeout = try c.decodeIfPresent(ExactDecimal.self, forKey: .ackTimeout) ?? .zero
        reject = try c.decodeIfPresent(ExactDecimal.self, forKey: .reject) ?? .zero
        disconnectSeconds = try c.decodeIfPresent(Int.self, forKey: .disconnectSeconds)
        binanceBanSeconds = try c.decodeIfPresent(Int.self, forKey: .binanceBanSeconds)
        binanceRateLimitSeconds = try c.decodeIfPresent(Int.self, forKey: .binanceRateLimitSeconds)
        binanceTimeoutAfterExecution = try c.decodeIfPresent(ExactDecimal.self, forKey: .binanceTimeoutAfterExecution) ?? .zero
        binanceServerErrorAfterExecution = try c.decodeIfPresent(ExactDecimal.self, forKey: .binanceServerErrorAfterExecution) ?? .zero
        binanceClockSkewMillis = try c.decodeIfPresent(Int.self, forKey: .binanceClockSkewMillis) ?? 0
        binanceStreamSilent = try c.decodeIfPresent(Bool.self, forKey: .binanceStreamSilent) ?? false
        binanceStreamTerminated = try c.decodeIfPresent(Bool.self, forKey: .binanceStreamTerminated) ?? false
        crash = try c.decodeIfPresent(Bool.self, forKey: .crash)
        holdPlaces = try c.decodeIfPresent(Bool.self, forKey: .holdPlaces) ?? false
        marketTrendBps = try c.decodeIfPresent(Int.self, forKey: .marketTrendBps) ?? 0
    }
}
