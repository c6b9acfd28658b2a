import GRDB

extension JournalSchema {
    /// Tables for state that later facts project: positions, the operation log (P4),
    /// breaker and governor state (R2, R4, R7) and trace spans (B5).
    static func createState(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE positions (
                account TEXT NOT NULL,
                symbol TEXT NOT NULL,
                qty TEXT NOT NULL,
                avg_price TEXT,
                realized_pnl TEXT NOT NULL,
                opened_ts INTEGER,
                updated_seq INTEGER NOT NULL REFERENCES journal(seq),
                PRIMARY KEY (account, symbol)
            );

            CREATE TABLE operations (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                account TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'in_progress', 'completed',
                    'failed', 'rolled_back')),
                payload TEXT NOT NULL,
                error TEXT,
                created_seq INTEGER NOT NULL REFERENCES journal(seq),
                updated_seq INTEGER NOT NULL REFERENCES journal(seq)
            );
            CREATE INDEX operations_unfinished ON operations(state)
                WHERE state IN ('pending', 'in_progress');

            CREATE TABLE breaker_state (
                account TEXT PRIMARY KEY,
                state TEXT NOT NULL CHECK (state IN ('closed', 'open', 'half_open', 'draining')),
                reason TEXT,
                changed_ts INTEGER NOT NULL,
                updated_seq INTEGER NOT NULL REFERENCES journal(seq)
            );

            CREATE TABLE governor_state (
                account TEXT PRIMARY KEY,
                level TEXT NOT NULL CHECK (level IN ('normal', 'soft_brake', 'quarantine', 'hard_stop')),
                peak_equity TEXT,
                drawdown TEXT,
                changed_ts INTEGER NOT NULL,
                updated_seq INTEGER NOT NULL REFERENCES journal(seq)
            );

            CREATE TABLE spans (
                trace_id TEXT NOT NULL,
                span_id TEXT NOT NULL,
                parent_span_id TEXT,
                service TEXT NOT NULL,
                name TEXT NOT NULL,
                start_ns INTEGER NOT NULL,
                end_ns INTEGER NOT NULL,
                attributes TEXT,
                PRIMARY KEY (trace_id, span_id)
            );
            CREATE INDEX spans_start ON spans(start_ns);
            """)
    }
}

