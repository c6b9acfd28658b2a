import BusProtocol
import Instrumentation
import Synchronization
import Tracing

/// The suite's tracer (B5), behind the swift-distributed-tracing API: spans carry W3C
/// trace context through message headers, and each finished span is handed to `sink`
/// (ServiceMain publishes it on the event plane as a lossy `span.finished` event).
public final class BusTracer: Tracer, Sendable {
    /// This process's name on every span it records.
    public let service: String
    private let ids: any IDGenerator
    private let sink: @Sendable (SpanRecord) -> Void

    /// - Parameter sink: receives every finished span; must not block.
    public init(service: String, ids: any IDGenerator = SystemIDGenerator(), sink: @escaping @Sendable (SpanRecord) -> Void) {
        self.service = service
        self.ids = ids
        self.sink = sink
    }

    /// Starts a child of the context's traceparent (a new root when there is none).
    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> BusSpan {
        var context = context()
        let parent = context.traceparent
        let traceparent = TraceContext.child(of: parent, using: ids)
        context.traceparent = traceparent
        return BusSpan(
            operationName: operationName, context: context, kind: kind, service: service,
            parentSpanId: parent.flatMap(TraceContext.spanId), isSampled: TraceContext.isSampled(traceparent),
            startNs: Int64(clamping: instant().nanosecondsSinceEpoch), sink: sink)
    }

    /// Spans are handed over as they end; nothing is buffered.
    public func forceFlush() {}

    /// Reads the carrier's traceparent into the context.
    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        if let value = extractor.extract(key: "traceparent", from: carrier), TraceContext.isValid(value) {
            context.traceparent = value
        }
    }

    /// Writes the context's traceparent into the carrier.
    public func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        if let value = context.traceparent { injector.inject(value, forKey: "traceparent", into: &carrier) }
    }
}
