import BusKit
import BusProtocol
import Foundation
import TradingModel
import VenueKit

/// The paper exchange behind an actor: one request at a time, like a matching engine.
actor VenueBook {
    private var exchange: PaperExchange

    init(_ exchange: PaperExchange) { self.exchange = exchange }

    func advance(now: Int64) -> PaperExchange.MarketStep { exchange.advanceMarket(now: now) }

    /// Answers one venue API request.
    func handle(_ message: Message, now: Int64) throws(ServiceError) -> Data {
        switch message.header.type {
        case "venue.instruments":
            return WireCodec.encode(VenueInstruments(instruments: exchange.instruments))
        case "venue.place":
            return WireCodec.encode(try exchange.place(try message.decode(VenuePlace.self), now: now))
        case "venue.order":
            let ref = try message.decode(VenueOrderRef.self)
            guard let order = exchange.order(account: ref.account, clientOrderId: ref.clientOrderId) else {
                throw ServiceError(.notFound, reason: "order_not_found", "no order \(ref.clientOrderId) for \(ref.account)")
            }
            return WireCodec.encode(order)
        case "venue.cancel":
            let ref = try message.decode(VenueOrderRef.self)
            return WireCodec.encode(try exchange.cancel(account: ref.account, clientOrderId: ref.clientOrderId, now: now))
        case "venue.open_orders":
            return WireCodec.encode(VenueOrders(orders: exchange.openOrders(account: try message.decode(VenueAccountRef.self).account)))
        case "venue.fills":
            let query = try message.decode(VenueFillsQuery.self)
            return WireCodec.encode(VenueFills(fills: exchange.fills(account: query.account, afterTradeSeq: query.afterTradeSeq, limit: 1_000)))
        case "venue.balances":
            let account = try message.decode(VenueAccountRef.self).account
            return WireCodec.encode(VenueBalances(account: account, balances: exchange.balances(account: account)))
        default:
            throw ServiceError(.unknownType, reason: "unknown_type", "venue-sim does not handle '\(message.header.type)'")
        }
    }
}
