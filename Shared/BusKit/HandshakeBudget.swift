import Synchronization

/// How many refused handshakes each source address may have logged one by one (issue 16
/// step 5): a token bucket per address, and one for all addresses together (so a flood
/// from many addresses is bounded too). Past its budget a refusal is still a refusal,
/// only counted, not logged: a flood of unknown connections then costs no log line, no
/// disk and no log-handler time per attempt. Thread-safe (the ZAP handler's thread asks).
///
/// It never refuses a key the peer list admits: addresses are shared (NAT, a host's many
/// processes), and a known key from a flooding address must still get in.
public final class HandshakeBudget: Sendable {
    /// Addresses tracked at most (IPv6 gives an attacker many): past it they start again.
    public static let maxAddresses = 4_096
    /// The all-addresses bucket is this many addresses' budgets.
    public static let sharedFactor: Int64 = 10
    /// Refusals per second per address logged one by one, unless configured otherwise.
    public static let defaultPerSecond: Int64 = 5
    /// Refusals one address may have logged at once, unless configured otherwise.
    public static let defaultBurst: Int64 = 20

    /// What one refusal may cost.
    public enum Outcome: Equatable, Sendable {
        /// Within the address's budget: log it.
        case withinBudget
        /// Over it: count it only; `first` is the first refusal over budget since the
        /// address was last within it (log the address once per flood).
        case overBudget(first: Bool)
    }

    private struct Address {
        var bucket: TokenBucket
        var throttled = false
    }

    private let perSecond: Int64
    private let burst: Int64
    private let state: Mutex<(shared: TokenBucket?, addresses: [String: Address])> = Mutex((nil, [:]))

    public init(perSecond: Int64, burst: Int64) {
        self.perSecond = perSecond
        self.burst = burst
    }

    /// Spends one refusal of `address` at `nowNanos` (a monotonic clock).
    public func spend(address: String, nowNanos: Int64) -> Outcome {
        state.withLock { state in
            if state.addresses[address] == nil, state.addresses.count >= Self.maxAddresses {
                state.addresses.removeAll(keepingCapacity: true)
            }
            var entry = state.addresses[address] ?? Address(bucket: TokenBucket(ratePerSecond: perSecond, burst: burst, now: nowNanos))
            var shared = state.shared
                ?? TokenBucket(ratePerSecond: perSecond * Self.sharedFactor, burst: burst * Self.sharedFactor, now: nowNanos)
            defer {
                state.addresses[address] = entry
                state.shared = shared
            }
            if entry.bucket.take(now: nowNanos) == .taken {
                if shared.take(now: nowNanos) == .taken {
                    entry.throttled = false
                    return .withinBudget
                }
                entry.bucket.giveBack()
            }
            defer { entry.throttled = true }
            return .overBudget(first: !entry.throttled)
        }
    }
}
