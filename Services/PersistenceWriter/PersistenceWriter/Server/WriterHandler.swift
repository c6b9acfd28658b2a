import BusKit
import BusProtocol
import Foundation
import TradingModel

/// Answers the writer's requests: appends through the group-commit batcher, reads directly.
struct WriterHandler: Sendable {
    let store: JournalStore
    let batcher: AppendBatcher
    /// On an authenticated bus: each append is checked against its sender's rights
    /// (`AppendRights`). On a plain-text bus nobody is authenticated and nothing is checked.
    var checksAppenders = false

    /// The reply body for `message`, or the error to answer with.
    func handle(_ message: Message) async throws(ServiceError) -> Data {
        switch message.header.type {
        case JournalAPI.append:
            let append = try message.decode(JournalAppend.self)
            if checksAppenders, let refusal = AppendRights.refusal(
                message.header.sender, facts: append.facts, fenced: append.partition != nil || append.epoch != nil) {
                throw refusal
            }
            let result = await batcher.appendResult(AppendRequest(
                facts: append.facts, partition: append.partition, epoch: append.epoch, trace: message.header.traceparent))
            switch result.outcome {
            case .committed(let seqs): return WireCodec.encode(AppendAck(status: "committed", seqs: seqs, order: result.order))
            case .duplicate(let seqs): return WireCodec.encode(AppendAck(status: "duplicate", seqs: seqs, order: result.order))
            case .rejected(let error) where error.retryable: throw error
            case .rejected(let error): return WireCodec.encode(AppendAck(status: "rejected", seqs: [], error: error))
            }
        case JournalAPI.order:
            let ref = try message.decode(OrderRef.self)
            guard let order = try database({ try store.order(account: ref.account, clientOrderId: ref.clientOrderId) }) else {
                throw ServiceError(.notFound, reason: "order_not_found", "no order '\(ref.clientOrderId)' for account '\(ref.account)'")
            }
            return WireCodec.encode(OrderReply(order: order))
        case JournalAPI.check:
            return try database {
                let wal = (try? FileManager.default.attributesOfItem(atPath: store.configuration.path + "-wal")[.size] as? Int64) ?? 0
                return WireCodec.encode(JournalHealth(integrity: try store.integrityCheck(), lastSeq: try store.lastSeq(), walBytes: wal))
            }
        default:
            if let reply = try read(message) { return reply }
            throw ServiceError(.unknownType, reason: "unknown_type", "persistence-writer does not handle '\(message.header.type)'")
        }
    }

    /// Runs a database read; its errors become `INTERNAL` / `database_error`.
    func database<T>(_ body: () throws -> T) throws(ServiceError) -> T {
        do {
            return try body()
        } catch let error as ServiceError {
            throw error
        } catch {
            throw ServiceError(.internal, reason: "database_error", "database error: \(error)")
        }
    }
}
