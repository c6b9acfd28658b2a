import BusKit
import BusProtocol
import Foundation
import TradingModel

extension WriterHandler {
    /// The projection reads (issue item 8): orders by account and state, fills since a
    /// seq, positions, unfinished operations. Nil for a type that is not a read.
    func read(_ message: Message) throws(ServiceError) -> Data? {
        switch message.header.type {
        case JournalAPI.orders:
            let query = try message.decode(OrdersQuery.self)
            return try database { WireCodec.encode(OrdersPage(orders: try store.orders(account: query.account, state: query.state))) }
        case JournalAPI.fills:
            let query = try message.decode(FillsQuery.self)
            return try database {
                let rows = try store.fills(sinceSeq: query.fromSeq, limit: query.limit)
                return WireCodec.encode(FillsPage(fills: rows.map { FillEntry(seq: $0.seq, account: $0.account, venue: $0.venue, fill: $0.fill) }))
            }
        case JournalAPI.positions:
            let query = try message.decode(PositionsQuery.self)
            return try database {
                let rows = try store.positions(account: query.account)
                return WireCodec.encode(PositionsPage(positions: rows.map {
                    JournalPosition(account: $0.account, symbol: $0.symbol, qty: $0.qty, avgPrice: $0.avgPrice, realizedPnl: $0.realizedPnl)
                }))
            }
        case JournalAPI.operations:
            let query = try message.decode(OperationsQuery.self)
            return try database { WireCodec.encode(OperationsPage(operations: try store.unfinishedOperations(account: query.account))) }
        default:
            return nil
        }
    }
}
