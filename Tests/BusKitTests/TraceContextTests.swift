import BusKit
import Synchronization
import Tracing
import Testing

@Suite("W3C traceparent checks")
struct TraceContextTests {
    static let good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func aWellFormedTraceparentIsValid() {
        #expect(TraceContext.isValid(Self.good))
        #expect(TraceContext.traceId(Self.good) == "4bf92f3577b34da6a3ce929d0e0e4736")
    }

    @Test(arguments: [
        "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x", "00-4bf92f3577b34da6a3ce929d0e0e47３-00f067aa0ba902b7-01",
    ])
    func malformedTraceparentsAreInvalid(value: String) {
        #expect(!TraceContext.isValid(value))
    }

    @Test("a root carries the head decision in its flags, and every child keeps them")
    func sampledFlagTravelsToChildren() {
        let ids = SystemIDGenerator()
        let sampled = TraceContext.newRoot(using: ids, sampled: true)
        let unsampled = TraceContext.newRoot(using: ids, sampled: false)
        #expect(TraceContext.isValid(sampled) && TraceContext.isValid(unsampled))
        #expect(TraceContext.isSampled(sampled))
        #expect(!TraceContext.isSampled(unsampled))
        let child = TraceContext.child(of: sampled, using: ids)
        #expect(TraceContext.isSampled(child))
        #expect(TraceContext.traceId(child) == TraceContext.traceId(sampled))
        #expect(child != sampled)
        let grandchild = TraceContext.child(of: TraceContext.child(of: unsampled, using: ids), using: ids)
        #expect(!TraceContext.isSampled(grandchild))
        #expect(TraceContext.traceId(grandchild) == TraceContext.traceId(unsampled))
        #expect(!TraceContext.isSampled("not a traceparent"))
        #expect(TraceContext.isSampled("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03"))
    }
}

@Suite("spans under head sampling")
struct HeadSampledSpanTests {
    /// The records a tracer handed to its sink.
    final class Records: Sendable {
        let all = Mutex<[SpanRecord]>([])
    }

    static func tracer(_ records: Records) -> BusTracer {
        BusTracer(service: "probe") { record in records.all.withLock { $0.append(record) } }
    }

    static func context(_ traceparent: String) -> ServiceContext {
        var context = ServiceContext.topLevel
        context.traceparent = traceparent
        return context
    }

    @Test("the fields of a traceparent, and whether two share a trace")
    func fieldsAndSameTrace() {
        let ids = SystemIDGenerator()
        #expect(TraceContext.spanId(TraceContextTests.good) == "00f067aa0ba902b7")
        #expect(TraceContext.spanId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7") == nil)
        let child = TraceContext.child(of: TraceContextTests.good, using: ids)
        #expect(child.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-") && child.hasSuffix("-01") && TraceContext.isValid(child))
        #expect(TraceContext.sameTrace(child, TraceContextTests.good))
        #expect(!TraceContext.sameTrace(TraceContext.newRoot(using: ids), TraceContextTests.good))
        #expect(!TraceContext.sameTrace("garbage", TraceContextTests.good))
    }

    @Test("a sampled span is recorded with its ids and its parent; an unsampled one only when it ends in an error")
    func onlySampledOrFailedSpansAreRecorded() {
        let records = Records(), tracer = Self.tracer(records)
        let sampled = tracer.startSpan("sampled.ok", context: Self.context(TraceContextTests.good), ofKind: .server, at: DefaultTracerClock.now)
        sampled.attributes["key"] = "acct-1"
        sampled.end(at: DefaultTracerClock.now)
        sampled.end(at: DefaultTracerClock.now)  // once

        let unsampledParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"
        let quiet = tracer.startSpan("unsampled.ok", context: Self.context(unsampledParent), ofKind: .server, at: DefaultTracerClock.now)
        quiet.end(at: DefaultTracerClock.now)
        let refused = tracer.startSpan("unsampled.refused", context: Self.context(unsampledParent), ofKind: .server, at: DefaultTracerClock.now)
        refused.attributes["outcome"] = "RISK_REJECTED"
        refused.end(at: DefaultTracerClock.now)
        let failed = tracer.startSpan("unsampled.failed", context: Self.context(unsampledParent), ofKind: .client, at: DefaultTracerClock.now)
        failed.setStatus(SpanStatus(code: .error, message: "TIMEOUT"))
        failed.end(at: DefaultTracerClock.now)

        let all = records.all.withLock { $0 }
        #expect(all.map(\.name) == ["sampled.ok", "unsampled.refused", "unsampled.failed"])
        let first = all[0]
        #expect(first.traceId == "4bf92f3577b34da6a3ce929d0e0e4736" && first.parentSpanId == "00f067aa0ba902b7")
        #expect(first.spanId.count == 16 && first.spanId != "00f067aa0ba902b7" && TraceContext.spanId(sampled.context.traceparent ?? "") == first.spanId)
        #expect(first.attributes == ["kind": "server", "key": "acct-1", "outcome": "ok"])
        #expect(all[1].attributes["outcome"] == "RISK_REJECTED" && all[2].attributes["outcome"] == "TIMEOUT")
        #expect(all.allSatisfy { $0.service == "probe" && $0.endNs >= $0.startNs })
    }
}
