/// The system-health triggers of the global breaker: the risk-service's own resident
/// memory (RSS) and its CPU use over a window. A replica that runs out of memory or CPU
/// answers late and decides on stale state, so no new risk anywhere until it recovers.
///
/// A pure value fed samples by the service (`ProcessSampler` reads /proc); CPU and RSS are
/// plain integers. The venue API's error rate is the existing `venue_error_rate` trigger.
public struct SystemHealthTrigger: Sendable, Equatable {
    /// Its thresholds (docs/configuration.md, `BW_RISK_BREAKER_MAX_RSS_MB`, `BW_RISK_BREAKER_MAX_CPU_PCT`).
    public struct Settings: Sendable, Equatable {
        /// Trips above this resident memory, bytes (0: off).
        public var maxRSSBytes: Int64 = 4_096 * 1_048_576
        /// Trips when CPU use over the whole window reaches this, percent of one core (0: off).
        public var maxCPUPercent = 95
        /// The CPU window, nanoseconds: the samples must span all of it before CPU counts.
        public var cpuWindowNanos: Int64 = 300_000_000_000
        /// The bound of the window.
        public var maxWindowSamples = 10_000

        /// The documented defaults.
        public init() {}
    }

    /// One reading of the process.
    public struct Sample: Sendable, Equatable {
        /// When it was read, unix nanoseconds.
        public var at: Int64
        /// CPU time used so far (user + system), nanoseconds.
        public var cpuNanos: Int64
        /// Resident memory, bytes.
        public var rssBytes: Int64

        /// Creates a sample.
        public init(at: Int64, cpuNanos: Int64, rssBytes: Int64) {
            self.at = at
            self.cpuNanos = cpuNanos
            self.rssBytes = rssBytes
        }
    }

    /// Its thresholds.
    public let settings: Settings
    private(set) var samples: [Sample] = []

    /// No samples yet.
    public init(settings: Settings) {
        self.settings = settings
    }

    /// One reading; keeps the newest sample at or before the window's start, so the window stays covered.
    public mutating func record(_ sample: Sample) {
        samples.append(sample)
        while samples.count > 2, sample.at - samples[1].at >= settings.cpuWindowNanos { samples.removeFirst() }
        if samples.count > settings.maxWindowSamples { samples.removeFirst(samples.count - settings.maxWindowSamples) }
    }

    /// CPU use over the window, percent of one core (nil until the samples span the window).
    public var cpuPercent: Int? {
        guard let first = samples.first, let last = samples.last, last.at - first.at >= settings.cpuWindowNanos else { return nil }
        return Int((last.cpuNanos - first.cpuNanos) * 100 / (last.at - first.at))
    }

    /// `memory_rss` or `cpu_usage`, or nil.
    public var alarm: String? {
        if settings.maxRSSBytes > 0, let last = samples.last, last.rssBytes > settings.maxRSSBytes { return "memory_rss" }
        if settings.maxCPUPercent > 0, let cpu = cpuPercent, cpu >= settings.maxCPUPercent { return "cpu_usage" }
        return nil
    }
}
