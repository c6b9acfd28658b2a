import BusProtocol
import TradingModel

extension Projector {
    /// Applies one trade to its order and reservation, in memory; the caller writes them.
    ///
    /// - `filled_qty += qty`, never above `qty` (`INVALID_REQUEST` / `overfill`).
    /// - `avg_price = Σ(qty × price) / filled_qty`, rounded half-even to 12 digits; the
    ///   sum is kept exact in `filled_notional`, so rounding never accumulates.
    /// - state `partially_filled`, or `filled` when `filled_qty == qty`.
    /// - the reservation commits what the trade consumed (see `consumption`); when the
    ///   order is filled it closes, releasing the rest.
    func fold(_ fill: FillRecorded, into order: inout OrderRecord, reservation: inout ReservationRow?) throws {
        guard fill.symbol == order.symbol, fill.side == order.side else {
            throw ServiceError(
                .invalidRequest, reason: "fill_mismatch",
                "trade \(fill.tradeId) is \(fill.side.rawValue) \(fill.symbol), order \(order.clientOrderId) is \(order.side.rawValue) \(order.symbol)")
        }
        try checkVenueOrderId(fill.venueOrderId, of: order)
        let filled = order.filledQty + fill.qty
        guard filled <= order.qty else {
            throw ServiceError(
                .invalidRequest, reason: "overfill",
                "trade \(fill.tradeId) fills \(filled) of order \(order.clientOrderId) for \(order.qty)")
        }
        order.state = try transition(order, filled == order.qty ? .finalFill : .partialFill)
        let notional = fill.qty.multiplied(by: fill.price, rounding: .halfEven)
        order.filledNotional += notional
        order.filledQty = filled
        order.avgPrice = order.filledNotional.divided(by: filled, rounding: .halfEven)
        order.venueOrderId = order.venueOrderId ?? fill.venueOrderId
        order.updatedSeq = seq
        guard var held = reservation else { return }
        try held.commit(consumption(of: fill, notional: notional, side: order.side, asset: held.asset))
        if order.state == .filled {
            held.close()
        }
        reservation = held
    }

    /// What a trade takes out of the reservation, in the reservation's asset.
    ///
    /// Following `OrderIntent.reserveAsset` (quote asset for buys, base for sells): a buy
    /// consumes the notional `qty × price`, a sell consumes `qty`; a fee paid in the
    /// reservation's asset is consumed too (a fee in another asset is not reserved here).
    private func consumption(of fill: FillRecorded, notional: Money, side: Side, asset: String) -> Money {
        var consumed = side == .buy ? notional : fill.qty
        if fill.feeAsset == asset {
            consumed += fill.fee
        }
        return consumed
    }
}
