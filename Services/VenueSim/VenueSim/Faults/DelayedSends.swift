import Foundation
import ZeroMQ

/// Messages the faulty venue sends late (delayed stream messages and acks), sent by
/// `run` when due. Bounded: beyond `limit` waiting messages, new ones are dropped
/// (a delayed message of a faulty venue may be lost anyway).
actor DelayedSends {
    private struct Pending {
        var due: ContinuousClock.Instant
        var frames: [Data]
        var socket: SocketLoop.SocketID
    }

    /// The most messages waiting at once.
    let limit = 100_000
    private var pending: [Pending] = []
    private let clock = ContinuousClock()

    /// Queues `frames` for `socket`, due after `delay`.
    func add(_ frames: [Data], on socket: SocketLoop.SocketID, after delay: Duration) {
        guard pending.count < limit else { return }
        pending.append(Pending(due: clock.now.advanced(by: delay), frames: frames, socket: socket))
    }

    private func takeDue() -> [Pending] {
        let now = clock.now
        let due = pending.filter { $0.due <= now }
        if !due.isEmpty { pending.removeAll { $0.due <= now } }
        return due
    }

    /// Sends what is due every few milliseconds until cancelled.
    func run(_ loop: SocketLoop) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(5))
            for item in takeDue() { try? loop.send(item.frames, on: item.socket) }
        }
    }
}
