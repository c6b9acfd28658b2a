/// The saturation alarms of one bus connection's bounded queues: requests waiting
/// for replies, handlers running, and each socket outbox (B2).
struct SaturationAlarms: Sendable {
    let pending: QueueSaturationAlarm
    let handlers: QueueSaturationAlarm
    let outboxes: [String: QueueSaturationAlarm]

    init(configuration: BusConnection.Configuration, outboxLimit: Int) {
        pending = QueueSaturationAlarm(queue: "bus.pending_requests", limit: configuration.maxPendingRequests)
        handlers = QueueSaturationAlarm(queue: "bus.handlers", limit: configuration.maxConcurrentHandlers)
        outboxes = [
            "rpc": QueueSaturationAlarm(queue: "bus.outbox.rpc", limit: outboxLimit),
            "events": QueueSaturationAlarm(queue: "bus.outbox.events", limit: outboxLimit),
        ]
    }

    /// Samples every queue (on the I/O tick); alerts go out through `bus`.
    func observe(pending depth: Int, handlers running: Int, outboxes depths: [(socket: String, depth: Int)], bus: BusConnection) {
        let now = BusConnection.nowMs()
        pending.observe(depth: depth, nowMs: now, bus: bus)
        if bus.servedService != nil { handlers.observe(depth: running, nowMs: now, bus: bus) }
        for outbox in depths { outboxes[outbox.socket]?.observe(depth: outbox.depth, nowMs: now, bus: bus) }
    }
}
