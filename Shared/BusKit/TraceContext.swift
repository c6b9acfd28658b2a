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
        return field(traceparent, traceIdBytes)
    }

    /// The span id (16 hex) of a valid traceparent.
    public static func spanId(_ traceparent: String) -> String? {
        guard isValid(traceparent) else { return nil }
        return field(traceparent, spanIdBytes)
    }

    /// Whether two valid traceparents belong to one trace (false if either is not valid).
    public static func sameTrace(_ one: String, _ other: String) -> Bool {
        guard isValid(one), isValid(other) else { return false }
        return one.utf8.dropFirst(traceIdBytes.lowerBound).prefix(traceIdBytes.count)
            .elementsEqual(other.utf8.dropFirst(traceIdBytes.lowerBound).prefix(traceIdBytes.count))
    }

    // The fields' byte offsets in `<version>-<trace id>-<span id>-<flags>`: every message
    // reads them, so they are sliced in place, never split into arrays.
    private static let traceIdBytes = 3..<35
    private static let spanIdBytes = 36..<52
    private static let flagsBytes = 53..<55

    /// The bytes `range` of a valid (so all-ASCII) traceparent.
    private static func field(_ traceparent: String, _ range: Range<Int>) -> String {
        let utf8 = traceparent.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        return String(traceparent[start..<utf8.index(start, offsetBy: range.count)])
    }

    /// A new root traceparent; `sampled` (default: the head decision of `TraceSampling`)
    /// sets the W3C sampled flag, which every child keeps.
    public static func newRoot(using ids: some IDGenerator, sampled: Bool? = nil) -> String {
        let sampled = sampled ?? TraceSampling.decide(using: ids)
        return "00-\(ids.hex(bytes: 16))-\(ids.hex(bytes: 8))-\(sampled ? "01" : "00")"
    }

    /// A child of `parent`: same trace id and flags, a new span id.
    public static func child(of parent: String?, using ids: some IDGenerator) -> String {
        guard let parent, isValid(parent) else { return newRoot(using: ids) }
        return "00-" + field(parent, traceIdBytes) + "-" + ids.hex(bytes: 8) + "-" + field(parent, flagsBytes)
    }

    /// Whether a valid traceparent has the sampled flag (bit 0 of its flags) set.
    public static func isSampled(_ traceparent: String) -> Bool {
        guard isValid(traceparent), let flags = UInt8(field(traceparent, flagsBytes), radix: 16) else { return false }
        return flags & 0x01 != 0
    }
}
