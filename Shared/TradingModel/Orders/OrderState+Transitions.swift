extension OrderState {
    /// The state after `event`, or `IllegalTransition` when the event is not allowed (G9).
    ///
    /// - `pending_new` accepts every event; a send timeout makes it `unknown`.
    /// - `accepted` and `partially_filled` accept fills, cancel and expiry; a duplicate
    ///   ack is tolerated while `accepted`.
    /// - `unknown` accepts anything the venue can say, and further timeouts.
    /// - Terminal states accept nothing — not even duplicates — so a late or
    ///   replayed message is always surfaced. The one exception: `rejected` accepts
    ///   `venueReopened` (→ `unknown`), for an order closed as not at the venue that the
    ///   venue turns out to have; the venue's answer then moves it on from `unknown`.
    public func applying(_ event: OrderEvent) throws(IllegalTransition) -> OrderState {
        guard let next = transition(event) else { throw IllegalTransition(from: self, event: event) }
        return next
    }

    private func transition(_ event: OrderEvent) -> OrderState? {
        switch self {
        case .pendingNew, .unknown: Self.venueAnswer(event)
        case .accepted: event == .venueAccepted ? .accepted : Self.workingOrderUpdate(event)
        case .partiallyFilled: Self.workingOrderUpdate(event)
        case .rejected: event == .venueReopened ? .unknown : nil
        case .filled, .canceled, .expired: nil
        }
    }

    /// The state an order not yet known to be working moves to on any event but a reopening.
    private static func venueAnswer(_ event: OrderEvent) -> OrderState? {
        switch event {
        case .venueAccepted: .accepted
        case .partialFill: .partiallyFilled
        case .finalFill: .filled
        case .venueCanceled: .canceled
        case .venueRejected: .rejected
        case .venueExpired: .expired
        case .sendTimedOut: .unknown
        case .venueReopened: nil
        }
    }

    /// The state a working order moves to; `nil` for events a working order refuses.
    private static func workingOrderUpdate(_ event: OrderEvent) -> OrderState? {
        switch event {
        case .partialFill: .partiallyFilled
        case .finalFill: .filled
        case .venueCanceled: .canceled
        case .venueExpired: .expired
        case .venueAccepted, .venueRejected, .sendTimedOut, .venueReopened: nil
        }
    }
}
