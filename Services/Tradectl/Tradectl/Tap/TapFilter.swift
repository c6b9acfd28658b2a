/// Which tapped messages `tradectl tap` prints: every given criterion must hold.
struct TapFilter: Sendable, Equatable {
    /// A message type or type prefix (`order.` matches `order.submit` and `order.submit.ok`).
    var type: String?
    /// The service a request was addressed to, or a peer the hop went from or to.
    var service: String?
    /// The account (the routing key of keyed requests).
    var account: String?
    /// A trace id (32 hex) or a whole traceparent.
    var trace: String?

    /// Whether `record` passes every criterion given.
    func matches(_ record: TapRecordView) -> Bool {
        if let type, !record.header.type.hasPrefix(type) { return false }
        if let service {
            let peers = [record.header.service, TapRecordView.peerName(record.hop.from), TapRecordView.peerName(record.hop.to)]
            guard peers.contains(service) else { return false }
        }
        if let account, record.header.key != account { return false }
        if let trace {
            let wanted = TraceContextPattern.traceId(of: trace)
            guard record.traceId == wanted else { return false }
        }
        return true
    }
}

/// Accepts a trace id or a whole traceparent where a trace is asked for.
enum TraceContextPattern {
    /// The 32-hex trace id inside `value` (a traceparent) or `value` itself, lowercased.
    static func traceId(of value: String) -> String {
        let parts = value.lowercased().split(separator: "-")
        return parts.count == 4 ? String(parts[1]) : value.lowercased()
    }
}
