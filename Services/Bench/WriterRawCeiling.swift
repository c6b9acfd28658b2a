import BusKit
import Foundation
import GRDB
import PersistenceWriter
import TradingModel

/// The raw ceiling of the writer benchmark: the SAME rows the writer produces for each
/// intent (journal, order, reservation) inserted in-process with prepared statements
/// in batched transactions, on the same schema and pragmas — no bus, no JSON on the
/// wire, no savepoints, no checks. Payload JSON is prepared before the clock starts.
enum WriterRawCeiling {
    /// Nanoseconds to insert the rows of `facts` in transactions of `batch` facts.
    static func measure(_ facts: [Fact], batch: Int, path: String) throws -> Int64 {
        _ = try JournalStore(configuration: JournalConfiguration(path: path))  // schema + pragmas, then closed
        var configuration = Configuration()
        configuration.journalMode = .wal
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let rows: [(Fact, OrderIntent, String)] = try facts.map { fact in
            guard case .orderIntent(let intent) = fact.payload else { preconditionFailure("bench facts are intents") }
            return (fact, intent, String(decoding: try fact.payload.bodyJSON(using: encoder), as: UTF8.self))
        }
        let ts = WallClock.nowNanos()
        let started = ContinuousClock.now
        for chunk in stride(from: 0, to: rows.count, by: batch).map({ rows[$0..<min($0 + batch, rows.count)] }) {
            try queue.inTransaction { db in
                let journal = try db.cachedStatement(sql: """
                    INSERT INTO journal (msg_id, type, account, partition, epoch, payload, trace, ts)
                    VALUES (?, ?, ?, NULL, NULL, ?, NULL, ?)
                    """)
                let order = try db.cachedStatement(sql: """
                    INSERT INTO orders (account, client_order_id, symbol, side, type, qty, price, time_in_force, state,
                        filled_qty, filled_notional, avg_price, venue_order_id, reason, created_seq, updated_seq)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending_new', '0', '0', NULL, NULL, NULL, ?, ?)
                    """)
                let reservation = try db.cachedStatement(sql: """
                    INSERT INTO reservations (account, client_order_id, asset, amount, committed, released, state,
                        created_seq, updated_seq)
                    VALUES (?, ?, ?, ?, '0', '0', 'held', ?, ?)
                    """)
                for (fact, intent, payload) in chunk {
                    try journal.execute(arguments: [fact.id, fact.type, fact.account, payload, ts])
                    let seq = db.lastInsertedRowID
                    try order.execute(arguments: [
                        fact.account, intent.clientOrderId, intent.symbol, intent.side.rawValue, intent.type.rawValue,
                        intent.qty.description, intent.price?.description, intent.timeInForce.rawValue, seq, seq,
                    ])
                    try reservation.execute(arguments: [
                        fact.account, intent.clientOrderId, intent.reserveAsset, intent.reserveAmount.description, seq, seq,
                    ])
                }
                return .commit
            }
        }
        return (ContinuousClock.now - started).wholeNanoseconds
    }
}
