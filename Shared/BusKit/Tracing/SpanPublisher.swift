import BusProtocol
import Metrics

/// Sends finished spans on the event plane (lossy, B5) through this process's serving
/// bus connection; a span that finds no connection or a full outbox is dropped and
/// counted (`bw_spans_dropped_total`), never waited for.
public enum SpanPublisher {
    /// Publishes `record` under `SpanRecord.topic`.
    public static func publish(_ record: SpanRecord) {
        guard let bus = BusConnection.liveConnections.first(where: { $0.servedService != nil && $0.configuration.publishesEvents }) else {
            Counter(label: "bw_spans_dropped_total", dimensions: [("reason", "no_connection")]).increment()
            return
        }
        var header = Header(
            id: bus.ids.messageId(), type: SpanRecord.topic, ts: WallClock.nowNanos(),
            traceparent: "00-\(record.traceId)-\(record.spanId)-01")
        header.key = record.attributes["key"]
        if !bus.publish(topic: SpanRecord.topic, header: header, body: WireCodec.encode(record)) {
            Counter(label: "bw_spans_dropped_total", dimensions: [("reason", "outbox_full")]).increment()
        }
    }
}
