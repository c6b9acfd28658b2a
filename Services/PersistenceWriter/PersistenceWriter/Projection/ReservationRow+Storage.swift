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
        assertInvariants()
    }

    /// `committed` and `released` are never negative and never exceed `amount` together;
    /// a closed reservation holds nothing. A violation would misstate a balance: stop.
    func assertInvariants() {
        precondition(!amount.isNegative && !committed.isNegative && !released.isNegative,
                     "reservation \(clientOrderId): negative amount \(amount)/\(committed)/\(released)")
        precondition(!remaining.isNegative, "reservation \(clientOrderId): committed + released exceed \(amount)")
        precondition(state == .held || remaining.isZero, "reservation \(clientOrderId): closed but holds \(remaining)")
    }

    /// Consumes `consumed` of the held funds; refuses to overdraw the reservation.
    ///
    /// A fill that costs more than was reserved means the reservation was wrong
    /// upstream: it is rejected (`INVALID_REQUEST` / `reservation_exceeded`), loudly,
    /// instead of silently driving a balance negative.
    mutating func commit(_ consumed: Money) throws(ServiceError) {
        precondition(!consumed.isNegative, "negative consumption \(consumed)")
        guard state == .held else {
            throw ServiceError(.invalidRequest, reason: "reservation_closed", "reservation of \(clientOrderId) is closed")
        }
        guard consumed <= remaining else {
            throw ServiceError(
                .invalidRequest, reason: "reservation_exceeded",
                "fill consumes \(consumed) \(asset) but \(clientOrderId) holds only \(remaining)")
        }
        committed += consumed
        assertInvariants()
    }

    /// Releases what is left and closes the reservation (idempotent once closed).
    mutating func close() {
        guard state == .held else { return }
        released += remaining
        state = .closed
        assertInvariants()
    }

    /// The reservation of `(account, clientOrderId)`, or nil.
    static func fetch(_ db: Database, account: String, clientOrderId: String) throws -> ReservationRow? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM reservations WHERE account = ? AND client_order_id = ?",
            arguments: [account, clientOrderId]
        ).map(ReservationRow.init(row:))
    }

    /// Inserts the row, created by the journal row `seq`.
    func insert(_ db: Database, seq: Int64) throws {
        assertInvariants()
        try db.execute(
            sql: """
                INSERT INTO reservations (account, client_order_id, asset, amount, committed, released,
                    state, created_seq, updated_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                account, clientOrderId, asset, amount.description, committed.description,
                released.description, state.rawValue, seq, seq,
            ])
    }

    /// Writes back the mutable columns, changed by the journal row `seq`.
    func update(_ db: Database, seq: Int64) throws {
        assertInvariants()
        try db.execute(
            sql: """
                UPDATE reservations SET committed = ?, released = ?, state = ?, updated_seq = ?
                WHERE account = ? AND client_order_id = ?
                """,
            arguments: [committed.description, released.description, state.rawValue, seq, account, clientOrderId])
        precondition(db.changesCount == 1, "reservation \(clientOrderId) vanished during its update")
    }
}
