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

    func observe(depth: Int, limit: Int) {
        let percent = depth * 100 / max(limit, 1)
        guard let level = [95, 80].first(where: { percent >= $0 }) else { return }
        let t = now()
        let due = lastAlertMs.withLock { last -> Bool in
            guard t - last[level, default: Int.min / 2] >= interval else { return false }
            last[level] = t
            return true
        }
        if due {
            logger.warning("queue.saturation", metadata: ["queue": "\(name)", "level": "\(level)", "depth": "\(depth)", "limit": "\(limit)"])
        }
    }
}
