/// One finished span as it travels on the event plane (topic `span.finished`, lossy)
/// and is stored by the writer in the `spans` table (B5).
public struct SpanRecord: Codable, Sendable, Equatable {
    /// The event-plane topic spans are published under.
    public static let topic = "span.finished"

    /// 32 lowercase hex: the trace this span belongs to.
    public var traceId: String
    /// 16 lowercase hex.
    public var spanId: String
    /// The span that caused this one (the sender's span), if any.
    public var parentSpanId: String?
    /// The process that recorded it (`risk-service`).
    public var service: String
    /// What was done: the message type handled (`risk.authorize`) or called (`venue.place`).
    public var name: String
    /// Wall-clock start, unix nanoseconds.
    public var startNs: Int64
    /// Wall-clock end, unix nanoseconds (≥ `startNs`).
    public var endNs: Int64
    /// Bounded details: `kind` (server/client), `key` (account), `outcome` (ok or an error
    /// code), `queued_ns` (bus queueing: from the sender's header time to this start), `message_id`.
    public var attributes: [String: String]

    /// A span record; see the properties.
    public init(
        traceId: String, spanId: String, parentSpanId: String?, service: String, name: String,
        startNs: Int64, endNs: Int64, attributes: [String: String]
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

    enum CodingKeys: String, CodingKey {
        case traceId = "trace_id", spanId = "span_id", parentSpanId = "parent_span_id", service, name
        case startNs = "start_ns", endNs = "end_ns", attributes
    }

    /// Whether the ids are well-formed hex of the right lengths (the writer stores nothing else).
    public var isValid: Bool {
        // Lowercase hex, checked byte by byte (Character properties were a hot spot in the writer).
        func hex(_ s: String, _ n: Int) -> Bool {
            s.utf8.count == n && s.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
        }
        return hex(traceId, 32) && hex(spanId, 16) && (parentSpanId.map { hex($0, 16) } ?? true)
            && !service.isEmpty && service.utf8.count <= 64 && !name.isEmpty && name.utf8.count <= 64
            && endNs >= startNs && attributes.count <= 16
    }
}
