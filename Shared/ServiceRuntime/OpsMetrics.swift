import Metrics
import Observability

/// Metric hooks for the services (S2), so a service records a figure with one call
/// and the label names stay in one place (`MetricNames`). All dimensions are bounded.
public enum OpsMetrics {
    /// One writer transaction: how many appends it carried and how long the commit took.
    public static func writerCommitted(batch: Int, duration: Duration) {
        Recorder(label: MetricNames.writerBatchSize).record(batch)
        Metrics.Timer(label: MetricNames.writerCommitDuration).recordNanoseconds(duration.wholeNanosecondsForMetrics)
    }

    /// The depth of a named bounded queue against its limit (for saturation dashboards).
    public static func queue(_ name: String, depth: Int, limit: Int) {
        Gauge(label: MetricNames.queueDepth, dimensions: [("queue", name)]).record(depth)
        Gauge(label: MetricNames.queueLimit, dimensions: [("queue", name)]).record(limit)
    }

    /// Items a named queue dropped or refused at its limit.
    public static func queueDropped(_ name: String, count: Int = 1) {
        Counter(label: MetricNames.queueDropped, dimensions: [("queue", name)]).increment(by: count)
    }

    /// A breaker's state for a scope (`*` for the global breaker, or a configured account —
    /// never one order): 0 closed, 1 half_open, 2 draining, 3 open (risk-service's `RiskGauge`).
    public static func breakerState(scope: String, level: Int) {
        Gauge(label: MetricNames.breakerState, dimensions: [("scope", scope)]).record(level)
    }

    /// A governor's current level for an account: 0 normal, 1 soft_brake, 2 quarantine, 3 hard_stop.
    public static func governorLevel(scope: String, level: Int) {
        Gauge(label: MetricNames.governorLevel, dimensions: [("scope", scope)]).record(level)
    }

    /// One reconciliation pass of an account by its outcome (`match`, `mismatch`, `repaired`, `failed`).
    public static func reconciliation(outcome: String) {
        Counter(label: MetricNames.reconciliations, dimensions: [("outcome", outcome)]).increment()
    }
}

extension Duration {
    /// Whole nanoseconds, saturating (a metric never traps).
    var wholeNanosecondsForMetrics: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled &+ attoseconds / 1_000_000_000
    }
}
