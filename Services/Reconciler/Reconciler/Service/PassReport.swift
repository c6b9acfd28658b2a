/// What one reconciliation pass of one account found and did.
struct PassReport: Sendable, Equatable {
    /// Mismatches beyond the tolerance (each one a `recon.desync` fact and an alert).
    var desyncs = 0
    /// Facts written to repair the journal.
    var repairs = 0
    /// Pending intents found at the venue and adopted.
    var adopted = 0
    /// Pending intents absent at the venue after the grace period, failed and released.
    var failed = 0
    /// Pending intents absent at the venue but still inside the grace period.
    var waiting = 0
    /// Venue orders the journal never saw, adopted.
    var external = 0
    /// Orders the journal had given up on (`not_at_venue`) that the venue has: reopened.
    var reopened = 0
    /// Stale positions force-closed.
    var forceClosed = 0
    /// Whether every venue fill is now in the journal (the watermark may advance).
    var fillsComplete = true

    /// The pass's outcome in `bw_reconciliations_total{outcome}`: `mismatch` (a new desync),
    /// else `repaired` (facts written from the venue), else `match`. (`failed`: a pass that
    /// could not finish, counted by the reconciler.)
    var outcome: String {
        if desyncs > 0 { return "mismatch" }
        return repairs > 0 ? "repaired" : "match"
    }
}
