/// W3C trace context (`traceparent`) helpers.
public enum TraceContext {
    /// Whether `value` is `00-<32 hex>-<16 hex>-<2 hex>` with non-zero ids.
    public static func isValid(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].count == 2, parts[1].count == 32, parts[2].count == 16, parts[3].count == 2 else {
            return false
        }
        let hex = parts.allSatisfy { $0.allSatisfy(\.isHexDigit) && $0 == $0.lowercased() }
        return hex && parts[1] != Substring(repeating: "0", count: 32) && parts[2] != Substring(repeating: "0", count: 16)
    }

    /// The trace id (32 hex) of a valid traceparent.
    public static func traceId(_ traceparent: String) -> String? {
        guard isValid(traceparent) else { return nil }
        return String(traceparent.split(separator: "-")[1])
    }

    /// A new root traceparent.
    public static func newRoot(using ids: some IDGenerator) -> String {
        "00-\(ids.hex(bytes: 16))-\(ids.hex(bytes: 8))-01"
    }

    /// A child of `parent`: same trace id, a new span id.
    public static func child(of parent: String?, using ids: some IDGenerator) -> String {
        guard let parent, let trace = traceId(parent) else { return newRoot(using: ids) }
        return "00-\(trace)-\(ids.hex(bytes: 8))-01"
    }
}
