import BusKit
import Foundation
import GRDB

extension JournalStore {
    /// Stores finished spans (B5) in one transaction; a span already stored (same trace
    /// and span id, e.g. a repeated event) is ignored. Returns how many were new.
    /// Invalid records are skipped: spans are diagnostics, never a reason to fail.
    @discardableResult
    public func storeSpans(_ spans: [SpanRecord]) throws -> Int {
        let valid = spans.filter(\.isValid)
        guard !valid.isEmpty else { return 0 }
        return try dbQueue.write { db in
            var stored = 0
            for span in valid {
                let attributes = String(decoding: (try? JSONEncoder.spanAttributes.encode(span.attributes)) ?? Data("{}".utf8), as: UTF8.self)
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO spans (trace_id, span_id, parent_span_id, service, name, start_ns, end_ns, attributes)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [span.traceId, span.spanId, span.parentSpanId, span.service, span.name, span.startNs, span.endNs, attributes])
                stored += db.changesCount
            }
            return stored
        }
    }
}

extension JSONEncoder {
    /// Sorted keys: the stored attributes of a span are stable text.
    static let spanAttributes: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}
