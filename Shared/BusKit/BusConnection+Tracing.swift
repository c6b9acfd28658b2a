import BusProtocol
import Foundation
import Instrumentation
import Tracing

extension BusConnection {
    /// Runs `handler` for one request inside a server span that is a child of the
    /// request's traceparent (B5): name = message type; attributes `key`, `message_id`,
    /// `queued_ns` (the sender's header time to now: bus queueing and transit) and `outcome`.
    /// Requests the handler sends inherit the span as their parent (see `makeHeader`).
    func handleTraced(
        _ message: Message, _ handler: @escaping @Sendable (Message) async throws(ServiceError) -> Data
    ) async -> Result<Data, ServiceError> {
        var context = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(message.header, into: &context, using: HeaderExtractor())
        let queuedNs = max(0, WallClock.nowNanos() - message.header.ts)
        return await withSpan(message.header.type, context: context, ofKind: .server) { span in
            span.attributes["key"] = message.header.key ?? "-"
            span.attributes["message_id"] = message.header.id
            span.attributes["queued_ns"] = queuedNs
            let result: Result<Data, ServiceError>
            do throws(ServiceError) {
                result = .success(try await handler(message))
            } catch {
                result = .failure(error)
                span.attributes["outcome"] = error.code.rawValue
            }
            return result
        }
    }

    /// Runs `body` (a call this process makes to another service, e.g. the venue adapter's
    /// `venue.place`) inside a client span named `name`; requests sent inside carry it as parent.
    public func withClientSpan<T, Failure: Error>(
        _ name: String, key: String? = nil, _ body: () async -> Result<T, Failure>
    ) async -> Result<T, Failure> {
        await withSpan(name, ofKind: .client) { span in
            span.attributes["key"] = key ?? "-"
            let result = await body()
            if case .failure = result { span.attributes["outcome"] = "error" }
            return result
        }
    }

    /// The traceparent a new outgoing header gets: the current span's (so the receiver's
    /// span is its child) when `explicit` is absent or of the same trace; otherwise
    /// `explicit`; otherwise a new root (the edge of a trace).
    func outgoingTraceparent(_ explicit: String?) -> String {
        if let current = ServiceContext.current?.traceparent {
            guard let explicit, TraceContext.isValid(explicit) else { return current }
            return TraceContext.sameTrace(current, explicit) ? current : explicit
        }
        return explicit ?? TraceContext.newRoot(using: ids)
    }
}

/// Runs `body` (a consumer applying an event, e.g. a journal fact) inside a consumer
/// span that is a child of the event header's traceparent, so a trace shows who acted
/// on a fact (risk's ledger, the reconciler) after the hop that committed it (B5).
public func withEventSpan<T>(
    _ name: String, following header: Header, isolation: isolated (any Actor)? = #isolation, _ body: () async -> T
) async -> T {
    var context = ServiceContext.topLevel
    InstrumentationSystem.instrument.extract(header, into: &context, using: HeaderExtractor())
    guard let traceparent = context.traceparent else { return await body() }
    // An unsampled trace records no consumer span (its outcome is always ok): the body runs
    // in the event's context, so what it sends stays in the same, unsampled, trace.
    guard TraceContext.isSampled(traceparent) else {
        return await ServiceContext.withValue(context, isolation: isolation) { await body() }
    }
    return await withSpan(name, context: context, ofKind: .consumer, isolation: isolation) { span in
        span.attributes["key"] = header.key ?? "-"
        span.attributes["message_id"] = header.id
        span.attributes["queued_ns"] = max(0, WallClock.nowNanos() - header.ts)
        return await body()
    }
}
