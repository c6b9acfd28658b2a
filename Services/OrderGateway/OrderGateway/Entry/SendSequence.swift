import Synchronization

/// Keeps the venue sends of one (account, symbol) in intent order without waiting for
/// answers: a ticket is taken under the key's lock, once the intent is committed; a send
/// waits only until every earlier ticket of the key has been *sent* (handed to the venue
/// socket), then goes. The answer, the outcome's journaling and the reply come after,
/// outside the lock, so the next order of the key does not wait for them.
///
/// Every ticket taken must be marked `done` (a send, or the order path giving up before
/// sending); `done` is idempotent. Entries of keys with nothing outstanding are removed,
/// so the map holds only keys with orders in flight.
///
/// Tickets are unique for the life of the process, never per key: a key's line is removed
/// when it empties and made again by its next order, and a ticket counted per line would
/// start at 0 again — the order path's second `done` of an earlier order (after its send,
/// when its outcome is journaled) would then mark a later order's ticket done before it was
/// sent, and the order waiting behind it would never be let go (a submit with no reply).
final class SendSequence: Sendable {
    private struct Line {
        /// The tickets not done yet, in the order they were taken; the first one may send.
        var pending: [UInt64] = []
        var waiting: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private struct State {
        var nextTicket: UInt64 = 0
        var lines: [String: Line] = [:]
    }

    private let state = Mutex(State())

    /// The next ticket of `key`, in the order they are taken.
    func take(_ key: String) -> UInt64 {
        state.withLock { state in
            let ticket = state.nextTicket
            state.nextTicket += 1
            state.lines[key, default: Line()].pending.append(ticket)
            return ticket
        }
    }

    /// Returns once every earlier ticket of `key` is done.
    func turn(_ key: String, _ ticket: UInt64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                guard !Self.isTurn(state, key, ticket) else { return true }
                state.lines[key]?.waiting[ticket] = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Marks `ticket` of `key` sent (or abandoned); lets the next ticket go. A ticket already
    /// done, or not of this key, changes nothing.
    func done(_ key: String, _ ticket: UInt64) {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard var line = state.lines[key], let index = line.pending.firstIndex(of: ticket) else { return nil }
            line.pending.remove(at: index)
            let resumed = index == 0 ? line.pending.first.flatMap { line.waiting.removeValue(forKey: $0) } : nil
            state.lines[key] = line.pending.isEmpty ? nil : line
            return resumed
        }
        next?.resume()
    }

    /// Whether `turn` would return at once: every earlier ticket of `key` is done (tests).
    func isTurn(_ key: String, _ ticket: UInt64) -> Bool {
        state.withLock { Self.isTurn($0, key, ticket) }
    }

    private static func isTurn(_ state: State, _ key: String, _ ticket: UInt64) -> Bool {
        guard let line = state.lines[key], let first = line.pending.first else { return true }
        return first == ticket || !line.pending.contains(ticket)
    }

    /// Keys with tickets outstanding (tests, metrics).
    var busyKeys: Int { state.withLock { $0.lines.count } }
}
