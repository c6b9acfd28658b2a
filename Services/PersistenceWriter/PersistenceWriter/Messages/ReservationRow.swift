import TradingModel

/// One row of the `reservations` projection: funds held for one order (R1).
///
/// Invariant (checked by `precondition` on every write and read):
/// `committed ≥ 0`, `released ≥ 0` and `committed + released ≤ amount`.
public struct ReservationRow: Codable, Sendable, Equatable {
    /// Whether the reservation still holds funds.
    public enum State: String, Codable, Sendable, CaseIterable {
        /// Funds are held; fills commit part of them.
        case held
        /// The order is finished; what was not committed has been released.
        case closed
    }

    /// The account the funds belong to.
    public var account: String
    /// The order the funds are held for.
    public var clientOrderId: String
    /// The asset held (quote asset for buys, base asset for sells).
    public var asset: String
    /// The amount reserved by the intent, fees included.
    public var amount: Money
    /// The part consumed by fills (notional or quantity, plus fees paid in `asset`).
    public var committed: Money
    /// The part given back when the order finished.
    public var released: Money
    /// Held or closed.
    public var state: State
    /// What fills consumed beyond the reservation (the venue is the truth: a fill that
    /// costs more than was held is recorded, the reservation is clamped at zero and
    /// the excess is kept here for risk and the reconciler to see).
    public var overrun: Money = .zero

    /// Creates a reservation row.
    public init(
        account: String, clientOrderId: String, asset: String, amount: Money,
        committed: Money = .zero, released: Money = .zero, state: State = .held
    ) {
        self.account = account
        self.clientOrderId = clientOrderId
        self.asset = asset
        self.amount = amount
        self.committed = committed
        self.released = released
        self.state = state
    }

    /// What is still held: `amount − committed − released` (zero once closed).
    public var remaining: Money { amount - committed - released }

    enum CodingKeys: String, CodingKey {
        case account, asset, amount, committed, released, state, overrun
        case clientOrderId = "client_order_id"
    }
}
