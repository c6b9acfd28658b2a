import Logging
import Synchronization

/// Logs a queue's saturation at 80 % and 95 %, each at most once per 30 s.
final class SaturationAlarm: Sendable {
    private let name: String
    private let logger: Logger
    private let lastAlertMs = Mutex<[Int: Int]>([:])
    private let interval: Int
    private let now: @Sendable () -> Int

    init(name: String, logger: Logger, intervalMs: Int = 30_000, now: @escaping @Sendable () -> Int) {
        self.name = name
        self.logger = logger
        self.interval = intervalMs
        self.now = now
    }

    /// Notes the queue's depth; logs (and returns) the level crossed, 95 or 80, unless
    /// that level was already logged in the last `intervalMs`.
    @discardableResult
    func observe(depth: Int, limit: Int) -> Int? {
        let percent = depth * 100 / max(limit, 1)
        guard let level = [95, 80].first(where: { percent >= $0 }) else { return nil }
        let t = now()
        let due = lastAlertMs.withLock { last -> Bool in
            guard t - last[level, default: Int.min / 2] >= interval else { return false }
            last[level] = t
            return true
        }
        guard due else { return nil }
        logger.warning("queue.saturation", metadata: ["queue": "\(name)", "level": "\(level)", "depth": "\(depth)", "limit": "\(limit)"])
        return level
    }
}
