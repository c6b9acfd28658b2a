import BusKit
import BusProtocol
import Foundation
import TradingModel
import VenueKit

/// The paper exchange behind an actor: one request at a time, like a matching engine.
/// It also owns the fault injector (so faulty decisions follow the request order)
/// and the state file (the book is saved before any reply that depends on it).
actor VenueBook {
    private var exchange: PaperExchange
    private var injector: FaultInjector
    private let stateFile: VenueStateFile?
    private var dirty = false

    init(_ exchange: PaperExchange, faults: VenueFaults, seed: UInt64, stateFile: VenueStateFile?) {
        self.exchange = exchange
        self.stateFile = stateFile
        injector = FaultInjector(seed: seed)
        injector.set(faults, now: 0)
    }

    func advance(now: Int64) -> PaperExchange.MarketStep {
        let step = exchange.advanceMarket(now: now)
        if !step.fills.isEmpty { dirty = true }
        return step
    }

    /// Saves the book if it changed since the last save; returns the error, if any.
    func persist() -> (any Error)? {
        guard dirty, let stateFile else { return nil }
        do {
            try stateFile.save(exchange)
            dirty = false
            return nil
        } catch {
            return error
        }
    }

    /// The delays at which to send one stream message (none: dropped).
    func streamCopies(_ kind: FaultInjector.StreamKind, now: Int64) -> [Duration] {
        injector.streamCopies(kind, now: now)
    }

    /// How to answer one request.
    func ackPlan(for type: String) -> FaultInjector.AckPlan { injector.ack(for: type) }

    /// Answers one venue API request.
    func handle(_ message: Message, now: Int64) throws(ServiceError) -> Data {
        switch message.header.type {
        case "venue.instruments":
            return WireCodec.encode(VenueInstruments(instruments: exchange.instruments))
        case "venue.place":
            let request = try message.decode(VenuePlace.self)
            let isNew = exchange.order(account: request.account, clientOrderId: request.clientOrderId) == nil
            let order = isNew && injector.rejectsOrder()
                ? try exchange.reject(request, reason: "venue_fault", now: now)
                : try exchange.place(request, now: now)
            dirty = dirty || isNew
            return WireCodec.encode(order)
        case "venue.order":
            let ref = try message.decode(VenueOrderRef.self)
            guard let order = exchange.order(account: ref.account, clientOrderId: ref.clientOrderId) else {
                throw ServiceError(.notFound, reason: "order_not_found", "no order \(ref.clientOrderId) for \(ref.account)")
            }
            return WireCodec.encode(order)
        case "venue.cancel":
            let ref = try message.decode(VenueOrderRef.self)
            dirty = true
            return WireCodec.encode(try exchange.cancel(account: ref.account, clientOrderId: ref.clientOrderId, now: now))
        case "venue.open_orders":
            return WireCodec.encode(VenueOrders(orders: exchange.openOrders(account: try message.decode(VenueAccountRef.self).account)))
        case "venue.fills":
            return WireCodec.encode(VenueFills(fills: fills(try message.decode(VenueFillsQuery.self))))
        case "venue.balances":
            let account = try message.decode(VenueAccountRef.self).account
            return WireCodec.encode(VenueBalances(account: account, balances: exchange.balances(account: account)))
        case "venue.positions":
            let account = try message.decode(VenueAccountRef.self).account
            return WireCodec.encode(VenuePositions(account: account, positions: exchange.positions(account: account)))
        case "venue.faults":
            let faults = try message.decode(VenueFaults.self).validated()
            injector.set(faults, now: now)
            return WireCodec.encode(injector.faults)
        default:
            throw ServiceError(.unknownType, reason: "unknown_type", "venue-sim does not handle '\(message.header.type)'")
        }
    }

    private func fills(_ query: VenueFillsQuery) -> [VenueFill] {
        if let sinceTs = query.sinceTs, query.afterTradeSeq == nil {
            return exchange.fills(account: query.account, sinceTs: sinceTs, limit: 1_000)
        }
        let page = exchange.fills(account: query.account, afterTradeSeq: query.afterTradeSeq, limit: 1_000)
        guard let sinceTs = query.sinceTs else { return page }
        return page.filter { $0.ts >= sinceTs }
    }
}
