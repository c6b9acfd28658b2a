import Metrics
import Synchronization

/// Watches the depth of one bounded queue against its limit and raises a
/// `queue_saturation` alert when it reaches 80 % (warning) or 95 % (critical) — at most
/// one alert per level per `cooldownMs` (30 s), so a queue that stays full does not
/// flood the operator (B2, S4). Depth and limit are also exported as gauges.
public final class QueueSaturationAlarm: Sendable {
    /// The queue's name in alerts and metrics (`bus.handlers`, `bus.outbox.rpc`).
    public let queue: String
    /// The configured limit of the queue.
    public let limit: Int
    private let cooldownMs: Int
    private let lastAlertMs = Mutex<[Int: Int]>([:])

    /// An alarm for `queue` with `limit` items at most.
    public init(queue: String, limit: Int, cooldownMs: Int = 30_000) {
        precondition(limit > 0, "a queue limit must be positive")
        self.queue = queue
        self.limit = limit
        self.cooldownMs = cooldownMs
    }

    /// The level (80 or 95) to alert for at `depth` now, or nil: below 80 %, or that
    /// level already alerted within the cooldown.
    public func check(depth: Int, nowMs: Int) -> Int? {
        let percent = depth * 100 / limit
        guard percent >= 80 else { return nil }
        let level = percent >= 95 ? 95 : 80
        return lastAlertMs.withLock { last -> Int? in
            if let previous = last[level], nowMs - previous < cooldownMs { return nil }
            last[level] = nowMs
            return level
        }
    }

    /// Samples `depth`: records the gauges and raises the alert through `bus` when due.
    public func observe(depth: Int, nowMs: Int, bus: BusConnection) {
        Gauge(label: "bw_queue_depth", dimensions: [("queue", queue)]).record(depth)
        Gauge(label: "bw_queue_limit", dimensions: [("queue", queue)]).record(limit)
        guard let level = check(depth: depth, nowMs: nowMs) else { return }
        Counter(label: "bw_alerts_total", dimensions: [("kind", "queue_saturation"), ("level", "\(level)")]).increment()
        bus.raiseAlert(
            kind: "queue_saturation", severity: level >= 95 ? .critical : .warning,
            message: "queue \(queue) is \(level) % full (\(depth) of \(limit))",
            fields: ["queue": queue, "level": "\(level)", "depth": "\(depth)", "limit": "\(limit)"])
    }
}
