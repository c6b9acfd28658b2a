/// The metric labels the suite emits, in one place so dashboards and alerts can rely
/// on them. Dimensions are bounded: `service`, `type`, `outcome`, `queue`, `socket`, and
/// `scope` (`*` or an account of the configured `BW_ACCOUNTS`) — never an order id.
public enum MetricNames {
    /// Counter: requests a worker handled, by service, type and outcome (`ok` or the error code).
    public static let messagesHandled = "bw_messages_handled_total"
    /// Timer: how long a worker took to handle a request, by service and type.
    public static let messageDuration = "bw_message_handle_duration"
    /// Counter: messages over the 64 KiB limit, refused on receipt or replaced by an error
    /// before sending, by direction (`received`, `sent`); the error log names the type. Any
    /// increase is worth a look: replies are paged by bytes.
    public static let messagesTooLarge = "bw_messages_too_large_total"
    /// Counter: requests this process sent on the bus, by type.
    public static let requestsSent = "bw_requests_sent_total"
    /// Counter: events published on the event plane, by topic kind and outcome (`sent` or `dropped`).
    public static let eventsPublished = "bw_events_published_total"
    /// Counter: events dropped because this process consumed them too slowly.
    public static let eventsDropped = "bw_events_dropped_total"
    /// Gauge: messages waiting in a socket's outbox, by socket.
    public static let outboxDepth = "bw_outbox_depth"
    /// Gauge: requests waiting for replies in this process.
    public static let pendingRequests = "bw_pending_requests"
    /// Gauge: requests this worker is handling right now.
    public static let handlersRunning = "bw_handlers_running"
    /// Gauge: items in a named bounded queue, by queue (with `bw_queue_limit`: its saturation).
    public static let queueDepth = "bw_queue_depth"
    /// Gauge: the configured limit of a named queue, by queue.
    public static let queueLimit = "bw_queue_limit"
    /// Counter: items a named queue refused or dropped at its limit, by queue.
    public static let queueDropped = "bw_queue_dropped_total"
    /// Recorder (histogram): facts appended per writer transaction.
    public static let writerBatchSize = "bw_writer_batch_size"
    /// Timer: how long one writer transaction took to commit.
    public static let writerCommitDuration = "bw_writer_commit_duration"
    /// Gauge: a breaker's state per scope (0 closed, 1 half_open, 2 draining, 3 open) — for the risk-service.
    public static let breakerState = "bw_breaker_state"
    /// Gauge: a governor's level per account (0 normal … 3 hard_stop) — for the risk-service.
    public static let governorLevel = "bw_governor_level"
    /// Counter: reconciliation passes (one per account) by outcome — for the reconciler.
    public static let reconciliations = "bw_reconciliations_total"
    /// Counter: messages the bus forwarded, by kind (request, reply) and outcome.
    public static let busForwarded = "bw_bus_forwarded_total"
    /// Counter: log lines and tap records in which a secret was redacted, by where.
    public static let redactions = "bw_redactions_total"
}
