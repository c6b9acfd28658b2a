/// Draws one trace's spans as a terminal waterfall: one line per span, indented by
/// its depth in the parent tree, ordered by start, with a bar placed on the trace's
/// time axis, the span's duration, the bus queueing before it, and its outcome.
struct Waterfall {
    /// The width of the bar column, in characters.
    var barWidth = 40

    /// The lines to print (a header line, then one line per span).
    func render(_ spans: [TraceSpan]) -> [String] {
        guard let first = spans.map(\.startNs).min(), let last = spans.map(\.endNs).max() else { return [] }
        let total = max(last - first, 1)
        let ids = Set(spans.map(\.spanId))
        let ordered = depthFirst(spans, roots: spans.filter { $0.parentSpanId.map { !ids.contains($0) } ?? true })
        var lines = ["trace \(spans[0].traceId)  \(spans.count) spans  \(Self.millis(total)) total"]
        lines.append(
            "  " + "offset".leftPad(9) + "  " + "service".rightPad(20) + "name".rightPad(28)
                + "  " + "".rightPad(barWidth) + "  " + "duration".leftPad(9) + "  " + "queued".leftPad(9) + "  outcome")
        for (span, depth) in ordered {
            let start = Int((span.startNs - first) * Int64(barWidth) / total)
            let length = max(1, Int(span.durationNs * Int64(barWidth) / total))
            let bar = String(repeating: " ", count: start) + String(repeating: "█", count: min(length, barWidth - start))
            let name = String(repeating: "  ", count: depth) + span.name
            lines.append(
                "  +" + Self.millis(span.startNs - first).leftPad(8) + "  " + span.service.rightPad(20) + name.rightPad(28)
                    + "  " + bar.rightPad(barWidth) + "  " + Self.millis(span.durationNs).leftPad(9)
                    + "  " + (span.queuedNs.map(Self.millis) ?? "-").leftPad(9) + "  " + span.outcome)
        }
        return lines
    }

    /// Spans in tree order (children after their parent, siblings by start), with depth.
    private func depthFirst(_ spans: [TraceSpan], roots: [TraceSpan]) -> [(TraceSpan, Int)] {
        var children: [String: [TraceSpan]] = [:]
        for span in spans { if let parent = span.parentSpanId { children[parent, default: []].append(span) } }
        var result: [(TraceSpan, Int)] = []
        var seen = Set<String>()
        func visit(_ span: TraceSpan, _ depth: Int) {
            guard seen.insert(span.spanId).inserted else { return }
            result.append((span, depth))
            for child in (children[span.spanId] ?? []).sorted(by: { $0.startNs < $1.startNs }) { visit(child, depth + 1) }
        }
        for root in roots.sorted(by: { $0.startNs < $1.startNs }) { visit(root, 0) }
        return result
    }

    /// `12.345ms` from nanoseconds, exactly (integer arithmetic).
    static func millis(_ nanos: Int64) -> String {
        let micros = nanos / 1_000
        let fraction = String(abs(micros % 1_000))
        return "\(micros / 1_000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)ms"
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
    func rightPad(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
