/// W3C trace context (`traceparent`) helpers.
public enum TraceContext {
    /// Whether `value` is `<2 hex>-<32 hex>-<16 hex>-<2 hex>` in lowercase ASCII hex with
    /// non-zero ids. Checked byte by byte: every message on the bus goes through it.
    public static func isValid(_ value: String) -> Bool {
        let utf8 = value.utf8
        return utf8.withContiguousStorageIfAvailable(isValid(bytes:)) ?? Array(utf8).withUnsafeBufferPointer(isValid(bytes:))
    }

    private static func isValid(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 55 else { return false }
        var traceZero = true, spanZero = true
        for (index, byte) in bytes.enumerated() {
            if index == 2 || index == 35 || index == 52 {
                guard byte == UInt8(ascii: "-") else { return false }
                continue
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            else { return false }
            if byte != UInt8(ascii: "0") {
                if (3..<35).contains(index) { traceZero = false }
                if (36..<52).contains(index) { spanZero = false }
            }
        }
        return !traceZero && !spanZero
    }

    /// The trace id (32 hex) of a valid traceparent.
    public static func traceId(_ traceparent: String) -> String? {
        guard isValid(traceparent) else { return nil }
        return String(traceparent.split(separator: "-")[1])
    }

    /// A new root traceparent; `sampled` (default: the head decision of `TraceSampling`)
    /// sets the W3C sampled flag, which every child keeps.
    public static func newRoot(using ids: some IDGenerator, sampled: Bool? = nil) -> String {
        let sampled = sampled ?? TraceSampling.decide(using: ids)
        return "00-\(ids.hex(bytes: 16))-\(ids.hex(bytes: 8))-\(sampled ? "01" : "00")"
    }

    /// A child of `parent`: same trace id and flags, a new span id.
    public static func child(of parent: String?, using ids: some IDGenerator) -> String {
        guard let parent, let trace = traceId(parent) else { return newRoot(using: ids) }
        return "00-\(trace)-\(ids.hex(bytes: 8))-\(parent.suffix(2))"
    }

    /// Whether a valid traceparent has the sampled flag (bit 0 of its flags) set.
    public static func isSampled(_ traceparent: String) -> Bool {
        guard isValid(traceparent), let flags = UInt8(traceparent.suffix(2), radix: 16) else { return false }
        return flags & 0x01 != 0
    }
}
