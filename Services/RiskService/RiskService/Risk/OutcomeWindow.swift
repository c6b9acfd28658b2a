/// The venue outcomes of the last `window` nanoseconds (at most `limit` of them), with
/// their failures counted as they come: recording one costs O(1) amortized, where
/// filtering the whole window on every outcome cost 7 % of risk-service's CPU at 40
/// orders/s (docs/reliability.md, the soak).
///
/// Outcomes are recorded in time order (the fold's clock); the oldest leave from the
/// front. Two windows are equal when they hold the same outcomes.
struct OutcomeWindow: Sendable, Equatable {
    private struct Outcome: Sendable, Equatable {
        var at: Int64
        var failed: Bool
    }

    private var outcomes: [Outcome] = []
    /// The index of the oldest live outcome; those before it have left the window.
    private var head = 0
    private(set) var failures = 0

    var count: Int { outcomes.count - head }

    /// Adds an outcome at `now` and drops those older than `window` nanoseconds, and the
    /// oldest beyond `limit`.
    mutating func record(failed: Bool, now: Int64, window: Int64, limit: Int) {
        outcomes.append(Outcome(at: now, failed: failed))
        if failed { failures += 1 }
        while head < outcomes.count, now - outcomes[head].at > window || count > limit {
            if outcomes[head].failed { failures -= 1 }
            head += 1
        }
        // Reclaim the dropped front once it is most of the array.
        if head >= 1_024, head * 2 >= outcomes.count {
            outcomes.removeFirst(head)
            head = 0
        }
    }

    mutating func removeAll() {
        outcomes = []
        head = 0
        failures = 0
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.outcomes[lhs.head...].elementsEqual(rhs.outcomes[rhs.head...])
    }
}
