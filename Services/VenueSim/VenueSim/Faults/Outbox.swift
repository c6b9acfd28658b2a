import Foundation
import ZeroMQ

/// Replies and stream messages waiting for the save of the book they depend on
/// (group commit). Bounded: past `limit` waiting frames, the oldest are dropped
/// (the client times out and asks again, as after any lost message).
actor Outbox {
    /// One frame set waiting for the save.
    struct Item: Sendable {
        var frames: [Data]
        var socket: SocketLoop.SocketID
        var delay: Duration
    }

    /// The most frame sets waiting at once.
    let limit = 200_000
    private var waiting: [Item] = []

    /// Queues `frames` until the next save.
    func add(_ frames: [Data], on socket: SocketLoop.SocketID, after delay: Duration) {
        if waiting.count >= limit { waiting.removeFirst() }
        waiting.append(Item(frames: frames, socket: socket, delay: delay))
    }

    /// Everything waiting now (the caller saves, then sends it).
    func take() -> [Item] {
        defer { waiting.removeAll(keepingCapacity: true) }
        return waiting
    }
}
