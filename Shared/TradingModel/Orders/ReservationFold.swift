/// The reservation rule, written once: what the funds held for one order become with each
/// of its trades and with its close. risk-service's `Ledger` (the live books) and the
/// writer's `reservations` projection both fold with it, so the two views of what an order
/// still holds cannot drift apart (they did: the ledger released at filled ≥ qty and
/// ignored a fee paid in the reserved asset of a sell; the projection closed only with a
/// terminal order state).
///
/// - A trade consumes what it costs in the reservation's asset (`consumption`): a buy its
///   notional, a sell its quantity, plus the fee when it is paid in that asset.
/// - It takes that from what is held; once closed (a late fill that raced the close),
///   from what was released. What neither covers is `overrun`: recorded, never refused
///   (the venue is the truth), and never below zero.
/// - The reservation closes once the trades reach the ordered quantity, or when the order
///   closes (canceled, rejected, expired); what is still held is then released.
public struct ReservationFold: Sendable, Equatable {
    /// The asset held (quote for buys, base for sells).
    public let asset: String
    /// What the intent reserved, fees included.
    public let amount: ExactDecimal
    /// The order's side and approved quantity.
    public let side: Side
    public let qty: ExactDecimal
    /// Consumed by trades, released at the close, and consumed beyond both.
    public private(set) var consumed: ExactDecimal
    public private(set) var released: ExactDecimal
    public private(set) var overrun: ExactDecimal
    /// Traded so far (overfills included).
    public private(set) var filled: ExactDecimal
    /// Whether funds are still held.
    public private(set) var isOpen: Bool

    /// A reservation as the intent made it, or as a view has it now.
    public init(
        asset: String, amount: ExactDecimal, side: Side, qty: ExactDecimal, consumed: ExactDecimal = .zero,
        released: ExactDecimal = .zero, overrun: ExactDecimal = .zero, filled: ExactDecimal = .zero, isOpen: Bool = true
    ) {
        self.asset = asset
        self.amount = amount
        self.side = side
        self.qty = qty
        self.consumed = consumed
        self.released = released
        self.overrun = overrun
        self.filled = filled
        self.isOpen = isOpen
    }

    /// What is still held: amount − consumed − released.
    public var remaining: ExactDecimal { amount - consumed - released }

    /// What a trade costs in `asset` for an order on `side`.
    public static func consumption(of fill: FillRecorded, side: Side, asset: String) -> ExactDecimal {
        var consumed = side == .buy ? fill.qty.multiplied(by: fill.price, rounding: .halfEven) : fill.qty
        if fill.feeAsset == asset { consumed += fill.fee }
        return consumed
    }

    /// Folds one trade of the order.
    public mutating func fill(_ fill: FillRecorded) {
        let cost = Self.consumption(of: fill, side: side, asset: asset)
        let available = isOpen ? remaining : released
        let taken = min(cost, available)
        consumed += taken
        if !isOpen { released -= taken }
        overrun += cost - taken
        filled += fill.qty
        if isOpen, filled >= qty { close() }
    }

    /// The order closed: what is still held is released.
    public mutating func close() {
        guard isOpen else { return }
        released += remaining
        isOpen = false
    }
}
