import TradingModel

/// Decides what to do about one position conflict (C5): a pure function of the two
/// sides, so every strategy is tested on constructed conflicts.
enum PositionResolver {
    /// One position conflict, as the reconciler sees it.
    struct Conflict: Sendable, Equatable {
        /// The journal's net quantity.
        var journal: ExactDecimal
        /// The venue's net quantity.
        var venue: ExactDecimal
        /// The quantity both sides last agreed on, when the reconciler saw it; nil when not
        /// known (then `merge` keeps the venue's, sending nothing on a guess).
        var lastAgreed: ExactDecimal?
        /// Time of the journal's last change of the position, unix nanoseconds.
        var journalUpdatedTs: Int64 = 0
        /// Time of the venue's last change of the position, unix nanoseconds.
        var venueUpdatedTs: Int64 = 0
    }

    /// What settles a conflict, in two steps that converge: first the journal learns the
    /// venue's position (`position.adjusted`, folded: the venue is the truth of what is
    /// held); then, if the strategy wants another position, one order moves the venue, and
    /// its fills move the journal by the same amount. (Sending the order without the first
    /// step left the difference in place once its fill was journaled, and a new order went
    /// out every two passes.)
    struct Resolution: Sendable, Equatable {
        /// The quantity both sides should end at.
        var target: ExactDecimal
        /// The change the journal records first: venue − journal.
        var journalAdjustment: ExactDecimal
        /// The order to send to the venue (through the gateway): nil when the venue is already at the target.
        var venueOrder: VenueOrderPlan?
    }

    /// An order that moves the venue's position by `qty` on `side`.
    struct VenueOrderPlan: Sendable, Equatable {
        var side: Side
        var qty: ExactDecimal
        /// Whether the order only shrinks the venue's position.
        var reduceOnly: Bool
    }

    /// The resolution of `conflict` under `strategy`.
    static func resolve(_ conflict: Conflict, strategy: ResolutionStrategy) -> Resolution {
        switch strategy {
        case .venueWins:
            return resolution(target: conflict.venue, conflict)
        case .journalWins:
            return resolution(target: conflict.journal, conflict)
        case .merge:
            // Both sides' changes since they last agreed count: agreed + (journal − agreed) + (venue − agreed).
            guard let agreed = conflict.lastAgreed else { return resolution(target: conflict.venue, conflict) }
            return resolution(target: conflict.journal + conflict.venue - agreed, conflict)
        case .mostRecent:
            let venueIsNewer = conflict.venueUpdatedTs >= conflict.journalUpdatedTs
            return resolve(conflict, strategy: venueIsNewer ? .venueWins : .journalWins)
        case .flatten:
            return resolution(target: .zero, conflict)
        }
    }

    private static func resolution(target: ExactDecimal, _ conflict: Conflict) -> Resolution {
        let move = target - conflict.venue
        let order: VenueOrderPlan? = move.isZero ? nil : VenueOrderPlan(
            side: move.isPositive ? .buy : .sell, qty: move.abs,
            reduceOnly: target.abs < conflict.venue.abs && !(target.isPositive && conflict.venue.isNegative) && !(target.isNegative && conflict.venue.isPositive))
        return Resolution(target: target, journalAdjustment: conflict.venue - conflict.journal, venueOrder: order)
    }
}
