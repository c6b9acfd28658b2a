import BusKit
import BusProtocol
import Foundation
import Logging
import ServiceRuntime
import Synchronization

/// Stores the spans every service publishes (B5): events on `span.finished` are
/// buffered (bounded: `limit`, overflow dropped and counted) and written in batches
/// every `flushInterval` or at `maxBatch`, so tracing never costs the order path a
/// commit per span.
struct SpanRecorder: Sendable {
    let store: JournalStore
    let logger: Logger
    var limit = 20_000
    var maxBatch = 1_000
    var flushInterval: Duration = .milliseconds(100)

    /// Consumes `events` until they end or the task is cancelled; flushes what is left.
    func run(events: AsyncStream<Message>) async {
        let buffer = SpanBuffer()
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: flushInterval)
                    flush(buffer)
                }
            }
            for await message in events where message.header.type == SpanRecord.topic {
                guard let span = try? message.decode(SpanRecord.self) else {
                    OpsMetrics.queueDropped("writer.spans.malformed")
                    continue
                }
                let full = buffer.pending.withLock { pending -> Bool in
                    guard pending.count < limit else { return true }
                    pending.append(span)
                    return false
                }
                if full { OpsMetrics.queueDropped("writer.spans") }
                if buffer.pending.withLock({ $0.count }) >= maxBatch { flush(buffer) }
            }
            group.cancelAll()
        }
        flush(buffer)
    }

    private func flush(_ buffer: SpanBuffer) {
        let batch = buffer.pending.withLock { pending -> [SpanRecord] in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        OpsMetrics.queue("writer.spans", depth: batch.count, limit: limit)
        guard !batch.isEmpty else { return }
        do {
            try store.storeSpans(batch)
        } catch {
            OpsMetrics.queueDropped("writer.spans", count: batch.count)
            logger.warning("writer.spans.store_failed", metadata: ["count": "\(batch.count)", "error": "\(error)"])
        }
    }
}

/// Spans received and not yet stored (shared by the receiving loop and the flush timer).
final class SpanBuffer: Sendable {
    let pending = Mutex<[SpanRecord]>([])
}
