import Instrumentation
import Synchronization
import Tracing

/// One span of the `BusTracer`: records name, attributes and status until `end`,
/// then becomes a `SpanRecord` (once; later calls are ignored) — when its trace is
/// sampled or its outcome is an error; otherwise it only carries the trace context.
public final class BusSpan: Span, Sendable {
    private struct State {
        var operationName: String
        var attributes: SpanAttributes = [:]
        var errorCode: String?
        var ended = false
    }

    /// The context holding this span's own traceparent (children use it as parent).
    public let context: ServiceContext
    private let kind: SpanKind
    private let service: String
    private let parentSpanId: String?
    /// The trace's sampled flag: an unsampled span is recorded only if it ends in an error.
    private let isSampled: Bool
    private let startNs: Int64
    private let sink: @Sendable (SpanRecord) -> Void
    private let state: Mutex<State>

    init(
        operationName: String, context: ServiceContext, kind: SpanKind, service: String, parentSpanId: String?,
        isSampled: Bool, startNs: Int64, sink: @escaping @Sendable (SpanRecord) -> Void
    ) {
        self.context = context
        self.kind = kind
        self.service = service
        self.parentSpanId = parentSpanId
        self.isSampled = isSampled
        self.startNs = startNs
        self.sink = sink
        self.state = Mutex(State(operationName: operationName))
    }

    /// The span's name (the message type).
    public var operationName: String {
        get { state.withLock { $0.operationName } }
        set { state.withLock { $0.operationName = newValue } }
    }

    /// Bounded details; strings and integers are kept, other values dropped.
    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { $0.attributes = newValue } }
    }

    /// Whether this span is still open.
    public var isRecording: Bool { !state.withLock { $0.ended } }

    /// An error status marks the outcome (the message, not free text, becomes the code).
    public func setStatus(_ status: SpanStatus) {
        guard status.code == .error else { return }
        state.withLock { $0.errorCode = $0.errorCode ?? (status.message ?? "error") }
    }

    /// Events are not kept (spans stay small on a lossy plane).
    public func addEvent(_ event: SpanEvent) {}

    /// Records an error as the outcome unless one was set.
    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        state.withLock { $0.errorCode = $0.errorCode ?? "error" }
    }

    /// Links are not kept.
    public func addLink(_ link: SpanLink) {}

    /// Finishes the span and hands its record to the sink (once).
    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let endNs = Int64(clamping: instant().nanosecondsSinceEpoch)
        guard let finished = state.withLock({ state -> State? in
            guard !state.ended else { return nil }
            state.ended = true
            return state
        }) else { return }
        // Head sampling: an unsampled trace costs no span, except one that ends in an error
        // (a refused or failed request is always worth seeing). Decided before anything is built.
        let outcome = Self.text(finished.attributes.get("outcome")) ?? finished.errorCode ?? "ok"
        guard isSampled || outcome != "ok" else { return }
        guard let traceparent = context.traceparent, let traceId = TraceContext.traceId(traceparent),
            let spanId = TraceContext.spanId(traceparent)
        else { return }
        var attributes: [String: String] = ["kind": "\(kind)"]
        finished.attributes.forEach { key, value in
            if let text = Self.text(value) { attributes[key] = text }
        }
        attributes["outcome"] = outcome
        sink(SpanRecord(
            traceId: traceId, spanId: spanId, parentSpanId: parentSpanId, service: service,
            name: finished.operationName, startNs: startNs, endNs: max(endNs, startNs), attributes: attributes))
    }

    /// A kept attribute's text: strings and integers; other values are dropped.
    private static func text(_ value: SpanAttribute?) -> String? {
        switch value {
        case .string(let text): text
        case .int64(let number): String(number)
        case .int32(let number): String(number)
        default: nil
        }
    }
}
