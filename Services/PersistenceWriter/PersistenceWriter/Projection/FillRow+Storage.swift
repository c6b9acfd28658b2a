import GRDB
import TradingModel

extension FillRow {
    /// Reads a row (every column asserted to parse).
    init(row: Row) {
        let fill = FillRecorded(
            clientOrderId: row["client_order_id"], venueOrderId: row["venue_order_id"],
            tradeId: row["trade_id"], symbol: row["symbol"], side: row.enumValue("side"),
            qty: row.decimal("qty"), price: row.decimal("price"), fee: row.decimal("fee"),
            feeAsset: row["fee_asset"], ts: row["ts"])
        precondition(fill.qty.isPositive && fill.price.isPositive && !fill.fee.isNegative,
                     "fill \(fill.tradeId): non-positive qty/price or negative fee")
        self.init(seq: row["seq"], account: row["account"], fill: fill, venue: row["venue"])
    }

    /// The journal seq of the fact that recorded trade `tradeId` of `venue`, or nil.
    static func seq(ofTrade tradeId: String, venue: String, in db: Database) throws -> Int64? {
        try Int64.fetchOne(try db.cachedStatement(sql: "SELECT seq FROM fills WHERE venue = ? AND trade_id = ?"), arguments: [venue, tradeId])
    }

    /// The fills of one order, oldest first.
    static func fetchAll(_ db: Database, account: String, clientOrderId: String) throws -> [FillRow] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM fills WHERE account = ? AND client_order_id = ? ORDER BY seq"), arguments: [account, clientOrderId]
        ).map(FillRow.init(row:))
    }

    /// Inserts the row; a second row for the same (venue, trade id) fails on the PRIMARY KEY.
    func insert(_ db: Database) throws {
        try db.cachedStatement(sql: """
                INSERT INTO fills (venue, trade_id, account, client_order_id, venue_order_id, symbol, side,
                    qty, price, fee, fee_asset, ts, seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                venue, fill.tradeId, account, fill.clientOrderId, fill.venueOrderId, fill.symbol, fill.side.rawValue,
                fill.qty.description, fill.price.description, fill.fee.description, fill.feeAsset, fill.ts, seq,
            ])
    }
}
