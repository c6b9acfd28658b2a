import BusKit
import BusProtocol
import Foundation
import Logging
import TradingModel
import VenueKit

/// The order path inside the gateway: validate, rate-limit, authorize with risk (which
/// journals the intent), send to the venue, journal what the venue said, answer.
struct OrderEntry: Sendable {
    let bus: BusConnection
    let venue: any Venue
    let instruments: [String: Instrument]
    let accounts: Set<String>
    let quotes: MarketQuotes
    let locks: KeyedLock
    let pricePolicy: PricePolicy
    let rateLimits: RateLimits
    let duplicates: DuplicateGuard
    let placement: VenuePlacement
    let unknownOrders: UnknownOrders
    /// Wall-clock now in unix nanoseconds (injected so tests control quote age and windows).
    let now: @Sendable () -> Int64
    let logger: Logger

    func submit(_ message: Message) async throws(ServiceError) -> OrderReply {
        let submit = try message.decode(OrderSubmit.self)
        let instrument = instruments[submit.symbol]
        try OrderValidator.validate(submit, instrument: instrument, knownAccounts: accounts)
        guard let instrument else { preconditionFailure("validated orders have an instrument") }
        try rateLimits.admit(account: submit.account, now: now())
        // Without an explicit id the id is minted from the request id: a resend of the same request is the same order.
        let minted = submit.clientOrderId == nil
        let clientOrderId = submit.clientOrderId ?? DuplicateGuard.mintedId(requestId: message.header.id)
        return try await locks.withLock("\(submit.account)|\(submit.symbol)") { () async throws(ServiceError) -> OrderReply in
            if let existing = try await journaledOrder(account: submit.account, clientOrderId: clientOrderId) {
                return OrderReply(order: existing)
            }
            if minted { try duplicates.check(submit, clientOrderId: clientOrderId, now: now()) }
            let (price, tif) = try pricePolicy.venuePrice(
                for: submit, instrument: instrument, quote: await referenceQuote(submit), now: now())
            let authorize = RiskAuthorize(
                account: submit.account, clientOrderId: clientOrderId, symbol: submit.symbol, base: instrument.base,
                quote: instrument.quote, side: submit.side, type: submit.type, qty: submit.qty, price: price, timeInForce: tif)
            let decision = try await bus.call(
                service: RiskAPI.service, type: RiskAPI.authorize, key: submit.account, body: authorize,
                replyType: RiskDecision.self, traceparent: message.header.traceparent)
            if minted { duplicates.record(submit, clientOrderId: clientOrderId, now: now()) }
            // The intent is committed: only now may the venue see the order (G9).
            let place = VenuePlace(
                account: submit.account, clientOrderId: clientOrderId, symbol: submit.symbol, side: submit.side,
                type: .limit, qty: decision.qty, price: price, timeInForce: tif)
            try await send(place, traceparent: message.header.traceparent)
            return try await readBack(account: submit.account, clientOrderId: clientOrderId)
        }
    }

    func get(_ message: Message) async throws(ServiceError) -> OrderReply {
        let ref = try message.decode(OrderRef.self)
        return try await readBack(account: ref.account, clientOrderId: ref.clientOrderId)
    }

    private func referenceQuote(_ submit: OrderSubmit) async -> Quote? {
        if let quote = submit.quote { return quote }
        return await quotes.quote(for: submit.symbol)
    }

    /// Places at the venue (G10) and journals the outcome. A venue that does not answer
    /// leaves the order `unknown` — never "failed" — and it is asked about until it says.
    private func send(_ place: VenuePlace, traceparent: String?) async throws(ServiceError) {
        switch await placement.place(place) {
        case .placed(let order):
            try await journal(VenueFacts.facts(for: order, venue: venue.name), traceparent: traceparent)
        case .rejected(let error):
            logger.notice("venue.place.rejected", metadata: ["order.client_id": "\(place.clientOrderId)", "code": "\(error.code.rawValue)"])
            try await journal(
                [VenueFacts.closed(account: place.account, clientOrderId: place.clientOrderId, state: .rejected, reason: error.reason)],
                traceparent: traceparent)
        case .unknown(let error):
            logger.warning("venue.place.unknown", metadata: ["order.client_id": "\(place.clientOrderId)", "error": "\(error)"])
            try await journal(
                [VenueFacts.closed(account: place.account, clientOrderId: place.clientOrderId, state: .unknown, reason: error.reason)],
                traceparent: traceparent)
            await unknownOrders.watch(place, now: now())
        }
    }

    func journal(_ facts: [Fact], traceparent: String?) async throws(ServiceError) {
        guard !facts.isEmpty else { return }
        let ack = try await bus.call(
            service: JournalAPI.service, type: JournalAPI.append, body: JournalAppend(facts: facts),
            replyType: AppendAck.self, traceparent: traceparent)
        if let error = ack.error { throw error }
    }

    /// The order as the journal has it, or NOT_FOUND.
    func readBack(account: String, clientOrderId: String) async throws(ServiceError) -> OrderReply {
        guard let order = try await journaledOrder(account: account, clientOrderId: clientOrderId) else {
            throw ServiceError(.notFound, reason: "order_not_found", "no order '\(clientOrderId.prefix(64))' for account '\(account.prefix(64))'")
        }
        return OrderReply(order: order)
    }

    func journaledOrder(account: String, clientOrderId: String) async throws(ServiceError) -> OrderView? {
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
