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
        store(record, now: now)
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

    /// Writes `record` into the book; one that just ended starts its time in the history window.
    mutating func store(_ record: OrderRecord, now: Int64) {
        let venueOrderId = record.order.venueOrderId
        let wasWorking = orders[venueOrderId].map { !$0.order.status.isTerminal } ?? true
        orders[venueOrderId] = record
        if wasWorking && record.order.status.isTerminal {
            if endedOrders == nil { endedOrders = [] }
            endedOrders?.append(EndedOrder(venueOrderId: venueOrderId, ts: now))
        }
    }

    /// Forgets the orders that ended, and the fills made, before `now − historyWindow`:
    /// `venue.order`, `venue.fills` and the idempotency index no longer know them. Working
    /// orders, balances and positions (the forgotten fills' net is kept) are never touched.
    /// Runs on every market step (so a replay of the log forgets exactly as the run did), in
    /// batches: each forgetting moves what is left.
    mutating func forgetHistory(now: Int64) {
        guard let window = historyWindow else { return }
        let horizon = now - window
        let ended = endedOrders?.prefix { $0.ts < horizon }.count ?? 0
        if ended >= Self.forgetBatch || (ended > 0 && ended == endedOrders?.count) {
            for entry in endedOrders?.prefix(ended) ?? [] {
                if let record = orders.removeValue(forKey: entry.venueOrderId) {
                    orderIds[OrderKey(account: record.order.account, clientOrderId: record.order.clientOrderId)] = nil
                }
            }
            endedOrders?.removeFirst(ended)
        }
        for (account, fills) in accountFills {
            let old = fills.prefix { $0.ts < horizon }.count
            if old >= Self.forgetBatch || (old > 0 && old == fills.count) {
                if forgottenPositions == nil { forgottenPositions = [:] }
                forgottenPositions?[account, default: [:]].merge(VenuePositions.net(of: Array(fills.prefix(old))), uniquingKeysWith: +)
                accountFills[account] = Array(fills.dropFirst(old))
            }
        }
    }

    /// The fewest old orders, or old fills of an account, forgotten at once.
    static let forgetBatch = 256
}
