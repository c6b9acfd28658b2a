/// Something that happened to an order and may move its state (G9).
public enum OrderEvent: Sendable, Equatable, CaseIterable {
    /// The venue acknowledged the order (a duplicate ack while accepted is harmless).
    case venueAccepted
    /// Some, not all, of the order was filled.
    case partialFill
    /// The last of the order was filled.
    case finalFill
    /// The venue canceled the order (on request, or an IOC with nothing left to match).
    case venueCanceled
    /// The venue refused the order.
    case venueRejected
    /// The order expired by its time in force.
    case venueExpired
    /// Sending timed out or the transport failed: the venue's answer is unknown.
    case sendTimedOut
    /// The venue has an order that was closed `rejected` because it was not at the venue
    /// (`not_at_venue`): it arrived late. Legal from `rejected` only; the caller checks the
    /// reason, which the state alone does not carry.
    case venueReopened
}
