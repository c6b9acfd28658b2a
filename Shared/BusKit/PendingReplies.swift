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

    private let slots = Mutex<[String: Slot]>([:])
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Opens a slot for `id`; false when the in-flight limit is reached.
    func expect(_ id: String) -> Bool {
        slots.withLock { slots in
            if slots[id] != nil { return true }
            guard slots.count < limit else { return false }
            slots[id] = .expecting
            return true
        }
    }

    /// Hands a reply to its waiter; false when nobody waits for it (late or unknown).
    @discardableResult
    func deliver(_ message: Message, for id: String) -> Bool {
        let (continuation, parked): (CheckedContinuation<Message?, Never>?, Bool) = slots.withLock { slots in
            switch slots[id] {
            case .expecting:
                slots[id] = .arrived(message)
                return (nil, true)
            case .waiting(let continuation, _):
                slots[id] = .expecting
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
            let ready: Message?? = slots.withLock { slots in
                if Task.isCancelled { return .some(nil) }
                switch slots[id] {
                case .arrived(let message):
                    slots[id] = .expecting
                    return .some(message)
                case .expecting:
                    slots[id] = .waiting(continuation, deadline: deadline)
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
        let due: [CheckedContinuation<Message?, Never>] = slots.withLock { slots in
            var due: [(String, CheckedContinuation<Message?, Never>)] = []
            for (id, slot) in slots {
                guard case .waiting(let continuation, let deadline) = slot, deadline <= now else { continue }
                due.append((id, continuation))
            }
            for (id, _) in due { slots[id] = .expecting }
            return due.map(\.1)
        }
        for continuation in due { continuation.resume(returning: nil) }
    }

    /// Stops waiting for `id`; a parked waiter gets nil.
    func interrupt(_ id: String) {
        let continuation: CheckedContinuation<Message?, Never>? = slots.withLock { slots in
            if case .waiting(let continuation, _) = slots[id] {
                slots[id] = .expecting
                return continuation
            }
            return nil
        }
        continuation?.resume(returning: nil)
    }

    /// Closes the slot for good.
    func close(_ id: String) {
        let continuation: CheckedContinuation<Message?, Never>? = slots.withLock { slots in
            defer { slots[id] = nil }
            if case .waiting(let continuation, _) = slots[id] { return continuation }
            return nil
        }
        continuation?.resume(returning: nil)
    }

    var count: Int { slots.withLock { $0.count } }
}
