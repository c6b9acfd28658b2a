import BusProtocol
import TradingModel

extension Projector {
    /// Applies one trade to its order and reservation, in memory; the caller writes them.
    ///
    /// The venue is the truth: a trade that matches the order's symbol, side and venue
    /// order id is always folded, never refused.
    /// - `filled_qty += qty`; `avg_price = Σ(qty × price) / filled_qty`, rounded half-even
    ///   to 12 digits; the sum is kept exact in `filled_notional`.
    /// - state `partially_filled`, or `filled` when `filled_qty == qty`. A trade that
    ///   raced a cancel, expiry or reject (a late fill) keeps that terminal state, or
    ///   moves the order to `filled` when it completes it.
    /// - a trade beyond the ordered quantity (an overfill) leaves the order's quantities
    ///   alone and says so in `reason`; the trade itself is in `fills` and the journal.
    /// - the reservation follows the shared rule, `ReservationFold`: the trade's cost is
    ///   committed (an overrun recorded, never refused); it closes once the trades reach
    ///   the ordered quantity or the order is terminal.
    func fold(_ fill: FillRecorded, into order: inout OrderRecord, reservation: inout ReservationRow?) throws {
        guard fill.symbol == order.symbol, fill.side == order.side else {
            throw ServiceError(
                .invalidRequest, reason: "fill_mismatch",
                "trade \(fill.tradeId) is \(fill.side.rawValue) \(fill.symbol), order \(order.clientOrderId) is \(order.side.rawValue) \(order.symbol)")
        }
        try checkVenueOrderId(fill.venueOrderId, of: order)
        let notional = fill.qty.multiplied(by: fill.price, rounding: .halfEven)
        let filledBefore = order.filledQty
        let filled = order.filledQty + fill.qty
        if filled <= order.qty {
            order.state = try state(of: order, after: filled == order.qty ? .finalFill : .partialFill)
            order.filledNotional += notional
            order.filledQty = filled
            order.avgPrice = order.filledNotional.divided(by: filled, rounding: .halfEven)
        } else {
            order.reason = "overfill: trade \(fill.tradeId) takes the fills to \(filled) of \(order.qty)"
        }
        order.venueOrderId = order.venueOrderId ?? fill.venueOrderId
        order.updatedSeq = seq
        guard var held = reservation else { return }
        // The shared rule (`ReservationFold`): the trade's cost, an overrun recorded, the
        // close once the trades reach the ordered quantity or the order is terminal.
        var rule = held.rule(side: order.side, qty: order.qty, filled: filledBefore)
        rule.fill(fill)
        if order.state.isTerminal { rule.close() }
        held.adopt(rule)
        reservation = held
    }

    /// The state after a fill: the usual transition for a live order; for an order the
    /// venue already closed (the fill raced the close) the closed state stays, unless
    /// the fill completes the order, which makes it `filled`.
    private func state(of order: OrderRecord, after event: OrderEvent) throws(ServiceError) -> OrderState {
        guard order.state.isTerminal else { return try transition(order, event) }
        return event == .finalFill ? .filled : order.state
    }
}
