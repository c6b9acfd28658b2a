import GRDB

extension JournalSchema {
    /// `v3-positions-from-fills`: positions are projected from fills from now on; this
    /// folds the fills an earlier writer recorded, in seq order, so the projection
    /// starts complete.
    static func buildPositions(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM positions")
        for row in try Row.fetchAll(db, sql: "SELECT * FROM fills ORDER BY seq") {
            let fill = FillRow(row: row)
            try PositionRow.apply(fill.fill, account: fill.account, seq: fill.seq, in: db)
        }
    }
}
