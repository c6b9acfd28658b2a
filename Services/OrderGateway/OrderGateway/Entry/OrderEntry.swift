import BusKit
import BusProtocol
import Foundation
import Logging
import ServiceRuntime
import TradingModel
import VenueKit

/// The order path inside the gateway: validate, rate-limit, authorize with risk (which
/// journals the intent, or answers a used id with its order), send to the venue, journal
/// what the venue said, answer with the order as that commit projected it. Three bus round
/// trips in series (`risk.authorize`, `venue.place`, `journal.append`), and no read.
struct OrderEntry: Sendable {
    let bus: BusConnection
    /// The journal (appends, order look-ups) over `bus`.
    var journalClient: JournalClient { JournalClient(bus: bus) }
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
    let cancels: CancelRequests
    /// The venue facts this gateway journals itself (the stream follower skips them).
    let ownFacts: OwnFacts
    /// Venue sends per (account, symbol) in intent order, outside the key's lock.
    let sends: SendSequence
    /// Whether the venue is reachable (no order is authorized or sent while it is not).
    let venueLink: VenueLink
    /// Wall-clock now in unix nanoseconds (injected so tests control quote age and windows).
    let now: @Sendable () -> Int64
    let logger: Logger

    func submit(_ message: Message) async throws(ServiceError) -> OrderReply {
        let submit = try message.decode(accountScoped: OrderSubmit.self)
        let instrument = instruments[submit.symbol]
        try OrderValidator.validate(submit, instrument: instrument, knownAccounts: accounts)
        guard let instrument else { preconditionFailure("validated orders have an instrument") }
        try rateLimits.admit(account: submit.account, now: now())
        // Without an explicit id the id is minted from the request id: a resend of the same request is the same order.
        let minted = submit.clientOrderId == nil
        let clientOrderId = submit.clientOrderId ?? DuplicateGuard.mintedId(requestId: message.header.id)
        // One id is one order: its lock for the whole order. The (account, symbol) lock of G4
        // (always taken second) only around the reservation and the intent's commit.
        return try await locks.withLock("id|\(submit.account)|\(clientOrderId)") { () async throws(ServiceError) -> OrderReply in
            let key = "\(submit.account)|\(submit.symbol)"
            let step = try await locks.withLock("symbol|" + key) { () async throws(ServiceError) -> Authorized in
                try await authorizeLocked(submit, clientOrderId: clientOrderId, minted: minted, instrument: instrument, message: message, key: key)
            }
            switch step {
            case .answered(let reply):
                return reply
            case .approved(let approved):
                defer { sends.done(key, approved.ticket) }
                return try await place(approved, submit: submit, clientOrderId: clientOrderId, minted: minted, message: message, key: key)
            }
        }
    }

    /// What the locked step decided.
    private enum Authorized: Sendable {
        /// The id already names an order (or the journal answered for a refusal): the reply.
        case answered(OrderReply)
        /// The intent is committed; the order goes to the venue with this ticket.
        case approved(Approved)
    }

    /// An order risk approved, its intent committed.
    private struct Approved: Sendable {
        var decision: RiskDecision
        var price: ExactDecimal
        var tif: TimeInForce
        var cancelEpoch: Int
        var ticket: UInt64
    }

