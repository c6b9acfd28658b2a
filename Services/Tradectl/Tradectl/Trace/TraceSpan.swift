import Foundation
import GRDB

/// One stored span, as `tradectl trace` reads it from the `spans` table.
struct TraceSpan: Sendable, Equatable {
    var traceId: String
    var spanId: String
    var parentSpanId: String?
    var service: String
    var name: String
    var startNs: Int64
    var endNs: Int64
    var attributes: [String: String]

    var durationNs: Int64 { endNs - startNs }
    /// Time between the sender creating the message and this span starting (bus queueing + transit).
    var queuedNs: Int64? { attributes["queued_ns"].flatMap { Int64($0) } }
    var outcome: String { attributes["outcome"] ?? "?" }

    init(row: Row) {
        traceId = row["trace_id"]
        spanId = row["span_id"]
        parentSpanId = row["parent_span_id"]
        service = row["service"]
        name = row["name"]
        startNs = row["start_ns"]
        endNs = row["end_ns"]
        let text: String? = row["attributes"]
        attributes = text.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
    }

    init(
        traceId: String, spanId: String, parentSpanId: String?, service: String, name: String, startNs: Int64, endNs: Int64,
        attributes: [String: String]
    ) {
        self.traceId = traceId
        self.spanId = spanId
        self.parentSpanId = parentSpanId
        self.service = service
        self.name = name
        self.startNs = startNs
        self.endNs = endNs
        self.attributes = attributes
    }
}
