import BusKit
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