    /// Under the (account, symbol) lock: the checks, `risk.authorize` (reservation and the
    /// intent's commit), and the order's place in the key's send sequence.
    private func authorizeLocked(
        _ submit: OrderSubmit, clientOrderId: String, minted: Bool, instrument: Instrument, message: Message, key: String
    ) async throws(ServiceError) -> Authorized {
        // Read before the intent is journaled: a kill switch whose halt commits after this
        // intent moves the epoch after this read, so the order cancels itself once placed.
        let cancelEpoch = cancels.epoch(account: submit.account)
        let (decision, price, tif): (RiskDecision, ExactDecimal, TimeInForce)
        do {
            (decision, price, tif) = try await authorize(submit, clientOrderId: clientOrderId, minted: minted, instrument: instrument, message: message)
        } catch {
            // No read before authorizing: only a refusal asks the journal whether the id
            // already names an order, which is then the answer (as a read first would have given).
            // (Not when overloaded: a read would only add to the load.)
            guard error.code != .overloaded,
                  let existing = try? await journaledOrder(account: submit.account, clientOrderId: clientOrderId)
            else { throw error }
            try Self.checkSameOrder(existing, submit)
            return .answered(OrderReply(order: existing))
        }
        if decision.existing == true {
            let existing: OrderView
            if let order = decision.order { existing = order } else { existing = try await readBack(account: submit.account, clientOrderId: clientOrderId).order }
            try Self.checkSameOrder(existing, submit)
            return .answered(OrderReply(order: existing))
        }
        // Recorded under the lock, so an identical minted order right behind this one is
        // caught; forgotten again if the venue does not take this one.
        if minted { duplicates.record(submit, clientOrderId: clientOrderId, now: now()) }
        return .approved(Approved(decision: decision, price: price, tif: tif, cancelEpoch: cancelEpoch, ticket: sends.take(key)))
    }

    /// Outside the (account, symbol) lock: the venue send in intent order (not waiting for the
    /// previous order's answer), the outcome's journaling, the reply.
    private func place(
        _ approved: Approved, submit: OrderSubmit, clientOrderId: String, minted: Bool, message: Message, key: String
    ) async throws(ServiceError) -> OrderReply {
        // The intent is committed: only now may the venue see the order (G9).
        let place = VenuePlace(
            account: submit.account, clientOrderId: clientOrderId, symbol: submit.symbol, side: submit.side,
            type: .limit, qty: approved.decision.qty, price: approved.price, timeInForce: approved.tif)
        ownFacts.begin(account: submit.account, clientOrderId: clientOrderId)
        defer { ownFacts.finish(account: submit.account, clientOrderId: clientOrderId) }
        await sends.turn(key, approved.ticket)
        let sent = try await send(place, traceparent: message.header.traceparent) { [sends] in sends.done(key, approved.ticket) }
        if minted, !sent.reachedVenue { duplicates.forget(submit, clientOrderId: clientOrderId) }
        if sent.reachedVenue, cancels.mustCancel(account: submit.account, clientOrderId: clientOrderId, since: approved.cancelEpoch) {
            // A kill switch (or this order's own cancel) came while it was on its way: cancel it now.
            logger.notice("gateway.cancel.caught_in_flight", metadata: ["order.client_id": "\(clientOrderId)"])
            try? await cancelAtVenue(account: submit.account, clientOrderId: clientOrderId, traceparent: message.header.traceparent)
            return try await readBack(account: submit.account, clientOrderId: clientOrderId)
        }
        // The outcome's ack carries the order as committed: no read-back.
        if let order = sent.order { return OrderReply(order: order) }
        return try await readBack(account: submit.account, clientOrderId: clientOrderId)
    }

    /// The checks before risk, then `risk.authorize` (which journals the intent, or answers
    /// with the existing order of a used id): the decision and the venue price and TIF.
    private func authorize(
        _ submit: OrderSubmit, clientOrderId: String, minted: Bool, instrument: Instrument, message: Message
    ) async throws(ServiceError) -> (RiskDecision, ExactDecimal, TimeInForce) {
        if minted { try duplicates.check(submit, clientOrderId: clientOrderId, now: now()) }
        guard venueLink.isLive(now: now()) else { throw VenuePlacement.disconnected }
        let (price, tif) = try pricePolicy.venuePrice(
            for: submit, instrument: instrument, market: await quotes.quote(for: submit.symbol), now: now())
        let authorize = RiskAuthorize(
            account: submit.account, clientOrderId: clientOrderId, symbol: submit.symbol, base: instrument.base,
            quote: instrument.quote, side: submit.side, type: submit.type, qty: submit.qty, price: price, timeInForce: tif,
            reduceOnly: submit.reduceOnly)
        let decision = try await bus.call(
            service: RiskAPI.service, type: RiskAPI.authorize, key: submit.account, body: authorize,
            replyType: RiskDecision.self, traceparent: message.header.traceparent)
        return (decision, price, tif)
    }

