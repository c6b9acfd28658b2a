import BusKit
import BusProtocol
import Foundation
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
    private func authorize(_ message: Message) async throws(ServiceError) -> RiskDecision {
        let request = try message.decode(RiskAuthorize.self)
        try await leases.admit(partition: message.header.partition, epoch: message.header.epoch)
        let approval = try await engine.authorize(request)
        let intent = OrderIntent(
            clientOrderId: request.clientOrderId, symbol: request.symbol, side: request.side, type: request.type,
            qty: approval.qty, price: request.price, timeInForce: request.timeInForce,
            reserveAsset: approval.asset, reserveAmount: approval.amount)
        let fact = Fact(id: "intent:\(request.account):\(request.clientOrderId)", account: request.account, payload: .orderIntent(intent))
        let ack: AppendAck
        do {
            ack = try await bus.call(
                service: JournalAPI.service, type: JournalAPI.append, key: nil,
                body: JournalAppend(facts: [fact], partition: message.header.partition, epoch: message.header.epoch),
                replyType: AppendAck.self, traceparent: message.header.traceparent)
        } catch {
            // Not known to be committed: hold nothing. If it did commit, the fact
            // re-creates the reservation when it arrives.
            await engine.release(account: request.account, clientOrderId: request.clientOrderId)
            throw error
        }
        if let error = ack.error {
            await engine.release(account: request.account, clientOrderId: request.clientOrderId)
            throw error
        }
        if ack.status == "duplicate" {
            await engine.releaseIfUncommitted(account: request.account, clientOrderId: request.clientOrderId)
        }
        if let alert = approval.marginAlert { raiseMarginAlert(alert) }
        return RiskDecision(approved: true, qty: approval.qty, reserveAsset: approval.asset, reserveAmount: approval.amount, intentSeq: ack.seqs.first ?? 0)
    }
}
