/// An event that the order state machine refuses in the given state (G9).
///
/// Callers log it and keep the current state; it usually means a message arrived
/// for an order that is already terminal, or out of order.
public struct IllegalTransition: Error, Sendable, Equatable, CustomStringConvertible {
    /// The state the order was in.
    public var from: OrderState
    /// The refused event.
    public var event: OrderEvent

    /// Creates the error for `event` arriving in state `from`.
    public init(from: OrderState, event: OrderEvent) {
        self.from = from
        self.event = event
    }

    /// A short human-readable account, e.g. `illegal transition: filled + venueCanceled`.
    public var description: String { "illegal transition: \(from.rawValue) + \(event)" }
}
