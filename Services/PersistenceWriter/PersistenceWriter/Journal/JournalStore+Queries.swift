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
        let limit = configuration.maxReadLimit
        return try dbQueue.read { db in
            let rows: [Row]
            if let state {
                rows = try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM orders WHERE account = ? AND state = ? ORDER BY created_seq LIMIT ?",
                    arguments: [account, state.rawValue, limit])
            } else {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM orders WHERE account = ? ORDER BY created_seq LIMIT ?",
                    arguments: [account, limit])
            }
            return rows.map { OrderRecord(row: $0).view }
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

    /// The positions of `account` (flat ones included once traded), by symbol.
    public func positions(account: String) throws -> [PositionRow] {
        try dbQueue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM positions WHERE account = ? ORDER BY symbol", arguments: [account])
                .map(PositionRow.init(row:))
        }
    }

    /// The reservation held for `(account, clientOrderId)`, or nil.
    public func reservation(account: String, clientOrderId: String) throws -> ReservationRow? {
        try dbQueue.read { db in
            try ReservationRow.fetch(db, account: account, clientOrderId: clientOrderId)
        }
    }
}
