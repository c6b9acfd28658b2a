import GRDB

extension JournalSchema {
    /// `v4-trading-halts`: one row per account the kill switch ever halted, projected from
    /// `trading.halted` / `trading.resumed`. No fold of older facts: no earlier writer
    /// accepted those types (it refused them as `unknown_fact_type`).
    static func createTradingHalts(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE trading_halts (
                account TEXT PRIMARY KEY,
                halted INTEGER NOT NULL CHECK (halted IN (0, 1)),
                reason TEXT NOT NULL,
                operation_id TEXT,
                updated_seq INTEGER NOT NULL REFERENCES journal(seq)
            );
            """)
    }
}
