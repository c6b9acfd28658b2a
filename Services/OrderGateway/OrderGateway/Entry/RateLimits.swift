import BusKit
import BusProtocol
import Synchronization

/// Submission rate limits (G5): one token bucket per account and one for the venue.
/// A submit needs a token from both; RATE_LIMITED carries `retry_after_ms`. Only
/// configured accounts get here (validation refuses others), so the map is bounded.
public final class RateLimits: Sendable {
    /// The buckets' sizes, from configuration.
    public struct Limits: Sendable, Equatable {
        public var accountPerSecond: Int64
        public var accountBurst: Int64
        public var venuePerSecond: Int64
        public var venueBurst: Int64

        public init(accountPerSecond: Int64, accountBurst: Int64, venuePerSecond: Int64, venueBurst: Int64) {
            self.accountPerSecond = accountPerSecond
            self.accountBurst = accountBurst
            self.venuePerSecond = venuePerSecond
            self.venueBurst = venueBurst
        }
    }

    private let limits: Limits
    private let state: Mutex<(venue: TokenBucket?, accounts: [String: TokenBucket])>

    public init(_ limits: Limits) {
        self.limits = limits
        state = Mutex((nil, [:]))
    }

    /// Admits one submit for `account` at `now` (ns), or throws RATE_LIMITED.
    public func admit(account: String, now: Int64) throws(ServiceError) {
        let refusal: (scope: String, milliseconds: Int)? = state.withLock { state in
            var accountBucket = state.accounts[account]
                ?? TokenBucket(ratePerSecond: limits.accountPerSecond, burst: limits.accountBurst, now: now)
            var venueBucket = state.venue ?? TokenBucket(ratePerSecond: limits.venuePerSecond, burst: limits.venueBurst, now: now)
            defer {
                state.accounts[account] = accountBucket
                state.venue = venueBucket
            }
            if case .wait(let ms) = accountBucket.take(now: now) { return ("account", ms) }
            if case .wait(let ms) = venueBucket.take(now: now) {
                accountBucket.giveBack()
                return ("venue", ms)
            }
            return nil
        }
        if let refusal {
            throw ServiceError(
                .rateLimited, reason: "\(refusal.scope)_rate_limit",
                "too many submits for this \(refusal.scope); retry in \(refusal.milliseconds) ms", retryAfterMs: refusal.milliseconds)
        }
    }
}
