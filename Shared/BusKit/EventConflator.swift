import Foundation
import Metrics
import Synchronization

/// Conflates market-data-like events per topic while this process's event buffer is
/// under pressure (B2): with the buffer at least half full, an event of a conflated
/// topic is held instead of queued, and a newer one on the same topic replaces it
/// (counted in `bw_events_conflated_total`). Held events are delivered on the first
/// I/O tick (every 100 ms) after the buffer fell below half: a lagging consumer gets
/// the newest event per topic once it catches up, never a backlog of stale ones.
/// Facts and every other event are never held or replaced. The buffer's depth is
/// exact: +1 per queued event, −1 per event the consumer pulls (`counting`).
final class EventConflator: Sendable {
    private struct State {
        var held: [String: Message] = [:]
        var order: [String] = []
        /// Events queued and not yet pulled by the consumer.
        var depth = 0
    }

    private let prefixes: [String]
    private let threshold: Int
    private let state = Mutex(State())
    /// Events replaced by a newer one on the same topic.
    let conflated = Atomic<Int>(0)

    init(prefixes: [String], bufferLimit: Int) {
        self.prefixes = prefixes
        self.threshold = max(1, bufferLimit / 2)
    }

    /// Whether the event on `topic` was held (true) or must be delivered now (false).
    func hold(_ message: Message, topic: String) -> Bool {
        guard !prefixes.isEmpty, prefixes.contains(where: { topic.hasPrefix($0) }) else { return false }
        return state.withLock { state in
            if state.held[topic] != nil {
                state.held[topic] = message
                conflated.add(1, ordering: .relaxed)
                Counter(label: "bw_events_conflated_total").increment()
                return true
            }
            guard state.depth >= threshold else { return false }
            state.held[topic] = message
            state.order.append(topic)
            return true
        }
    }

    /// One event was queued (a full buffer that dropped its oldest keeps its depth).
    func queued(droppedOldest: Bool) {
        if !droppedOldest { state.withLock { $0.depth += 1 } }
    }

    /// The consumer pulled one event.
    func pulled() {
        state.withLock { $0.depth = max(0, $0.depth - 1) }
    }

    /// Takes the held events, oldest topic first, once the buffer is below half (else none).
    func takeHeldIfRelieved() -> [Message] {
        state.withLock { state in
            guard state.depth < threshold, !state.order.isEmpty else { return [] }
            let messages = state.order.compactMap { state.held[$0] }
            state.held.removeAll(keepingCapacity: true)
            state.order.removeAll(keepingCapacity: true)
            return messages
        }
    }
}

extension EventConflator {
    /// `buffered` as the consumer sees it, counting each pull.
    func counting(_ buffered: AsyncStream<Message>) -> AsyncStream<Message> {
        let puller = CountingPuller(buffered, conflator: self)
        return AsyncStream(unfolding: { await puller.next() })
    }
}

/// The single consumer's iterator over the buffer, telling the conflator of each pull.
private final class CountingPuller: @unchecked Sendable {
    // Only the one task iterating `events` calls `next`, one call at a time.
    private var iterator: AsyncStream<Message>.AsyncIterator
    private let conflator: EventConflator

    init(_ buffered: AsyncStream<Message>, conflator: EventConflator) {
        iterator = buffered.makeAsyncIterator()
        self.conflator = conflator
    }

    func next() async -> Message? {
        let message = await iterator.next()
        if message != nil { conflator.pulled() }
        return message
    }
}
