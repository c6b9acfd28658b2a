import BusProtocol
import TradingModel

/// A manual trip or reset, journal-first: decided on the journal's state, appended, and
/// answered only once it landed.
///
/// Breaker transition ids (`breaker:<scope>:<n>`) are deterministic, so two replicas that
/// decide the same scope's n-th transition share an id and the writer keeps the first.
/// Reading that `duplicate` as success made a global trip sent to one replica vanish. So on
/// a duplicate the journal is folded again (its transition of that number wins) and the
/// change is decided again on it, with the next number — until it lands, or nothing is
/// left to change (the journal already holds the state asked for), or `maxRounds` pass.
public enum ManualTransition {
    /// How many numbers one request tries before it gives up (UNAVAILABLE / `transition_not_journaled`).
    public static let maxRounds = 5

    /// Lands one manual change. `decide` runs the change on the engine (its facts: none
    /// when there is nothing to change); `journal` appends one fact and settles it in the
    /// engine; `refold` catches up with the journal.
    public static func land(
        decide: () async throws(ServiceError) -> (facts: [Fact], view: BreakerView),
        journal: (Fact) async -> TransitionOutcome,
        refold: () async throws(ServiceError) -> Void
    ) async throws(ServiceError) -> BreakerView {
        for _ in 0..<maxRounds {
            let decision = try await decide()
            guard let fact = decision.facts.first else { return decision.view }
            switch await journal(fact) {
            case .committed:
                return decision.view
            case .duplicate:
                try await refold()
            case .refused(let error):
                throw error
            case .unjournaled:
                throw ServiceError(.unavailable, reason: "transition_not_journaled", "the journal could not be reached: the change is not in effect; retry")
            }
        }
        throw ServiceError(.unavailable, reason: "transition_not_journaled",
            "other replicas' transitions took every number tried (\(maxRounds) rounds); retry")
    }
}
