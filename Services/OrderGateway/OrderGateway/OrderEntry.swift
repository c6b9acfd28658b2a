import BusKit
import BusProtocol
import Foundation
import Logging
import TradingModel
import VenueKit

/// The order path inside the gateway: validate, authorize with risk (which journals
/// the intent), send to the venue, journal what the venue said, answer.
struct OrderEntry: Sendable {
    let bus: BusConnection
    let venue: any Venue
    let instruments: [String: Instrument]
    let quotes: MarketQuotes
    let locks: KeyedLock
    let pricePolicy: PricePolicy
    let logger: Logger

    func submit(_ message: Message) async throws(ServiceError) -> OrderReply {
        let submit = try message.decode(OrderSubmit.self)
        let instrument = instruments[submit.symbol]
        try OrderValidator.validate(submit, instrument: instrument, knownAccounts: nil)
        guard let instrument else { preconditionFailure("validated orders have an instrument") }
        // Without an explicit id the id is minted from the request id: a resend of the same request is the same order.
        let clientOrderId = submit.clientOrderId ?? "gw-" + message.header.id
        return try await locks.withLock("\(submit.account)|\(submit.symbol)") { () async throws(ServiceError) -> OrderReply in
            if let existing = try await journaledOrder(account: submit.account, clientOrderId: clientOrderId) {
                return OrderReply(order: existing)
            }
            let (price, tif) = try pricePolicy.venuePrice(
                for: submit, instrument: instrument, quote: await referenceQuote(submit), now: WallClock.nowNanos())
            let authorize = RiskAuthorize(
                account: submit.account, clientOrderId: clientOrderId, symbol: submit.symbol, base: instrument.base,
                quote: instrument.quote, side: submit.side, type: submit.type, qty: submit.qty, price: price, timeInForce: tif)
            let decision = try await bus.call(
                service: RiskAPI.service, type: RiskAPI.authorize, key: submit.account, body: authorize,
                replyType: RiskDecision.self, traceparent: message.header.traceparent)
            // The intent is committed: only now may the venue see the order (G9).
            let place = VenuePlace(
                account: submit.account, clientOrderId: clientOrderId, symbol: submit.symbol, side: submit.side,
                type: .limit, qty: decision.qty, price: price, timeInForce: tif)
            try await send(place, traceparent: message.header.traceparent)
            guard let order = try await journaledOrder(account: submit.account, clientOrderId: clientOrderId) else {
                throw ServiceError(.internal, reason: "order_missing", "the order was journaled but cannot be read back")
            }
            return OrderReply(order: order)
        }
    }

    func get(_ message: Message) async throws(ServiceError) -> OrderReply {
        let ref = try message.decode(OrderRef.self)
        guard let order = try await journaledOrder(account: ref.account, clientOrderId: ref.clientOrderId) else {
            throw ServiceError(.notFound, reason: "order_not_found", "no order '\(ref.clientOrderId)' for account '\(ref.account)'")
        }
        return OrderReply(order: order)
    }

    private func referenceQuote(_ submit: OrderSubmit) async -> Quote? {
        if let quote = submit.quote { return quote }
        return await quotes.quote(for: submit.symbol)
    }

    /// Places at the venue. A timeout or transport error is not a failure: the venue
    /// is asked by client_order_id; if it still cannot say, the order is `unknown`.
    private func send(_ place: VenuePlace, traceparent: String?) async throws(ServiceError) {
        let order: VenueOrder
        do {
            order = try await venue.place(place)
        } catch {
            switch error {
            case .transient(let error):
                logger.warning("venue.place.transient", metadata: ["order.client_id": "\(place.clientOrderId)", "error": "\(error)"])
                guard let found = try? await venue.order(account: place.account, clientOrderId: place.clientOrderId) else {
                    try await close(place, state: .unknown, reason: "venue_timeout", traceparent: traceparent)
                    return
                }
                order = found
            case .permanent(let error), .fatal(let error):
                try await close(place, state: .rejected, reason: error.reason, traceparent: traceparent)
                return
            }
        }
        try await journal(VenueFacts.facts(for: order, venue: venue.name), traceparent: traceparent)
    }

    private func close(_ place: VenuePlace, state: OrderState, reason: String, traceparent: String?) async throws(ServiceError) {
        let closed = OrderClosed(clientOrderId: place.clientOrderId, state: state, reason: reason)
        let fact = Fact(id: "\(state.rawValue):\(place.account):\(place.clientOrderId)", account: place.account, payload: .orderClosed(closed))
        try await journal([fact], traceparent: traceparent)
    }

    func journal(_ facts: [Fact], traceparent: String?) async throws(ServiceError) {
        guard !facts.isEmpty else { return }
        let ack = try await bus.call(
            service: JournalAPI.service, type: JournalAPI.append, body: JournalAppend(facts: facts),
            replyType: AppendAck.self, traceparent: traceparent)
        if let error = ack.error { throw error }
    }

    private func journaledOrder(account: String, clientOrderId: String) async throws(ServiceError) -> OrderView? {
        do {
            return try await bus.call(
                service: JournalAPI.service, type: JournalAPI.order, body: OrderRef(account: account, clientOrderId: clientOrderId),
                replyType: OrderReply.self
            ).order
        } catch where error.code == .notFound {
            return nil
        }
    }
}
