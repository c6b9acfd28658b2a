/// A token bucket in integer arithmetic: `ratePerSecond` tokens refill per second
/// up to `burst`. Time is passed in (nanoseconds), so tests drive it without sleeping. The
/// gateway's submit limits (G5) and the bus's per-peer and handshake limits use it.
public struct TokenBucket: Sendable, Equatable {
    /// Tokens added per second.
    public let ratePerSecond: Int64
    /// The bucket's capacity: how many takes may arrive at once.
    public let burst: Int64
    /// Current content in nano-tokens (1 token = 1e9), so refills never round away.
    private var nanoTokens: Int64
    private var refilledAt: Int64

    private static let oneToken: Int64 = 1_000_000_000

    public init(ratePerSecond: Int64, burst: Int64, now: Int64) {
        precondition(ratePerSecond > 0 && burst > 0, "a token bucket needs a positive rate and burst")
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        nanoTokens = burst * Self.oneToken
        refilledAt = now
    }

    /// Takes one token, or says after how many milliseconds one will be there.
    public mutating func take(now: Int64) -> TakeResult {
        refill(now: now)
        guard nanoTokens >= Self.oneToken else {
            let missing = Self.oneToken - nanoTokens
            // Nanoseconds until `missing` nano-tokens accrue at `ratePerSecond` tokens/s, rounded up to a millisecond.
            let waitNanos = (missing + ratePerSecond - 1) / ratePerSecond
            return .wait(milliseconds: Int((waitNanos + 999_999) / 1_000_000))
        }
        nanoTokens -= Self.oneToken
        return .taken
    }

    /// Gives back a token taken for something another bucket then refused.
    public mutating func giveBack() {
        nanoTokens = min(nanoTokens + Self.oneToken, burst * Self.oneToken)
    }

    private mutating func refill(now: Int64) {
        guard now > refilledAt else { return }
        let elapsed = now - refilledAt
        let capacity = burst * Self.oneToken
        // elapsed (ns) × rate (tokens/s) = nano-tokens; capped so the product cannot overflow.
        let added = elapsed >= capacity / ratePerSecond ? capacity : elapsed * ratePerSecond
        nanoTokens = min(capacity, nanoTokens + added)
        refilledAt = now
    }

    /// The outcome of `take`.
    public enum TakeResult: Sendable, Equatable {
        case taken
        case wait(milliseconds: Int)
    }
}
