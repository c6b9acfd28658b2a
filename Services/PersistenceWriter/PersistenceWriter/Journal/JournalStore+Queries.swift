import GRDB
import TradingModel

extension JournalStore {
    /// The order `(account, clientOrderId)` as clients see it, or nil.
    public func order(account: String, clientOrderId: String) throws -> OrderView? {
        try dbQueue.read { db in
            try OrderRecord.fetch(db, account: account, clientOrderId: clientOrderId)?.view
        }
    }

    /// The orders of `account`, optionally only those in `state`, oldest first
    /// (by the seq of their intent), at most `maxReadLimit`.
    public func orders(account: String, state: OrderState?) throws -> [OrderView] {
        try orders(account: account, state: state, afterSeq: nil).map(\.order)
    }

    /// The orders of `account` whose intent's seq is above `afterSeq` (all when nil),
    /// optionally only those in `state`, oldest first, each with that seq (a page's cursor),
    /// at most `maxReadLimit`.
    public func orders(account: String, state: OrderState?, afterSeq: Int64?) throws -> [(createdSeq: Int64, order: OrderView)] {
        try dbQueue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM orders WHERE account = ? AND (? IS NULL OR state = ?) AND created_seq > ?
                    ORDER BY created_seq LIMIT ?
                    """,
                arguments: [account, state?.rawValue, state?.rawValue, afterSeq ?? Int64.min, configuration.maxReadLimit]
            ).map { row in
                let record = OrderRecord(row: row)
                return (record.createdSeq, record.view)
            }
        }
    }

    /// Fills with `seq >= sinceSeq` (inclusive, like `readJournal`), ascending, at most
    /// `limit` (capped at `maxReadLimit`). Includes fills of orders the journal has
    /// not seen. Throws `INVALID_REQUEST` / `bad_limit` for `limit < 1`.
    public func fills(sinceSeq: Int64, limit: Int) throws -> [FillRow] {
        let limit = try cappedLimit(limit)
        return try dbQueue.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM fills WHERE seq >= ? ORDER BY seq LIMIT ?", arguments: [sinceSeq, limit]
            ).map(FillRow.init(row:))
        }
    }

    /// The positions of `account` (flat ones included once traded), by symbol, only the
    /// symbols after `afterSymbol` when given, at most `maxReadLimit`.
    public func positions(account: String, afterSymbol: String? = nil) throws -> [PositionRow] {
        try dbQueue.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM positions WHERE account = ? AND symbol > ? ORDER BY symbol LIMIT ?",
                arguments: [account, afterSymbol ?? "", configuration.maxReadLimit]
            ).map(PositionRow.init(row:))
        }
    }

    /// The reservation held for `(account, clientOrderId)`, or nil.
    public func reservation(account: String, clientOrderId: String) throws -> ReservationRow? {
        try dbQueue.read { db in
            try ReservationRow.fetch(db, account: account, clientOrderId: clientOrderId)
        }
    }
}
