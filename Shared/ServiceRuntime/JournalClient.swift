import BusKit
import BusProtocol
import TradingModel

/// The persistence-writer's journal through the bus, typed: appends, replay reads and one
/// order by client_order_id. Every service goes through it instead of hand-rolling
/// `bus.call(JournalAPI.append…)` and then comparing the ack's status string.
public struct JournalClient: Sendable {
    /// What the writer did with an append that it did not refuse.
    public enum Appended: Sendable, Equatable {
        /// At least one fact was new; one seq per fact, in order.
        case committed(seqs: [Int64], order: OrderView?)
        /// Every fact was already journaled (a resend, or another path wrote it first).
        case duplicate(seqs: [Int64], order: OrderView?)

        /// The facts' seqs.
        public var seqs: [Int64] {
            switch self {
            case .committed(let seqs, _), .duplicate(let seqs, _): seqs
            }
        }

        /// The order the facts are about as that commit left it (`AppendAck.order`).
        public var order: OrderView? {
            switch self {
            case .committed(_, let order), .duplicate(_, let order): order
            }
        }

        /// Whether nothing was new.
        public var isDuplicate: Bool {
            if case .duplicate = self { return true }
            return false
        }
    }

    /// The connection requests go through.
    public let bus: BusConnection

    public init(bus: BusConnection) {
        self.bus = bus
    }

    /// Appends `facts` atomically (fenced by `partition`/`epoch` when given; no facts with
    /// a fence is a lease claim). Throws the writer's refusal as well as transport errors.
    public func append(
        _ facts: [Fact], partition: Int? = nil, epoch: Int64? = nil, traceparent: String? = nil,
        timeout: Duration = .seconds(5), attempts: Int = 3
    ) async throws(ServiceError) -> Appended {
        switch try await appendOrRefusal(facts, partition: partition, epoch: epoch, traceparent: traceparent, timeout: timeout, attempts: attempts) {
        case .success(let appended): return appended
        case .failure(let refusal): throw refusal
        }
    }

    /// `append`, with the writer's refusal returned instead of thrown, for callers that
    /// handle a refused fact differently from an unreachable writer (which still throws).
    public func appendOrRefusal(
        _ facts: [Fact], partition: Int? = nil, epoch: Int64? = nil, traceparent: String? = nil,
        timeout: Duration = .seconds(5), attempts: Int = 3
    ) async throws(ServiceError) -> Result<Appended, ServiceError> {
        let ack = try await bus.call(
            service: JournalAPI.service, type: JournalAPI.append,
            body: JournalAppend(facts: facts, partition: partition, epoch: epoch),
            replyType: AppendAck.self, traceparent: traceparent, timeout: timeout, attempts: attempts)
        if let error = ack.error { return .failure(error) }
        switch ack.status {
        case "committed": return .success(.committed(seqs: ack.seqs, order: ack.order))
        case "duplicate": return .success(.duplicate(seqs: ack.seqs, order: ack.order))
        default:
            // As a reply body that does not decode: the writer's protocol has no other status.
            return .failure(ServiceError(.invalidRequest, reason: "malformed_body", "an append ack with status '\(ack.status.prefix(32))'"))
        }
    }

    /// One page of committed records from `fromSeq` on (`journal.read`).
    public func read(fromSeq: Int64, limit: Int) async throws(ServiceError) -> JournalPage {
        try await bus.readJournal(fromSeq: fromSeq, limit: limit)
    }

    /// The order (account, client_order_id) as the journal has it, or nil when it has none.
    public func order(account: String, clientOrderId: String) async throws(ServiceError) -> OrderView? {
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
