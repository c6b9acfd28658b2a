import BusProtocol
import TradingModel
import VenueKit

extension PaperExchange {
    /// Records a valid new order as `rejected` with `reason` (an injected fault), like
    /// an exchange refusing it; a repeated client_order_id returns the existing order.
    /// - Throws: the same rule violations as `place`.
    public mutating func reject(_ request: VenuePlace, reason: String, now: Int64) throws(ServiceError) -> VenueOrder {
        if let existing = order(account: request.account, clientOrderId: request.clientOrderId) { return existing }
        _ = try validate(request)
        orderCounter += 1
        let venueOrderId = Self.formatId("V", orderCounter)
        var record = OrderRecord(
            order: VenueOrder(
                venueOrderId: venueOrderId, clientOrderId: request.clientOrderId, account: request.account,
                symbol: request.symbol, side: request.side, type: request.type, qty: request.qty,
                price: request.price, timeInForce: request.timeInForce, status: .new, filledQty: .zero,
                avgPrice: nil, reason: nil, createdTs: now, fills: []),
            seq: orderCounter)
        record.close(.rejected, reason: reason)
        orderIds[OrderKey(account: request.account, clientOrderId: request.clientOrderId)] = venueOrderId
        orders[venueOrderId] = record
        return record.order
    }

    /// The account's fills at or after venue time `sinceTs`, oldest first, at most `limit`.
    public func fills(account: String, sinceTs: Int64, limit: Int) -> [VenueFill] {
        Array((accountFills[account] ?? []).lazy.filter { $0.ts >= sinceTs }.prefix(limit))
    }

    /// Starts the order and trade counters at `floor` unless they are already past it,
    /// so a venue that starts without its saved book never reuses an id of an earlier run.
    public mutating func startCounters(atLeast floor: Int64) {
        orderCounter = max(orderCounter, floor)
        tradeCounter = max(tradeCounter, floor)
    }

    /// The last trade seq handed out (the venue-wide watermark).
    public var lastTradeSeq: Int64 { tradeCounter }
}
