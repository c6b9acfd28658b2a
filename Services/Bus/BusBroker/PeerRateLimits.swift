import BusKit
import BusProtocol

/// The request rate of each authenticated key (issue 16 step 5): one token bucket per peer
/// name, so one strategy or operator flooding the bus is answered `RATE_LIMITED` while
/// everyone else is served. Confined to the bus's I/O thread, like the `Broker`.
///
/// The suite's own services are exempt: their traffic is the order path itself, already
/// bounded upstream (the gateway's submit buckets, every worker's handler limit), and a
/// throttled `journal.append` between risk and the writer would fail an order halfway.
struct PeerRateLimits {
    /// Buckets kept at most; names are authenticated (the peer list's), so this is only
    /// reached by a list of that many peers. Past it the buckets start again full.
    static let maxPeers = 10_000

    let perSecond: Int64
    let burst: Int64
    private var buckets: [String: TokenBucket] = [:]

    init(_ limits: BusLimits) {
        perSecond = limits.peerRequestsPerSecond
        burst = limits.peerRequestBurst
    }

    /// Nil if `caller` may send one more request at `nowNanos`; else `RATE_LIMITED` with
    /// the milliseconds until its next token. A plain-text bus knows nobody: nothing is limited.
    mutating func refusal(_ caller: BusPolicy.Caller, nowNanos: Int64) -> ServiceError? {
        let name: String
        switch caller {
        case .anyone, .peer(_, .service): return nil
        case .peer(let peer, _), .unlisted(let peer): name = peer
        }
        if buckets[name] == nil, buckets.count >= Self.maxPeers { buckets.removeAll(keepingCapacity: true) }
        var bucket = buckets[name] ?? TokenBucket(ratePerSecond: perSecond, burst: burst, now: nowNanos)
        defer { buckets[name] = bucket }
        guard case .wait(let milliseconds) = bucket.take(now: nowNanos) else { return nil }
        return ServiceError(
            .rateLimited, reason: "peer_rate_limit",
            "the key of '\(name)' sent more than \(perSecond) requests per second (burst \(burst)); retry in \(milliseconds) ms",
            retryAfterMs: milliseconds)
    }
}