    /// A known id sent again must describe the same order; a different order under a used id is
    /// refused, never answered with the old order as if it were the new one. (The quantity may
    /// differ: the governor's SOFT_BRAKE journals a halved one.)
    static func checkSameOrder(_ existing: OrderView, _ submit: OrderSubmit) throws(ServiceError) {
        let samePrice = submit.type == .market || existing.price == submit.price
        guard existing.symbol == submit.symbol, existing.side == submit.side, existing.type == submit.type, samePrice else {
            throw ServiceError(
                .duplicate, reason: "client_order_id_exists",
                "client_order_id '\(existing.clientOrderId)' is already used by another order (\(existing.side.rawValue) \(existing.symbol)); use a new id")
        }
    }

    func get(_ message: Message) async throws(ServiceError) -> OrderReply {
        let ref = try message.decode(accountScoped: OrderRef.self)
        return try await readBack(account: ref.account, clientOrderId: ref.clientOrderId)
    }

    /// What `send` did: whether the venue has (or may have) the order, and the order as the
    /// outcome's commit projected it (nil when nothing was journaled).
    struct Sent: Sendable {
        var reachedVenue: Bool
        var order: OrderView?
    }

    /// Places at the venue (G10) and journals the outcome; whether the venue has (or may have)
    /// the order. A venue that does not answer leaves the order `unknown` — never "failed" —
    /// and it is asked about until it says.
    private func send(_ place: VenuePlace, traceparent: String?, sent: @escaping @Sendable () -> Void) async throws(ServiceError) -> Sent {
        switch await placement.place(place, sent: sent) {
        case .placed(let order):
            let journaled = try await journal(VenueFacts.facts(for: order, venue: venue.name), traceparent: traceparent)
            return Sent(reachedVenue: order.status != .rejected, order: journaled)
        case .rejected(let error):
            logger.notice("venue.place.rejected", metadata: ["order.client_id": "\(place.clientOrderId)", "code": "\(error.code.rawValue)"])
            let journaled = try await journal(
                [VenueFacts.closed(account: place.account, clientOrderId: place.clientOrderId, state: .rejected, reason: error.reason)],
                traceparent: traceparent)
            return Sent(reachedVenue: false, order: journaled)
        case .unknown(let error):
            logger.warning("venue.place.unknown", metadata: ["order.client_id": "\(place.clientOrderId)", "error": "\(error)"])
            // Watched first: even if journaling `unknown` fails, the venue is still asked.
            await unknownOrders.watch(place, now: now())
            do {
                let journaled = try await journal(
                    [VenueFacts.closed(account: place.account, clientOrderId: place.clientOrderId, state: .unknown, reason: error.reason)],
                    traceparent: traceparent)
                return Sent(reachedVenue: true, order: journaled)
            } catch where error.reason == "illegal_transition" {
                // The venue's answer already arrived by its stream (the order is accepted or done):
                // there is nothing unknown left to record.
                return Sent(reachedVenue: true, order: nil)
            }
        }
    }

    /// Appends `facts`; returns the order they are about as committed (`AppendAck.order`),
    /// and remembers them as the gateway's own (the stream follower does not append them again).
    @discardableResult
    func journal(_ facts: [Fact], traceparent: String?) async throws(ServiceError) -> OrderView? {
        guard !facts.isEmpty else { return nil }
        let appended = try await journalClient.append(facts, traceparent: traceparent)
        ownFacts.remember(facts)
        return appended.order
    }

    /// The order as the journal has it, or NOT_FOUND.
    func readBack(account: String, clientOrderId: String) async throws(ServiceError) -> OrderReply {
        guard let order = try await journaledOrder(account: account, clientOrderId: clientOrderId) else {
            throw ServiceError(.notFound, reason: "order_not_found", "no order '\(clientOrderId.prefix(64))' for account '\(account.prefix(64))'")
        }
        return OrderReply(order: order)
    }

    func journaledOrder(account: String, clientOrderId: String) async throws(ServiceError) -> OrderView? {
        try await journalClient.order(account: account, clientOrderId: clientOrderId)
    }
}
