import BusProtocol
import TradingModel
import VenueKit

/// The book as Binance's API sees it: a client order id is unique among OPEN orders only.
///
/// The paper exchange keeps one order per (account, client order id) forever, so an order
/// placed through the Binance front with an id whose earlier order has ended is stored
/// under a generation suffix: `abc`, then `abc#2`, `abc#3`… (`#` is outside Binance's id
/// alphabet, so no Binance id can look like a generation). A lookup by client id answers
/// the latest generation, as Binance answers the latest order with that id.
extension VenueBook {
    /// Why a Binance place was refused by the book.
    enum BinancePlaceRefusal: Error {
        /// An open order already has this client id (Binance: -2010 `Duplicate order sent.`).
        case duplicate
        /// The venue's rules refused the order (not recorded).
        case invalid(ServiceError)
        /// Recorded as rejected (e.g. `insufficient_balance`, or the reject fault): Binance
        /// answers -2010 and no order exists.
        case rejected(reason: String)
    }

    /// The latest order with Binance client id `clientOrderId` in `account`, and its generation (1…).
    func latest(account: String, clientOrderId: String) -> (order: VenueOrder, generation: Int)? {
        guard var found = exchange.order(account: account, clientOrderId: clientOrderId) else { return nil }
        var generation = 1
        while let next = exchange.order(account: account, clientOrderId: Self.internalId(clientOrderId, generation: generation + 1)) {
            found = next
            generation += 1
        }
        return (found, generation)
    }

    /// The id the paper exchange stores generation `generation` of a Binance client id under.
    static func internalId(_ clientOrderId: String, generation: Int) -> String {
        generation == 1 ? clientOrderId : "\(clientOrderId)#\(generation)"
    }

    /// The Binance client id of an order stored under `internalId`.
    static func binanceId(_ internalId: String) -> String {
        internalId.firstIndex(of: "#").map { String(internalId[..<$0]) } ?? internalId
    }

    /// Places `request` (its client id a Binance id) as a new generation, or refuses it.
    func binancePlace(_ request: VenuePlace, now: Int64) throws(BinancePlaceRefusal) -> VenueOrder {
        var stored = request
        if let (order, generation) = latest(account: request.account, clientOrderId: request.clientOrderId) {
            guard order.status.isTerminal else { throw .duplicate }
            stored.clientOrderId = Self.internalId(request.clientOrderId, generation: generation + 1)
        }
        let order: VenueOrder
        let rejects: Bool
        do throws(ServiceError) {
            _ = try exchange.validate(stored)
            rejects = injector.rejectsOrder()
            order = rejects ? try exchange.reject(stored, reason: "venue_fault", now: now) : try exchange.place(stored, now: now)
        } catch {
            throw .invalid(error)
        }
        record(rejects ? .reject : .place, now: now, place: stored)
        if order.status == .rejected { throw .rejected(reason: order.reason ?? "rejected") }
        changed(order, placed: true, newFills: order.fills)
        return order
    }

    /// Cancels the order stored under `internalId` (logged), as it stands after.
    func binanceCancel(account: String, internalId: String, now: Int64) throws(ServiceError) -> VenueOrder {
        let order = try exchange.cancel(account: account, clientOrderId: internalId, now: now)
        record(.cancel, now: now, cancel: VenueOrderRef(account: account, clientOrderId: internalId))
        changed(order, placed: false, newFills: [])
        return order
    }

    /// The order with venue order id `venueOrderId`, if it is `account`'s.
    func order(account: String, venueOrderId: String) -> VenueOrder? {
        exchange.orders[venueOrderId].map(\.order).flatMap { $0.account == account ? $0 : nil }
    }

    /// The account's open orders, oldest first.
    func openOrders(account: String) -> [VenueOrder] {
        exchange.openOrders(account: account)
    }

    /// The account's fills of `symbol` with trade seq ≥ `fromSeq` (the oldest `limit`), or
    /// without `fromSeq` the newest `limit`; in trade order; only of `orderId` when given.
    func trades(account: String, symbol: String, fromSeq: Int64?, venueOrderId: String?, limit: Int) -> [VenueFill] {
        let all = (exchange.accountFills[account] ?? []).filter {
            $0.symbol == symbol && (venueOrderId == nil || $0.venueOrderId == venueOrderId)
        }
        guard let fromSeq else { return Array(all.suffix(limit)) }
        return Array(all.filter { $0.tradeSeq >= fromSeq }.prefix(limit))
    }

    /// The account's free and total balance per asset; nil for an unknown account.
    func balances(account: String) -> (free: [String: Money], total: [String: Money])? {
        guard exchange.ledger.hasAccount(account) else { return nil }
        return (exchange.availableBalances(account: account), exchange.balances(account: account))
    }

    /// The instruments, the fee rate and the current quotes.
    func market() -> (instruments: [Instrument], feeRate: Money, quotes: [VenueTick]) {
        (exchange.instruments, exchange.feeRate, exchange.instruments.compactMap { exchange.quote(symbol: $0.symbol) })
    }
}
