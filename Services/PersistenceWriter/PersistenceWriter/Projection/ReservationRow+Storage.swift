import BusProtocol
import GRDB
import TradingModel

extension ReservationRow {
    /// Reads a row (every column asserted to parse, the invariant asserted to hold).
    init(row: Row) {
        self.init(
            account: row["account"], clientOrderId: row["client_order_id"], asset: row["asset"],
            amount: row.decimal("amount"), committed: row.decimal("committed"),
            released: row.decimal("released"), state: row.enumValue("state"))
        overrun = row.decimal("overrun")
        assertInvariants()
    }

    /// `committed` and `released` are never negative and never exceed `amount` together;
    /// a closed reservation holds nothing. A violation would misstate a balance: stop.
    func assertInvariants() {
        precondition(!amount.isNegative && !committed.isNegative && !released.isNegative && !overrun.isNegative,
                     "reservation \(clientOrderId): negative amount \(amount)/\(committed)/\(released)")
        precondition(!remaining.isNegative, "reservation \(clientOrderId): committed + released exceed \(amount)")
        precondition(state == .held || remaining.isZero, "reservation \(clientOrderId): closed but holds \(remaining)")
    }

    /// The row as the shared reservation rule (`ReservationFold`) sees it; `side`, `qty`
    /// and `filled` are its order's (a close needs none of them).
    func rule(side: Side = .buy, qty: Money = .zero, filled: Money = .zero) -> ReservationFold {
        ReservationFold(
            asset: asset, amount: amount, side: side, qty: qty, consumed: committed, released: released,
            overrun: overrun, filled: filled, isOpen: state == .held)
    }

    /// Takes what the rule made of the row.
    mutating func adopt(_ rule: ReservationFold) {
        committed = rule.consumed
        released = rule.released
        overrun = rule.overrun
        state = rule.isOpen ? .held : .closed
        assertInvariants()
    }

    /// Releases what is left and closes the reservation (idempotent once closed).
    mutating func close() {
        var closing = rule()
        closing.close()
        adopt(closing)
    }

    /// Holds `amount` again for an order the venue turned out to have after the reservation
    /// closed (`order.reopened`): the amount grows by it, and it is what remains held.
    mutating func reopen(holding amount: Money) {
        precondition(!amount.isNegative, "negative reopened amount \(amount)")
        self.amount += remaining.isZero ? amount : .zero
        state = .held
        assertInvariants()
    }

    /// The reservation of `(account, clientOrderId)`, or nil.
    static func fetch(_ db: Database, account: String, clientOrderId: String) throws -> ReservationRow? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM reservations WHERE account = ? AND client_order_id = ?"), arguments: [account, clientOrderId]
        ).map(ReservationRow.init(row:))
    }

    /// Inserts the row, created by the journal row `seq`.
    func insert(_ db: Database, seq: Int64) throws {
        assertInvariants()
        try db.cachedStatement(sql: """
                INSERT INTO reservations (account, client_order_id, asset, amount, committed, released,
                    state, created_seq, updated_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                account, clientOrderId, asset, amount.description, committed.description,
                released.description, state.rawValue, seq, seq,
            ])
    }

    /// Writes back the mutable columns (the amount grows only when a reopened order holds again),
    /// changed by the journal row `seq`.
    func update(_ db: Database, seq: Int64) throws {
        assertInvariants()
        try db.cachedStatement(sql: """
                UPDATE reservations SET amount = ?, committed = ?, released = ?, state = ?, overrun = ?, updated_seq = ?
                WHERE account = ? AND client_order_id = ?
                """).execute(arguments: [
                amount.description, committed.description, released.description, state.rawValue, overrun.description, seq,
                account, clientOrderId,
            ])
        precondition(db.changesCount == 1, "reservation \(clientOrderId) vanished during its update")
    }
}
