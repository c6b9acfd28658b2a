import BusProtocol
import TradingModel

/// Which service may journal which facts (issue 16, docs/security.md): on an authenticated
/// bus the writer decides every `journal.append` from its sender as the bus authenticated
/// it (`Header.sender`, from the bus's sender frame), so a stolen gateway key cannot journal
/// an intent, a governor transition back to normal or an account's readiness, and only
/// risk-service writes under a fence (a lease's epoch, which can stale a whole partition).
enum AppendRights {
    /// The services that journal facts of `payload`'s kind. Exhaustive on purpose: a new
    /// kind of fact has no writer until it is given one here.
    static func appenders(of payload: FactPayload) -> Set<String> {
        switch payload {
        // Risk journals an approved order's intent; the reconciler adopts an order found only at the venue.
        case .orderIntent: [RiskAPI.service, ReconcilerAPI.service]
        // What the venue said: the gateway journals its answers and stream, the reconciler what it finds.
        case .orderAccepted, .fillRecorded, .orderClosed: [GatewayAPI.service, ReconcilerAPI.service]
        case .breakerTransition, .governorTransition, .equityMark: [RiskAPI.service]
        // The kill switch's operation log and the halts it records.
        case .operationRecorded, .tradingHalt: [GatewayAPI.service]
        case .reconciliation: [ReconcilerAPI.service]
        }
    }

    /// Who writes under a fence: risk-service, the owner of each partition's lease.
    static let fencedAppenders: Set<String> = [RiskAPI.service]

    /// Nil if `sender` may append `facts` (fenced when `fenced`); else why not.
    static func refusal(_ sender: Sender?, facts: [Fact], fenced: Bool) -> ServiceError? {
        guard let sender else {
            return ServiceError(.forbidden, reason: "sender_unknown", "the bus named no sender for this append: facts are journaled by known services only")
        }
        guard let service = sender.service else {
            return ServiceError(.forbidden, reason: "service_only", "'\(sender.name)' (\(sender.role)) journals no facts")
        }
        if fenced, !fencedAppenders.contains(service) {
            return ServiceError(.forbidden, reason: "fence_not_allowed", "'\(sender.name)' (\(service)) may not write under a partition's fence: only \(Self.list(fencedAppenders)) does")
        }
        for fact in facts {
            let appenders = appenders(of: fact.payload)
            guard appenders.contains(service) else {
                return ServiceError(.forbidden, reason: "fact_not_allowed", "'\(sender.name)' (\(service)) may not journal '\(fact.type)' facts: only \(Self.list(appenders))")
            }
        }
        return nil
    }

    private static func list(_ services: Set<String>) -> String {
        services.sorted().joined(separator: ", ")
    }
}
