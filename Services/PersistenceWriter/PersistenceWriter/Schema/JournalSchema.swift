import GRDB

/// The database schema, built by string-named migrations that only ever get added (P6).
///
/// - `v1-journal`: the append-only journal and the fencing table.
/// - `v1-projections`: orders, fills, reservations (projected in the append transaction).
/// - `v1-state`: positions, operations, breaker and governor state, spans (created now,
///   projected by later facts).
/// - `v2-fills-per-venue`: fills keyed by (venue, trade id); reservations record an overrun.
/// - `v3-positions-from-fills`: positions folded from the fills already recorded.
/// - `v4-trading-halts`: the kill switch's halted accounts.
///
/// Money and quantities are TEXT holding `ExactDecimal.description`, never REAL.
enum JournalSchema {
    /// The migrator with every migration of this binary, in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-journal", migrate: createJournal)
        migrator.registerMigration("v1-projections", migrate: createProjections)
        migrator.registerMigration("v1-state", migrate: createState)
        migrator.registerMigration("v2-fills-per-venue", migrate: keyFillsByVenue)
        migrator.registerMigration("v3-positions-from-fills", migrate: buildPositions)
        migrator.registerMigration("v4-trading-halts", migrate: createTradingHalts)
        return migrator
    }

    /// The journal: one row per fact, never updated nor deleted (triggers refuse it).
    ///
    /// `seq` is AUTOINCREMENT so a seq is never reused, even after a rollback of the
    /// highest rows. `payload` is the JSON body of the fact (its `payload` object).
    private static func createJournal(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE journal (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                msg_id TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                account TEXT NOT NULL,
                partition INTEGER,
                epoch INTEGER,
                payload TEXT NOT NULL,
                trace TEXT,
                ts INTEGER NOT NULL
            );
            CREATE INDEX journal_account_seq ON journal(account, seq);
            CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
            BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
            CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
            BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;

            CREATE TABLE partition_epochs (
                partition INTEGER PRIMARY KEY CHECK (partition >= 0),
                epoch INTEGER NOT NULL CHECK (epoch >= 0)
            );
            """)
    }
}
