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
        /// Venue trades the journal lacks, net (positive: buys), when known; else zero.
        var unjournaledVenue: ExactDecimal = .zero
        /// Time of the journal's last change of the position, unix nanoseconds.
        var journalUpdatedTs: Int64 = 0
        /// Time of the venue's last change of the position, unix nanoseconds.
        var venueUpdatedTs: Int64 = 0
    }

    /// What settles a conflict.
    struct Resolution: Sendable, Equatable {
        /// The quantity both sides should end at.
        var target: ExactDecimal
        /// The change the journal records (target − journal), as a desync fact.
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
            return resolution(target: conflict.journal + conflict.unjournaledVenue, conflict)
        case .mostRecent:
            let venueIsNewer = conflict.venueUpdatedTs >= conflict.journalUpdatedTs
            return resolve(conflict, strategy: venueIsNewer ? .venueWins : .journalWins)
        case .flatten:
            // The journal first learns the truth (venue), then the venue is closed to zero.
            var resolution = resolution(target: .zero, conflict)
            resolution.journalAdjustment = conflict.venue - conflict.journal
            return resolution
        }
    }

    private static func resolution(target: ExactDecimal, _ conflict: Conflict) -> Resolution {
        let move = target - conflict.venue
        let order: VenueOrderPlan? = move.isZero ? nil : VenueOrderPlan(
            side: move.isPositive ? .buy : .sell, qty: move.abs,
            reduceOnly: target.abs < conflict.venue.abs && !(target.isPositive && conflict.venue.isNegative) && !(target.isNegative && conflict.venue.isPositive))
        return Resolution(target: target, journalAdjustment: target - conflict.journal, venueOrder: order)
    }
}
