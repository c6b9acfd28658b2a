import Synchronization

/// Requests waiting for their reply, by request id. A reply that arrives before
/// its waiter is parked in the slot, so no reply is lost to a race.
final class PendingReplies: Sendable {
    private enum Slot {
        case expecting
        case waiting(CheckedContinuation<Message?, Never>)
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
        let continuation: CheckedContinuation<Message?, Never>? = slots.withLock { slots in
            switch slots[id] {
            case .expecting:
                slots[id] = .arrived(message)
                return nil
            case .waiting(let continuation):
                slots[id] = .expecting
                return continuation
            case .arrived, nil:
                return nil
            }
        }
        continuation?.resume(returning: message)
        return continuation != nil || slots.withLock { slots in
            if case .arrived = slots[id] { return true }
            return false
        }
    }

    /// Waits for the reply to `id`: nil if the slot is interrupted or closed first,
    /// or if the waiting task is cancelled (checked under the lock, so no waiter parks
    /// after its cancellation handler has run).
    func wait(_ id: String) async -> Message? {
        await withTaskCancellationHandler {
            await park(id)
        } onCancel: {
            interrupt(id)
        }
    }

    private func park(_ id: String) async -> Message? {
        await withCheckedContinuation { continuation in
            let ready: Message?? = slots.withLock { slots in
                if Task.isCancelled { return .some(nil) }
                switch slots[id] {
                case .arrived(let message):
                    slots[id] = .expecting
                    return .some(message)
                case .expecting:
                    slots[id] = .waiting(continuation)
                    return .none
                case .waiting, nil:
                    return .some(nil)
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Stops waiting for `id` (after a timeout); a parked waiter gets nil.
    func interrupt(_ id: String) {
        let continuation: CheckedContinuation<Message?, Never>? = slots.withLock { slots in
            if case .waiting(let continuation) = slots[id] {
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
            if case .waiting(let continuation) = slots[id] { return continuation }
            return nil
        }
        continuation?.resume(returning: nil)
    }

    var count: Int { slots.withLock { $0.count } }
}
