import GRDB

extension JournalSchema {
    /// Orders, fills and reservations.
    ///
    /// `fills` has NO foreign key to `orders`: a fill of an order the journal never saw
    /// (an external order adopted later, or a fill that overtook its intent) is still a
    /// venue fact and must be recorded exactly once. When the intent arrives later,
    /// its projection folds the fills already recorded. `fills.seq` references the
    /// journal row that recorded the trade.
    ///
    /// `orders.filled_notional` (Σ qty × price) keeps `avg_price` exact across fills
    /// instead of re-multiplying a rounded average.
    static func createProjections(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE orders (
                account TEXT NOT NULL,
                client_order_id TEXT NOT NULL,
                symbol TEXT NOT NULL,
                side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
                type TEXT NOT NULL,
                qty TEXT NOT NULL,
                price TEXT,
                time_in_force TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending_new', 'accepted', 'partially_filled',
                    'filled', 'canceled', 'rejected', 'expired', 'unknown')),
                filled_qty TEXT NOT NULL,
                filled_notional TEXT NOT NULL,
                avg_price TEXT,
                venue_order_id TEXT,
                reason TEXT,
                created_seq INTEGER NOT NULL REFERENCES journal(seq),
                updated_seq INTEGER NOT NULL REFERENCES journal(seq),
                PRIMARY KEY (account, client_order_id)
            );
            CREATE INDEX orders_account_state ON orders(account, state, created_seq);

            CREATE TABLE fills (
                trade_id TEXT PRIMARY KEY,
                account TEXT NOT NULL,
                client_order_id TEXT NOT NULL,
                venue_order_id TEXT NOT NULL,
                symbol TEXT NOT NULL,
                side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
                qty TEXT NOT NULL,
                price TEXT NOT NULL,
                fee TEXT NOT NULL,
                fee_asset TEXT NOT NULL,
                ts INTEGER NOT NULL,
                seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq)
            );
            CREATE INDEX fills_order ON fills(account, client_order_id, seq);

            CREATE TABLE reservations (
                account TEXT NOT NULL,
                client_order_id TEXT NOT NULL,
                asset TEXT NOT NULL,
                amount TEXT NOT NULL,
                committed TEXT NOT NULL,
                released TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('held', 'closed')),
                created_seq INTEGER NOT NULL REFERENCES journal(seq),
                updated_seq INTEGER NOT NULL REFERENCES journal(seq),
                PRIMARY KEY (account, client_order_id),
                FOREIGN KEY (account, client_order_id) REFERENCES orders(account, client_order_id)
            );
            CREATE INDEX reservations_held ON reservations(account, asset) WHERE state = 'held';
            """)
    }
}
