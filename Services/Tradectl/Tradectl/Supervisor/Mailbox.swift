import Synchronization

/// A single-consumer queue of events that any thread can post to and one task awaits.
///
/// Unlike `AsyncStream`, `next()` does not end when the awaiting task is cancelled: the supervisor turns
/// cancellation into a stop and must go on receiving child exits and timers until every child is gone. The
/// queue needs no size limit of its own: it holds at most a few events per child (an exit, a timer) and the
/// stop requests, which the consumer handles as fast as they come.
final class Mailbox<Event: Sendable>: Sendable {
    private struct State {
        var queued: [Event] = []
        var receiver: CheckedContinuation<Event?, Never>?
        var isClosed = false
    }

    private let state = Mutex(State())

    /// Queues `event`, or drops it once the mailbox is closed.
    func send(_ event: Event) {
        let receiver = state.withLock { state -> CheckedContinuation<Event?, Never>? in
            guard !state.isClosed else { return nil }
            if let receiver = state.receiver {
                state.receiver = nil
                return receiver
            }
            state.queued.append(event)
            return nil
        }
        receiver?.resume(returning: event)
    }

    /// The next event, waiting for one; nil once closed. One receiver at a time.
    func next() async -> Event? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Event?? in
                precondition(state.receiver == nil, "a Mailbox has a single receiver")
                if !state.queued.isEmpty { return .some(state.queued.removeFirst()) }
                if state.isClosed { return .some(nil) }
                state.receiver = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Drops what is queued and every later event; a waiting receiver gets nil.
    func close() {
        let receiver = state.withLock { state -> CheckedContinuation<Event?, Never>? in
            state.isClosed = true
            state.queued.removeAll()
            defer { state.receiver = nil }
            return state.receiver
        }
        receiver?.resume(returning: nil)
    }
}
