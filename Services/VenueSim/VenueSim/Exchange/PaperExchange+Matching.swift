import BusProtocol
import TradingModel
import VenueKit

extension PaperExchange {
    /// What one `advanceMarket` step did, in the order it happened, for the server to stream.
    public typealias MarketStep = (ticks: [VenueTick], fills: [VenueFill], updates: [VenueOrder])

    /// Moves the market one step at venue time `now` and fills what became marketable.
    ///
    /// For each instrument in configuration order: the mid takes a seeded random step
    /// of −maxStepTicks…+maxStepTicks ticks (one draw per instrument per step, whatever
    /// was traded, so equal seeds give equal price paths), the bid and ask follow,
    /// then every resting limit the new touch reaches — a buy with limit ≥ ask, a sell
    /// with limit ≤ bid — fills entirely at its limit price, oldest first. A `trendBps`
    /// other than 0 (the `market_trend_bps` fault) moves each mid by that many basis points
    /// more, rounded to its tick grid: a crash or a rally.
    ///
    /// - Returns: one tick per instrument (after its fills, so `last` is current), the
    ///   new fills in trade-seq order, and the orders those fills changed.
    public mutating func advanceMarket(now: Int64, trendBps: Int = 0) -> MarketStep {
        var step: MarketStep = ([], [], [])
        for instrument in instruments {
            let symbol = instrument.symbol
            let move = rng.next(in: -maxStepTicks...maxStepTicks)
            books[symbol]?.move(byTicks: move, trendBps: trendBps, now: now)
            let updates = matchResting(symbol: symbol, now: now)
            step.updates += updates
            step.fills += updates.compactMap(\.fills.last)
            if let tick = books[symbol]?.tick { step.ticks.append(tick) }
        }
        forgetHistory(now: now)
        return step
    }

    /// Cancels a working order (`venue.cancel`) and releases the funds it locked.
    ///
    /// An order already in a terminal state (filled, canceled, rejected, expired) is
    /// returned unchanged, so a repeated cancel is harmless. `now` is the venue time
    /// of the request (accepted for symmetry with `place`; orders carry no update time).
    /// - Throws: `NOT_FOUND` when the account has no order with this client id.
    public mutating func cancel(account: String, clientOrderId: String, now: Int64) throws(ServiceError) -> VenueOrder {
        guard let venueOrderId = orderIds[OrderKey(account: account, clientOrderId: clientOrderId)],
            var record = orders[venueOrderId]
        else {
            throw ServiceError(
                .notFound, reason: "order_not_found", "no order '\(clientOrderId)' in account '\(account)'")
        }
        guard !record.order.status.isTerminal else { return record.order }
        ledger.release(account, record.locks)
        record.locks = [:]
        record.close(.canceled, reason: "canceled_by_client")
        openOrderIds[record.order.symbol]?.removeAll { $0 == venueOrderId }
        store(record, now: now)
        return record.order
    }

    /// Fills every resting order of `symbol` that the current touch reaches, at its limit.
    private mutating func matchResting(symbol: String, now: Int64) -> [VenueOrder] {
        guard let book = books[symbol], let resting = openOrderIds[symbol], !resting.isEmpty else { return [] }
        var updates: [VenueOrder] = []
        var stillOpen: [String] = []
        for venueOrderId in resting {
            guard var record = orders[venueOrderId], let limit = record.order.price else {
                preconditionFailure("resting order \(venueOrderId) is missing or has no limit")
            }
            guard book.executionPrice(side: record.order.side, limit: limit) != nil else {
                stillOpen.append(venueOrderId)
                continue
            }
            execute(&record, price: limit, now: now)
            store(record, now: now)
            updates.append(record.order)
        }
        openOrderIds[symbol] = stillOpen
        return updates
    }

    /// Fills the whole remaining quantity of `record` at `price`: releases its locks,
    /// settles the trade on the ledger, numbers the fill and records it everywhere.
    mutating func execute(_ record: inout OrderRecord, price: Price, now: Int64) {
        let order = record.order
        guard let instrument = books[order.symbol]?.instrument else {
            preconditionFailure("order \(order.venueOrderId) on unknown symbol \(order.symbol)")
        }
        let qty = record.remainingQty
        precondition(qty.isPositive, "order \(order.venueOrderId) has nothing left to fill")
        let settlement = Settlement(side: order.side, qty: qty, price: price, instrument: instrument, feeRate: feeRate)
        ledger.release(order.account, record.locks)
        record.locks = [:]
        ledger.apply(order.account, settlement.deltas)
        tradeCounter += 1
        let fill = VenueFill(
            tradeId: Self.formatId("T", tradeCounter), tradeSeq: tradeCounter, venueOrderId: order.venueOrderId,
            clientOrderId: order.clientOrderId, account: order.account, symbol: order.symbol, side: order.side,
            qty: qty, price: price, fee: settlement.fee, feeAsset: instrument.quote, ts: now)
        record.record(fill)
        accountFills[order.account, default: []].append(fill)
        books[order.symbol]?.lastTrade = price
    }
}
