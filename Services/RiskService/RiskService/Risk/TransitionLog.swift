/// What a breaker or a governor knows of its own transitions: the journal's last one, and
/// the ones decided here that the journal has not echoed yet (oldest first).
///
/// Journal-first with replicas: a replica puts its decision in effect at once (a trip must
/// stop orders now), but the journal has the last word. When the journal's transition of a
/// number is the one decided here, it is confirmed; when it is another (a replica that
/// decided the same number first), the journal's wins and every local one is dropped,
/// since each was built on the lost one. A decision whose write was refused (fenced off:
/// the partition has a new owner) or given up is rolled back to the journal's state.
public struct TransitionLog<Transition: Sendable & Equatable>: Sendable, Equatable {
    /// The last transition folded from the journal (nil: none yet).
    public private(set) var journaled: Transition?
    /// Decided here, not yet in the journal, oldest first.
    public private(set) var unconfirmed: [Transition] = []

    /// No transitions.
    public init() {}

    /// A transition decided here (already in effect).
    mutating func decided(_ transition: Transition) {
        unconfirmed.append(transition)
    }

    /// The journal's transition; true if it is the oldest one decided here (already in
    /// effect), false if the caller must enter it (the journal's wins).
    mutating func journal(_ transition: Transition) -> Bool {
        journaled = transition
        if unconfirmed.first == transition {
            unconfirmed.removeFirst()
            return true
        }
        unconfirmed = []
        return false
    }

    /// Drops every local decision; the state to go back to (`.some(nil)`: the initial
    /// one), or nil when there was nothing to roll back.
    mutating func rollBack() -> Transition?? {
        guard !unconfirmed.isEmpty else { return nil }
        unconfirmed = []
        return .some(journaled)
    }

    /// Whether `transition` was decided here and is still waiting for the journal.
    func isPending(_ transition: Transition) -> Bool { unconfirmed.contains(transition) }
}
