/// Reply of `recon.status` (`tradectl recon status`): the reconciler's statistics.
public struct ReconcilerStatus: Codable, Sendable, Equatable {
    /// Always true in a reply.
    public var alive = true
    /// Facts folded since start.
    public var factsSeen = 0
    /// The last journal seq folded.
    public var lastSeq: Int64 = 0
    /// Reconciliations of every account finished since start.
    public var runs = 0
    /// Of those, started at once by a stream gap or reconnect.
    public var triggeredRuns = 0
    /// Passes that could not finish (venue or writer unreachable).
    public var failedRuns = 0
    /// Mismatches beyond the tolerance found.
    public var desyncs = 0
    /// Facts written to repair the journal (missed fills, order states).
    public var repairs = 0
    /// Pending intents found at the venue and adopted.
    public var adopted = 0
    /// Pending intents absent at the venue after the grace period, failed.
    public var failedIntents = 0
    /// Venue orders the journal never saw, adopted.
    public var externalOrders = 0
    /// Stale positions force-closed.
    public var forceClosed = 0
    /// Stream gaps seen (dropped messages).
    public var streamGaps = 0
    /// Stream reconnects seen (silence, or a restarted venue).
    public var streamReconnects = 0
    /// Accounts that passed startup reconciliation.
    public var readyAccounts: [String] = []
    /// When the last run finished, unix nanoseconds; 0 before the first.
    public var lastRunTs: Int64 = 0
    /// How long the last run took, milliseconds.
    public var lastRunMillis: Int64 = 0

    /// An empty status.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case alive, runs, desyncs, repairs, adopted
        case factsSeen = "facts_seen"
        case lastSeq = "last_seq"
        case triggeredRuns = "triggered_runs"
        case failedRuns = "failed_runs"
        case failedIntents = "failed_intents"
        case externalOrders = "external_orders"
        case forceClosed = "force_closed"
        case streamGaps = "stream_gaps"
        case streamReconnects = "stream_reconnects"
        case readyAccounts = "ready_accounts"
        case lastRunTs = "last_run_ts"
        case lastRunMillis = "last_run_ms"
    }
}
