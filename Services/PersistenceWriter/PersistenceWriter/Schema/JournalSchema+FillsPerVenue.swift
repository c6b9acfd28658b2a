import GRDB

extension JournalSchema {
    /// `v2-fills-per-venue`: a trade id is unique per venue, not globally, so `fills` is
    /// keyed by `(venue, trade_id)`. The venue of existing rows comes from their fact id
    /// `fill:<venue>:<trade id>` (empty for another form). Reservations gain `overrun`:
    /// what fills consumed beyond the reservation (recorded, never refused).
    static func keyFillsByVenue(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE reservations ADD COLUMN overrun TEXT NOT NULL DEFAULT '0';

            CREATE TABLE fills_per_venue (
                venue TEXT NOT NULL,
                trade_id TEXT NOT NULL,
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
                seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq),
                PRIMARY KEY (venue, trade_id)
            );
            INSERT INTO fills_per_venue
            SELECT CASE
                    WHEN substr(j.msg_id, 1, 5) = 'fill:'
                         AND length(j.msg_id) > 6 + length(f.trade_id)
                         AND substr(j.msg_id, -(length(f.trade_id) + 1)) = ':' || f.trade_id
                    THEN substr(j.msg_id, 6, length(j.msg_id) - 6 - length(f.trade_id))
                    ELSE '' END,
                f.trade_id, f.account, f.client_order_id, f.venue_order_id, f.symbol, f.side,
                f.qty, f.price, f.fee, f.fee_asset, f.ts, f.seq
            FROM fills f JOIN journal j ON j.seq = f.seq;
            DROP TABLE fills;
            ALTER TABLE fills_per_venue RENAME TO fills;
            CREATE INDEX fills_order ON fills(account, client_order_id, seq);
            """)
    }
}
