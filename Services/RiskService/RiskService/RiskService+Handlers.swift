import BusKit
import BusProtocol
import Foundation
import ServiceRuntime
import TradingModel

extension RiskService {
    /// One request; a bad one gets an error reply and the service goes on.
    func handle(_ message: Message) async throws(ServiceError) -> Data {
        switch message.header.type {
        case RiskAPI.authorize:
            return WireCodec.encode(try await authorize(message))
        case RiskAPI.show:
            let account = try message.decode(AccountRef.self).account
            try await admit(message, account: account)
            return WireCodec.encode(try await engine.show(account: account))
        case RiskAPI.venueOutcome:
            let request = try message.decode(VenueOutcome.self)
            try await admit(message, account: request.account)
            let outcome = try await engine.venueOutcome(request)
            transitions.submit(outcome.facts)
            return WireCodec.encode(VenueOutcomeAck(breaker: outcome.state))
        case RiskAPI.venueOutcomes:
            return WireCodec.encode(try await venueOutcomes(try message.decode(VenueOutcomeBatch.self), message: message))
        case RiskAPI.trip:
            let trip = try message.decode(RiskTrip.self)
            try Self.validate(reason: trip.reason)
            try await admit(message, account: trip.account)
            let engine = engine
            return WireCodec.encode(try await land { () throws(ServiceError) in try await engine.trip(account: trip.account, reason: trip.reason) })
        case RiskAPI.reset:
            let account = try message.decode(RiskReset.self).account
            try await admit(message, account: account)
            let engine = engine
            return WireCodec.encode(try await land { () throws(ServiceError) in try await engine.reset(account: account) })
        default:
            throw ServiceError(.unknownType, reason: "unknown_type", "risk-service does not handle '\(message.header.type)'")
        }
    }

    /// A batch of venue outcomes, folded one after the other as if each came alone. Every
    /// outcome must name one account (the batch goes to that account's partition).
    func venueOutcomes(_ batch: VenueOutcomeBatch, message: Message) async throws(ServiceError) -> VenueOutcomeAck {
        guard let account = batch.outcomes.first?.account, batch.outcomes.count <= VenueOutcomeBatch.limit,
              batch.outcomes.allSatisfy({ $0.account == account })
        else {
            throw ServiceError(.invalidRequest, reason: "bad_outcome_batch",
                "a venue outcome batch holds 1 to \(VenueOutcomeBatch.limit) outcomes of one account")
        }
        try await admit(message, account: account)
        var state = BreakerTransition.State.closed
        for outcome in batch.outcomes {
            let folded = try await engine.venueOutcome(outcome)
            transitions.submit(folded.facts)
            state = folded.state
        }
        return VenueOutcomeAck(breaker: state)
    }

    /// Takes the request's lease over (fence, catch up) if it is new, and from then on
    /// decides the account's transitions. A request without a lease passes as it is.
    func admit(_ message: Message, account: String?) async throws(ServiceError) {
        try await leases.admit(partition: message.header.partition, epoch: message.header.epoch)
        guard let account, message.header.key == account, let partition = message.header.partition, let epoch = message.header.epoch else { return }
        transitions.submit(await engine.hold(account: account, fence: Fence(partition: partition, epoch: epoch)))
    }

    /// A manual trip or reset, journal-first (`ManualTransition`): answered once it landed.
    func land(_ decide: () async throws(ServiceError) -> (facts: [Fact], view: BreakerView)) async throws(ServiceError) -> BreakerView {
        let transitions = transitions
        return try await ManualTransition.land(decide: decide, journal: { await transitions.land($0) }, refold: { await transitions.refold() })
    }

    /// A trip reason is 1–64 characters on one line (it is journaled).
    static func validate(reason: String) throws(ServiceError) {
        guard !reason.isEmpty, reason.utf8.count <= 64, !reason.contains(where: \.isNewline) else {
            throw ServiceError(.invalidRequest, reason: "bad_trip_reason", "reason must be 1 to 64 characters on one line")
        }
    }

    /// The `margin_use` alert (S4): a warning log line and a lossy `alert.margin_use` event.
    func raiseMarginAlert(_ alert: MarginUseAlarm.Alert) {
        bus.raiseAlert(
            kind: RiskAPI.marginUseAlert, severity: .warning,
            message: "worst-case margin use of \(alert.account) is \(alert.percent) % of equity (\(alert.use) of \(alert.equity), \(alert.scenario))",
            fields: [
                "account": alert.account, "use": "\(alert.use)", "equity": "\(alert.equity)", "scenario": alert.scenario,
                "threshold": "\(alert.threshold)",
            ])
    }

    /// Check and reserve, journal the intent with its reservation as one fact, then approve.
    /// A client_order_id an earlier order already holds is answered with that order
    /// (`existing`), so the gateway needs no `journal.order` read before authorizing.
    private func authorize(_ message: Message) async throws(ServiceError) -> RiskDecision {
        let request = try message.decode(RiskAuthorize.self)
        // An order is a keyed request like any: the replica that gets it owns its account.
        try await admit(message, account: request.account)
        let approval = try await engine.authorize(request)
        let intent = OrderIntent(
            clientOrderId: request.clientOrderId, symbol: request.symbol, side: request.side, type: request.type,
            qty: approval.qty, price: request.price, timeInForce: request.timeInForce,
            reserveAsset: approval.asset, reserveAmount: approval.amount, approvedAt: approval.at,
            closing: approval.closing ? true : nil)
        let fact = Fact(id: "intent:\(request.account):\(request.clientOrderId)", account: request.account, payload: .orderIntent(intent))
        let appended: JournalClient.Appended
        do {
            appended = try await JournalClient(bus: bus).append(
                [fact], partition: message.header.partition, epoch: message.header.epoch, traceparent: message.header.traceparent)
        } catch {
            // Refused, or not known to be committed: hold nothing. If it did commit, the
            // fact re-creates the reservation when it arrives.
            await engine.release(account: request.account, clientOrderId: request.clientOrderId)
            throw error
        }
        let intentSeq = appended.seqs.first ?? 0
        if appended.isDuplicate {
            await engine.releaseIfUncommitted(account: request.account, clientOrderId: request.clientOrderId)
            if !committers.committed(account: request.account, clientOrderId: request.clientOrderId, by: message.header.id) {
                // An earlier order holds this id: the gateway answers with it and places nothing.
                return RiskDecision(
                    approved: true, qty: appended.order?.qty ?? approval.qty, reserveAsset: approval.asset, reserveAmount: approval.amount,
                    intentSeq: intentSeq, order: appended.order, existing: true)
            }
        } else {
            committers.record(account: request.account, clientOrderId: request.clientOrderId, requestId: message.header.id)
        }
        if let alert = approval.marginAlert { raiseMarginAlert(alert) }
        return RiskDecision(
            approved: true, qty: approval.qty, reserveAsset: approval.asset, reserveAmount: approval.amount, intentSeq: intentSeq,
            order: appended.order)
    }
}
