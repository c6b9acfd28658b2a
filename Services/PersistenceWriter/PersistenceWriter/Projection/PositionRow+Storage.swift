import GRDB
import TradingModel

extension PositionRow {
    /// Reads a row (every column asserted to parse).
    init(row: Row) {
        self.init(
            account: row["account"], symbol: row["symbol"], qty: row.decimal("qty"), avgPrice: row.optionalDecimal("avg_price"),
            realizedPnl: row.decimal("realized_pnl"), openedTs: row["opened_ts"])
        precondition(qty.isZero == (avgPrice == nil), "position \(account) \(symbol): avg price \(String(describing: avgPrice)) with qty \(qty)")
    }

    /// The position of `account` in `symbol`, or a flat one.
    static func fetchOrFlat(_ db: Database, account: String, symbol: String) throws -> PositionRow {
        try Row.fetchOne(
            try db.cachedStatement(sql: "SELECT * FROM positions WHERE account = ? AND symbol = ?"), arguments: [account, symbol]
        ).map(PositionRow.init(row:)) ?? PositionRow(account: account, symbol: symbol)
    }

    /// Inserts or replaces the row, changed by the journal row `seq`.
    func save(_ db: Database, seq: Int64) throws {
        try db.cachedStatement(sql: """
            INSERT INTO positions (account, symbol, qty, avg_price, realized_pnl, opened_ts, updated_seq)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(account, symbol) DO UPDATE SET qty = excluded.qty, avg_price = excluded.avg_price,
                realized_pnl = excluded.realized_pnl, opened_ts = excluded.opened_ts, updated_seq = excluded.updated_seq
            """).execute(arguments: [
                account, symbol, qty.description, avgPrice?.description, realizedPnl.description, openedTs, seq,
            ])
    }

    /// Folds one recorded fill into its account's position (used by the projector and
    /// by the migration that builds positions from the fills already recorded).
    static func apply(_ fill: FillRecorded, account: String, seq: Int64, in db: Database) throws {
        var position = try fetchOrFlat(db, account: account, symbol: fill.symbol)
        position.fold(side: fill.side, qty: fill.qty, price: fill.price, ts: fill.ts)
        try position.save(db, seq: seq)
    }
}
