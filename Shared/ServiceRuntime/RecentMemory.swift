import BusKit
/// Values remembered for a while: each key for `window` after it was last recorded (by the
/// caller's clock, in nanoseconds), and never more than `limit` keys at once (past it, the
/// least recently recorded is forgotten first).
///
/// For the caches a long-running service keeps of what it did recently (a request that
/// committed an intent, a fact it journaled, an order that just closed): bounded by time,
/// its memory reaches a steady state once `window` has passed, whatever the uptime; the
/// count limit caps a burst. A value. Its owner decides what forgetting costs, and every
/// user in Breakwater forgets only what it can ask for again (the journal has it).
public struct RecentMemory<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        var value: Value
        var generation: Int64
    }

    private struct Stamp: Sendable {
        var key: Key
        var at: Int64
        var generation: Int64
    }

    /// How long a key is kept after it was last recorded, in nanoseconds.
    public let window: Int64
    /// The most keys kept at once.
    public let limit: Int
    private var entries: [Key: Entry] = [:]
    /// Every recording in order; an entry whose generation is not its key's current one is stale.
    private var stamps: [Stamp] = []
    private var head = 0
    private var generation: Int64 = 0

    /// An empty memory keeping each key `window` nanoseconds (≥ 0), at most `limit` (≥ 1) keys.
    public init(window: Int64, limit: Int) {
        precondition(window >= 0 && limit >= 1, "RecentMemory needs window >= 0 and limit >= 1")
        self.window = window
        self.limit = limit
    }

    /// The value remembered for `key`, if it is still remembered.
    public subscript(key: Key) -> Value? { entries[key]?.value }

    /// How many keys are remembered.
    public var count: Int { entries.count }

    /// Recordings still queued, stale ones included (bounded by the compaction).
    var queuedStamps: Int { stamps.count - head }

    /// The remembered values, in no particular order.
    public var values: some Sequence<Value> { entries.values.lazy.map(\.value) }

    /// Remembers `value` for `key` from `now` on (a key recorded again is kept from the new
    /// time), then forgets what `now` has put out of the window or over the limit. Returns
    /// whether the key was new.
    @discardableResult
    public mutating func record(_ key: Key, _ value: Value, at now: Int64) -> Bool {
        generation += 1
        let isNew = entries.updateValue(Entry(value: value, generation: generation), forKey: key) == nil
        stamps.append(Stamp(key: key, at: now, generation: generation))
        expire(now: now)
        return isNew
    }

    /// Forgets `key` now; returns its value.
    @discardableResult
    public mutating func remove(_ key: Key) -> Value? {
        entries.removeValue(forKey: key)?.value  // its stamp becomes stale
    }

    /// Forgets every key recorded before `now - window`, and the oldest while over the limit.
    public mutating func expire(now: Int64) {
        let horizon = now - window
        while head < stamps.count {
            let stamp = stamps[head]
            let current = entries[stamp.key]?.generation == stamp.generation
            guard !current || stamp.at < horizon || entries.count > limit else { break }
            if current { entries.removeValue(forKey: stamp.key) }
            head += 1
        }
        // Stale stamps of keys recorded again or removed are dropped as the queue is compacted.
        if head > 1024 && head * 2 > stamps.count {
            stamps.removeFirst(head)
            head = 0
        }
        if stamps.count - head > 2 * limit + 1024 { compact() }
    }

    /// Drops the stale stamps in the live part of the queue (many re-recordings of few keys).
    private mutating func compact() {
        stamps = stamps[head...].filter { entries[$0.key]?.generation == $0.generation }
        head = 0
    }
}

/// Nanoseconds on the monotonic clock since this value was made: the clock of the
/// in-memory windows (never the wall clock, which jumps).
public struct MonotonicNanos: Sendable {
    private let origin = ContinuousClock.now

    public init() {}

    /// Nanoseconds since `init`.
    public func now() -> Int64 { (ContinuousClock.now - origin).wholeNanoseconds }
}
