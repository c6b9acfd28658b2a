import TradingModel

/// Turns what a venue says about an order into journal facts with deterministic ids, so
/// the same venue answer seen twice (ack and stream, a reconciliation poll, a replay, the
/// gateway and the reconciler) is journaled once.
public enum VenueFacts {
    /// The facts of what the venue says about `order`: accepted, each fill, its end.
    public static func facts(for order: VenueOrder, venue: String) -> [Fact] {
        var facts: [Fact] = []
        let account = order.account
        if order.status != .rejected {
            facts.append(Fact(
                id: "accepted:\(account):\(order.clientOrderId)", account: account,
                payload: .orderAccepted(OrderAccepted(clientOrderId: order.clientOrderId, venueOrderId: order.venueOrderId))))
        }
        facts += order.fills.map { fill(for: $0, venue: venue) }
        let closing: OrderState? = switch order.status {
        case .canceled: .canceled
        case .rejected: .rejected
        case .expired: .expired
        case .new, .partiallyFilled, .filled: nil
        }
        if let closing {
            facts.append(closed(account: account, clientOrderId: order.clientOrderId, state: closing, reason: order.reason))
        }
        return facts
    }

    /// The fact that an order left the live states (or became `unknown`); one id per order and state.
    public static func closed(account: String, clientOrderId: String, state: OrderState, reason: String?) -> Fact {
        Fact(
            id: "\(state.rawValue):\(account):\(clientOrderId)", account: account,
            payload: .orderClosed(OrderClosed(clientOrderId: clientOrderId, state: state, reason: reason)))
    }

    /// The fact of one venue fill, id `fill:<venue>:<trade id>`.
    public static func fill(for fill: VenueFill, venue: String) -> Fact {
        Fact(
            id: FillRecorded.factId(venue: venue, tradeId: fill.tradeId), account: fill.account,
            payload: .fillRecorded(FillRecorded(
                clientOrderId: fill.clientOrderId, venueOrderId: fill.venueOrderId, tradeId: fill.tradeId,
                symbol: fill.symbol, side: fill.side, qty: fill.qty, price: fill.price, fee: fill.fee,
                feeAsset: fill.feeAsset, ts: fill.ts)))
    }
}
