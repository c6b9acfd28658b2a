/// How the reconciler settles a position on which the journal and the venue disagree
/// after every missed fill was recovered (C5). `BW_RECON_STRATEGY`.
public enum ResolutionStrategy: String, Sendable, CaseIterable, Codable {
    /// The venue is the truth: the journal records the venue's quantity (default).
    case venueWins = "venue_wins"
    /// The journal is the truth: an order at the venue brings it to the journal's quantity.
    case journalWins = "journal_wins"
    /// Both count: the journal adds the venue trades it lacks, the venue is ordered to the sum.
    case merge
    /// Whichever side changed last wins.
    case mostRecent = "most_recent"
    /// Emergency: close the position at the venue; the journal records the venue's quantity.
    case flatten
}
