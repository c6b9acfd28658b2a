import Foundation
import Metrics
import Synchronization

/// Conflates market-data-like events per topic while this process's event buffer is
/// under pressure (B2): with the buffer at least half full, an event of a conflated
/// topic is held instead of queued, and a newer one on the same topic replaces it
/// (counted in `bw_events_conflated_total`). Held events are delivered on the next
/// I/O tick (every 100 ms): under pressure a consumer gets at most the newest event
/// per topic per tick. Facts and every other event are never held or replaced.
final class EventConflator: Sendable {
    private struct State {
        var held: [String: Message] = [:]
        var order: [String] = []
        /// Buffer depth as of the last delivery (limit minus the remaining space).
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

    /// Records the buffer depth after a delivery.
    func delivered(depth: Int) {
        state.withLock { $0.depth = depth }
    }

    /// Takes the held events, oldest topic first (to be delivered on the tick).
    func takeHeld() -> [Message] {
        state.withLock { state in
            let messages = state.order.compactMap { state.held[$0] }
            state.held.removeAll(keepingCapacity: true)
            state.order.removeAll(keepingCapacity: true)
            return messages
        }
    }
}
