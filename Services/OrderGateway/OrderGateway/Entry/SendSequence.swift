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
final class SendSequence: Sendable {
    private struct Line {
        var next: UInt64 = 0
        var head: UInt64 = 0
        var done: Set<UInt64> = []
        var waiting: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let lines = Mutex<[String: Line]>([:])

    /// The next ticket of `key`, in the order they are taken.
    func take(_ key: String) -> UInt64 {
        lines.withLock { lines in
            defer { lines[key, default: Line()].next += 1 }
            return lines[key, default: Line()].next
        }
    }

    /// Returns once every earlier ticket of `key` is done.
    func turn(_ key: String, _ ticket: UInt64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = lines.withLock { lines -> Bool in
                guard lines[key].map({ $0.head < ticket }) == true else { return true }
                lines[key]?.waiting[ticket] = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Marks `ticket` of `key` sent (or abandoned); lets the next ticket go.
    func done(_ key: String, _ ticket: UInt64) {
        let next = lines.withLock { lines -> CheckedContinuation<Void, Never>? in
            guard var line = lines[key], ticket >= line.head, !line.done.contains(ticket) else { return nil }
            line.done.insert(ticket)
            while line.done.remove(line.head) != nil { line.head += 1 }
            let resumed = line.waiting.removeValue(forKey: line.head)
            lines[key] = line.head == line.next ? nil : line
            return resumed
        }
        next?.resume()
    }

    /// Keys with tickets outstanding (tests, metrics).
    var busyKeys: Int { lines.withLock { $0.count } }
}
