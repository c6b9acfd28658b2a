/// The life-cycle state of an order as Breakwater knows it (G9); wire spelling snake_case.
///
/// `unknown` means the order was sent but the venue's answer was lost (timeout or
/// transport error); it resolves by asking the venue, never by guessing.
public enum OrderState: String, Codable, Sendable, CaseIterable {
    /// Recorded as an intent, not yet acknowledged by the venue.
    case pendingNew = "pending_new"
    /// Working at the venue, nothing filled yet.
    case accepted
    /// Working at the venue, partly filled.
    case partiallyFilled = "partially_filled"
    /// Completely filled (terminal).
    case filled
    /// Canceled, possibly after partial fills (terminal).
    case canceled
    /// Refused by the venue (terminal).
    case rejected
    /// Expired by its time in force (terminal).
    case expired
    /// Sent, venue answer not known yet; resolved by asking the venue.
    case unknown

    /// Whether no further event can change the order.
    public var isTerminal: Bool {
        switch self {
        case .filled, .canceled, .rejected, .expired: true
        case .pendingNew, .accepted, .partiallyFilled, .unknown: false
        }
    }
}
