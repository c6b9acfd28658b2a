import TradingModel
import VenueKit

/// Decides, with its own seeded generator, which stream messages and acks the
/// faulty venue drops, delays, duplicates or swallows (VenueFaults). Equal seeds
/// and equal request sequences give equal decisions, so a faulty run replays.
struct FaultInjector: Sendable {
    /// The kind of stream message, for the per-kind drop rates.
    enum StreamKind: Sendable {
        case tick, fill, order
    }

    /// What to do with one reply.
    struct AckPlan: Sendable, Equatable {
        /// Wait this long before replying.
        var delay: Duration
        /// Never reply (the caller times out).
        var swallow: Bool
    }

    /// The faults in force.
    private(set) var faults = VenueFaults()
    /// The stream is silent until this venue time, unix nanoseconds.
    private(set) var disconnectedUntil: Int64 = 0
    /// The Binance front answers 418 (banned) until this time, unix nanoseconds.
    private(set) var bannedUntil: Int64 = 0
    /// The Binance front answers 429 until this time, unix nanoseconds.
    private(set) var rateLimitedUntil: Int64 = 0
    private var rng: SplitMix64

    /// Creates an injector with no faults; `seed` drives every random decision.
    init(seed: UInt64) {
        rng = SplitMix64(seed: seed ^ 0xFA17_FA17_FA17_FA17)
    }

    /// Replaces the faults; a request with `disconnect_seconds` silences the stream from
    /// `now`, one with `binance_ban_seconds` or `binance_429_seconds` refuses the Binance front's
    /// requests from `now` (the timed faults are not kept in `faults`: they run out).
    mutating func set(_ faults: VenueFaults, now: Int64) {
        self.faults = faults
        self.faults.crash = nil
        let until = { (seconds: Int) in now + Int64(seconds) * 1_000_000_000 }
        if let seconds = faults.disconnectSeconds { disconnectedUntil = until(seconds) }
        if let seconds = faults.binanceBanSeconds { bannedUntil = until(seconds) }
        if let seconds = faults.binanceRateLimitSeconds { rateLimitedUntil = until(seconds) }
        self.faults.disconnectSeconds = nil
        self.faults.binanceBanSeconds = nil
        self.faults.binanceRateLimitSeconds = nil
    }

    /// Why the Binance front refuses a request at `now`, and for how many more seconds
    /// (rounded up); nil when no timed refusal is in force. A ban outranks a rate limit.
    func binanceRefusal(now: Int64) -> (banned: Bool, retryAfterSeconds: Int)? {
        let secondsLeft = { (until: Int64) in Int((until - now + 999_999_999) / 1_000_000_000) }
        if now < bannedUntil { return (true, secondsLeft(bannedUntil)) }
        if now < rateLimitedUntil { return (false, secondsLeft(rateLimitedUntil)) }
        return nil
    }

    /// The delays at which to send one stream message: empty = dropped, two = duplicated.
    mutating func streamCopies(_ kind: StreamKind, now: Int64) -> [Duration] {
        if now < disconnectedUntil { return [] }
        guard kind != .tick else { return [.zero] }
        let dropRate = kind == .fill ? faults.dropFills : faults.dropOrders
        if draw(dropRate) { return [] }
        let delay = Duration.milliseconds(faults.streamDelayMillis)
        return draw(faults.duplicate) ? [delay, delay] : [delay]
    }

    /// How to answer one request of `type`.
    mutating func ack(for type: String) -> AckPlan {
        // Instruments and fault control answer at once (a venue that cannot be configured is no test bed).
        guard type != "venue.instruments" && type != "venue.faults" else { return AckPlan(delay: .zero, swallow: false) }
        let swallow = type == "venue.place" && draw(faults.ackTimeout)
        return AckPlan(delay: .milliseconds(faults.ackDelayMillis), swallow: swallow)
    }

    /// Whether a new order is to be rejected by the fault.
    mutating func rejectsOrder() -> Bool { draw(faults.reject) }

    /// How the Binance front answers a new order it executed instead of with the order.
    enum LostReply: Sendable, Equatable {
        /// -1007: the matching engine did not answer in time (HTTP 408 here; the code decides).
        case timeout
        /// HTTP 503.
        case serverError
    }

    /// Whether the reply to a new order the Binance front just executed is lost, and how.
    mutating func binanceLostReply() -> LostReply? {
        if draw(faults.binanceTimeoutAfterExecution) { return .timeout }
        if draw(faults.binanceServerErrorAfterExecution) { return .serverError }
        return nil
    }

    /// True with probability `rate` (a fraction in [0, 1], resolution 10^-6).
    private mutating func draw(_ rate: ExactDecimal) -> Bool {
        guard rate.isPositive else { return false }
        // units are 10^-12: a millionth is 10^6 units.
        let threshold = UInt64(clamping: min(rate.units, 1_000_000_000_000) / 1_000_000)
        return rng.next() % 1_000_000 < threshold
    }
}
