import BusKit
import BusProtocol
import ServiceRuntime
import TradingModel

/// Appends the reconciler's repair facts, one request per logical change, so one
/// refused fact (e.g. an illegal transition) never blocks the others; and reads back an
/// order the reconciler's view has forgotten.
struct FactWriter: Sendable {
    /// How an append ended.
    enum Outcome: Sendable, Equatable {
        /// New facts were committed.
        case committed
        /// Every fact already existed (another path or an earlier run wrote it).
        case duplicate
        /// The writer refused the facts; the error says why.
        case refused(ServiceError)
    }

    /// The connection appends go through.
    let bus: BusConnection

    /// Appends `facts` atomically. Transport failures throw (the pass stops and retries later).
    func append(_ facts: [Fact]) async throws(ServiceError) -> Outcome {
        switch try await JournalClient(bus: bus).appendOrRefusal(facts, timeout: .seconds(5), attempts: 3) {
        case .success(let appended): appended.isDuplicate ? .duplicate : .committed
        case .failure(let refusal): .refused(refusal)
        }
    }

    /// The order as the journal has it, nil when the journal has none (`journal.order`).
    func order(account: String, clientOrderId: String) async throws(ServiceError) -> OrderView? {
        try await JournalClient(bus: bus).order(account: account, clientOrderId: clientOrderId)
    }
}
