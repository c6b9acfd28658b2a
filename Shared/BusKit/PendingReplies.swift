import Synchronization

/// Requests waiting for their reply, by request id. A reply that arrives before
/// its waiter is parked in the slot, so no reply is lost to a race.
///
/// A waiter is one continuation with a deadline; `expire(now:)`, run on the socket
/// loop's tick, resumes those whose deadline passed. No timer task and no task group
/// per request: a request costs one slot and one continuation.
final class PendingReplies: Sendable {
    private enum Slot {
        case expecting
        case waiting(CheckedContinuation<Message?, Never>, deadline: ContinuousClock.Instant)
        case arrived(Message)
    }

    private struct Slots {
        var byId: [String: Slot] = [:]
        /// Set once the socket loop stopped: no reply and no tick will come any more.
        var stopped = false
    }

    private let state = Mutex(Slots())
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Opens a slot for `id`; false when the in-flight limit is reached.
    func expect(_ id: String) -> Bool {
        state.withLock { state in
            if state.byId[id] != nil { return true }
            guard state.byId.count < limit else { return false }
            state.byId[id] = .expecting
            return true
        }
    }

    /// Hands a reply to its waiter; false when nobody waits for it (late or unknown).
    @discardableResult
    func deliver(_ message: Message, for id: String) -> Bool {
        let (continuation, parked): (CheckedContinuation<Message?, Never>?, Bool) = state.withLock { state in
            switch state.byId[id] {
            case .expecting:
                state.byId[id] = .arrived(message)
                return (nil, true)
            case .waiting(let continuation, _):
                state.byId[id] = .expecting
                return (continuation, false)
            case .arrived, nil:
                return (nil, false)
            }
        }
        continuation?.resume(returning: message)
        return continuation != nil || parked
    }

    /// Waits for the reply to `id` until `deadline`: nil if the deadline passes first
    /// (seen by `expire`), if the slot is interrupted or closed, or if the waiting task
    /// is cancelled (checked under the lock, so no waiter parks after its cancellation
    /// handler has run).
    func wait(_ id: String, until deadline: ContinuousClock.Instant) async -> Message? {
        await withTaskCancellationHandler {
            await park(id, until: deadline)
        } onCancel: {
            interrupt(id)
        }
    }

    private func park(_ id: String, until deadline: ContinuousClock.Instant) async -> Message? {
        await withCheckedContinuation { continuation in
            let ready: Message?? = state.withLock { state in
                if Task.isCancelled { return .some(nil) }
                switch state.byId[id] {
                case .arrived(let message):
                    state.byId[id] = .expecting
                    return .some(message)
                case .expecting:
                    if state.stopped { return .some(nil) }
                    state.byId[id] = .waiting(continuation, deadline: deadline)
                    return .none
                case .waiting, nil:
                    return .some(nil)
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Resumes every waiter whose deadline is at or before `now` with nil (its slot stays
    /// open: a resend under the same id may still get the reply).
    func expire(now: ContinuousClock.Instant) {
        let due: [CheckedContinuation<Message?, Never>] = state.withLock { state in
            var due: [(String, CheckedContinuation<Message?, Never>)] = []
            for (id, slot) in state.byId {
                guard case .waiting(let continuation, let deadline) = slot, deadline <= now else { continue }
                due.append((id, continuation))
            }
            for (id, _) in due { state.byId[id] = .expecting }
            return due.map(\.1)
        }
        for continuation in due { continuation.resume(returning: nil) }
    }

    /// The socket loop stopped: every waiter gets nil now, and later waits return nil at
    /// once (no reply can arrive and no tick will see a deadline).
    func stop() {
        let waiting: [CheckedContinuation<Message?, Never>] = state.withLock { state in
            state.stopped = true
            var waiting: [(String, CheckedContinuation<Message?, Never>)] = []
            for (id, slot) in state.byId {
                if case .waiting(let continuation, _) = slot { waiting.append((id, continuation)) }
            }
            for (id, _) in waiting { state.byId[id] = .expecting }
            return waiting.map(\.1)
        }
        for continuation in waiting { continuation.resume(returning: nil) }
    }

    /// Stops waiting for `id`; a parked waiter gets nil.
    func interrupt(_ id: String) {
        let continuation: CheckedContinuation<Message?, Never>? = state.withLock { state in
            if case .waiting(let continuation, _) = state.byId[id] {
                state.byId[id] = .expecting
                return continuation
            }
            return nil
        }
        continuation?.resume(returning: nil)
    }

    /// Closes the slot for good.
    func close(_ id: String) {
        let continuation: CheckedContinuation<Message?, Never>? = state.withLock { state in
            defer { state.byId[id] = nil }
            if case .waiting(let continuation, _) = state.byId[id] { return continuation }
            return nil
        }
        continuation?.resume(returning: nil)
    }

    var count: Int { state.withLock { $0.byId.count } }
}
