import BusKit
import BusProtocol
import Foundation
import TradingModel

extension WriterHandler {
    /// The projection reads: orders by account and state, fills since a seq, positions,
    /// unfinished operations. Nil for a type that is not a read. Every page is cut by
    /// bytes as well as rows (`WireCodec.encodePage`) and names where the next one starts.
    func read(_ message: Message) throws(ServiceError) -> Data? {
        switch message.header.type {
        case JournalAPI.read:
            let read = try message.decode(JournalRead.self)
            return try database {
                let lastSeq = try store.lastSeq()
                let entries = try store.readJournal(fromSeq: read.fromSeq, limit: min(max(read.limit, 1), 10_000))
                let records = entries.map { JournalRecord(seq: $0.seq, fact: $0.fact, partition: $0.partition, epoch: $0.epoch, ts: $0.ts) }
                return WireCodec.encodePage(records) { page, _ in
                    let next = (page.last?.seq).map { $0 + 1 }.flatMap { $0 <= lastSeq ? $0 : nil }
                    return JournalPage(records: page, lastSeq: lastSeq, nextFromSeq: next)
                }.body
            }
        case JournalAPI.orders:
            let query = try message.decode(OrdersQuery.self)
            return try database {
                let rows = try store.orders(account: query.account, state: query.state, afterSeq: query.afterSeq)
                let page = WireCodec.encodePage(rows.map(\.order)) { page, more in
                    OrdersPage(orders: page, nextAfterSeq: more || rows.count >= store.configuration.maxReadLimit ? rows[max(page.count, 1) - 1].createdSeq : nil)
                }
                return page.body
            }
        case JournalAPI.fills:
            let query = try message.decode(FillsQuery.self)
            return try database {
                let rows = try store.fills(sinceSeq: query.fromSeq, limit: query.limit)
                let entries = rows.map { FillEntry(seq: $0.seq, account: $0.account, venue: $0.venue, fill: $0.fill) }
                let full = rows.count >= min(query.limit, store.configuration.maxReadLimit)
                return WireCodec.encodePage(entries) { page, more in
                    FillsPage(fills: page, nextFromSeq: more || full ? (page.last?.seq ?? query.fromSeq - 1) + 1 : nil)
                }.body
            }
        case JournalAPI.positions:
            let query = try message.decode(PositionsQuery.self)
            return try database {
                let rows = try store.positions(account: query.account, afterSymbol: query.afterSymbol)
                let positions = rows.map {
                    JournalPosition(account: $0.account, symbol: $0.symbol, qty: $0.qty, avgPrice: $0.avgPrice, realizedPnl: $0.realizedPnl)
                }
                return WireCodec.encodePage(positions) { page, more in
                    PositionsPage(positions: page, nextAfterSymbol: more || rows.count >= store.configuration.maxReadLimit ? page.last?.symbol : nil)
                }.body
            }
        case JournalAPI.operations:
            let query = try message.decode(OperationsQuery.self)
            return try database {
                let rows = try store.unfinishedOperations(account: query.account, afterSeq: query.afterSeq)
                return WireCodec.encodePage(rows) { page, more in
                    OperationsPage(operations: page, nextAfterSeq: more || rows.count >= store.configuration.maxReadLimit ? page.last?.createdSeq : nil)
                }.body
            }
        default:
            return nil
        }
    }
}
