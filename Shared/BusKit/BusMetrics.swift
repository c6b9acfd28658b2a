import BusProtocol
import Metrics
import Synchronization

/// The bus-side metrics of a process (S2), recorded through swift-metrics so the
/// Prometheus backend ServiceMain installs exports them. Dimensions are bounded:
/// a type the worker does not know is counted as `unknown`.
enum BusMetrics {
    /// A request handled by a worker of `service`: counted by outcome and timed.
    static func handled(service: String, type: String, outcome: Result<Void, ServiceError>, duration: Duration) {
        let code: String
        let knownType: String
        switch outcome {
        case .success:
            code = "ok"
            knownType = type
        case .failure(let error):
            code = error.code.rawValue.lowercased()
            knownType = error.code == .unknownType ? "unknown" : type
        }
        let handles = handledHandles(HandledKey(service: service, type: knownType, outcome: code))
        handles.counter.increment()
        handles.timer.recordNanoseconds(duration.wholeNanoseconds)
    }

    private struct HandledKey: Hashable {
        var service: String, type: String, outcome: String
    }

    /// Distinct (service, type, outcome) handles kept; past it, handles are made per call
    /// as before (a worker sees a few dozen types, so the limit is only a guard).
    static let cachedHandleLimit = 1_024
    private static let cachedHandles = Mutex<[HandledKey: (counter: Counter, timer: Metrics.Timer)]>([:])

    /// The metric handles of one (service, type, outcome), made once: a lookup in the
    /// metrics factory per handled message showed on every hop.
    private static func handledHandles(_ key: HandledKey) -> (counter: Counter, timer: Metrics.Timer) {
        if let handles = cachedHandles.withLock({ $0[key] }) { return handles }
        let handles = (
            counter: Counter(label: "bw_messages_handled_total", dimensions: [("service", key.service), ("type", key.type), ("outcome", key.outcome)]),
            timer: Metrics.Timer(label: "bw_message_handle_duration", dimensions: [("service", key.service), ("type", key.type)]))
        cachedHandles.withLock { cache in
            if cache.count < cachedHandleLimit { cache[key] = handles }
        }
        return handles
    }

    /// A request refused before any handler ran (overloaded, deadline passed, malformed).
    static func refused(service: String, reason: String) {
        Counter(label: "bw_messages_handled_total", dimensions: [("service", service), ("type", "refused"), ("outcome", reason)]).increment()
    }

    /// A message over the size limit, `received` (and refused) or about to be `sent` (and
    /// replaced by an error). The type is in the error log, not a dimension: a peer may
    /// send any type, and dimensions stay bounded.
    static func tooLarge(direction: String) {
        Counter(label: "bw_messages_too_large_total", dimensions: [("direction", direction)]).increment()
    }

    /// An event publish: `sent` or `dropped` (outbox full).
    static func published(sent: Bool) {
        (sent ? publishedSent : publishedDropped).increment()
    }

    private static let publishedSent = Counter(label: "bw_events_published_total", dimensions: [("outcome", "sent")])
    private static let publishedDropped = Counter(label: "bw_events_published_total", dimensions: [("outcome", "dropped")])

    /// An event dropped because this process consumed too slowly.
    static func eventDropped() {
        Counter(label: "bw_events_dropped_total").increment()
    }

    /// Depth gauges, sampled every I/O tick.
    static func sample(pending: Int, handlers: Int, outboxes: [(socket: String, depth: Int)]) {
        Gauge(label: "bw_pending_requests").record(pending)
        Gauge(label: "bw_handlers_running").record(handlers)
        for outbox in outboxes {
            Gauge(label: "bw_outbox_depth", dimensions: [("socket", outbox.socket)]).record(outbox.depth)
        }
    }
}
