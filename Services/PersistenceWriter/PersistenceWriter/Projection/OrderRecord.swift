import GRDB
import TradingModel

/// One row of the `orders` projection, as the projector reads and writes it.
struct OrderRecord: Equatable {
    /// The owning account (first half of the key).
    var account: String
    /// The client's id (second half of the key).
    var clientOrderId: String
    /// The instrument.
    var symbol: String
    /// Buy or sell.
    var side: Side
    /// Market or limit.
    var type: OrderType
    /// The ordered quantity.
    var qty: Quantity
    /// The limit price (for market orders the slippage cap), if any.
    var price: Price?
    /// How long the order works.
    var timeInForce: TimeInForce
    /// The life-cycle state (G9).
    var state: OrderState
    /// Σ fill qty.
    var filledQty: Quantity
    /// Σ fill qty × fill price: keeps `avgPrice` exact across many fills.
    var filledNotional: Money
    /// `filledNotional / filledQty`, half-even; nil until something fills.
    var avgPrice: Price?
    /// The venue's id, from the ack or the first fill.
    var venueOrderId: String?
    /// The venue's reason for a cancel, reject, expiry or unknown state.
    var reason: String?
    /// The journal seq of the intent.
    var createdSeq: Int64
    /// The journal seq of the last fact that changed the row.
    var updatedSeq: Int64

    /// A new order in `pending_new`, from its intent at journal `seq`.
    init(account: String, intent: OrderIntent, seq: Int64) {
        self.account = account
        clientOrderId = intent.clientOrderId
        symbol = intent.symbol
        side = intent.side
        type = intent.type
        qty = intent.qty
        price = intent.price
        timeInForce = intent.timeInForce
        state = .pendingNew
        filledQty = .zero
        filledNotional = .zero
        avgPrice = nil
        venueOrderId = nil
        reason = nil
        createdSeq = seq
        updatedSeq = seq
    }

    /// Reads a row (every column asserted to parse).
    init(row: Row) {
        account = row["account"]
        clientOrderId = row["client_order_id"]
        symbol = row["symbol"]
        side = row.enumValue("side")
        type = row.enumValue("type")
        qty = row.decimal("qty")
        price = row.optionalDecimal("price")
        timeInForce = row.enumValue("time_in_force")
        state = row.enumValue("state")
        filledQty = row.decimal("filled_qty")
        filledNotional = row.decimal("filled_notional")
        avgPrice = row.optionalDecimal("avg_price")
        venueOrderId = row["venue_order_id"]
        reason = row["reason"]
        createdSeq = row["created_seq"]
        updatedSeq = row["updated_seq"]
        assertInvariants()
    }

    /// The order as clients see it.
    var view: OrderView {
        OrderView(
            clientOrderId: clientOrderId, account: account, symbol: symbol, side: side, type: type,
            qty: qty, price: price, state: state, filledQty: filledQty, avgPrice: avgPrice,
            venueOrderId: venueOrderId, reason: reason)
    }

    /// A projection bug here would misstate what was bought: stop rather than store it.
    func assertInvariants() {
        precondition(!filledQty.isNegative && filledQty <= qty, "order \(clientOrderId): filled \(filledQty) of \(qty)")
        precondition(filledQty.isZero == (avgPrice == nil), "order \(clientOrderId): avg price without fills")
        precondition(state != .filled || filledQty == qty, "order \(clientOrderId): filled with \(filledQty) of \(qty)")
    }

    /// The order `(account, clientOrderId)`, or nil.
    static func fetch(_ db: Database, account: String, clientOrderId: String) throws -> OrderRecord? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM orders WHERE account = ? AND client_order_id = ?"), arguments: [account, clientOrderId]
        ).map(OrderRecord.init(row:))
    }

    /// Inserts the row; a second order with the same key fails on the PRIMARY KEY.
    func insert(_ db: Database) throws {
        assertInvariants()
        try db.cachedStatement(sql: """
                INSERT INTO orders (account, client_order_id, symbol, side, type, qty, price,
                    time_in_force, state, filled_qty, filled_notional, avg_price, venue_order_id,
                    reason, created_seq, updated_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                account, clientOrderId, symbol, side.rawValue, type.rawValue, qty.description,
                price?.description, timeInForce.rawValue, state.rawValue, filledQty.description,
                filledNotional.description, avgPrice?.description, venueOrderId, reason, createdSeq, updatedSeq,
            ])
    }

    /// Writes back the mutable columns.
    func update(_ db: Database) throws {
        assertInvariants()
        try db.cachedStatement(sql: """
                UPDATE orders SET state = ?, filled_qty = ?, filled_notional = ?, avg_price = ?,
                    venue_order_id = ?, reason = ?, updated_seq = ?
                WHERE account = ? AND client_order_id = ?
                """).execute(arguments: [
                state.rawValue, filledQty.description, filledNotional.description, avgPrice?.description,
                venueOrderId, reason, updatedSeq, account, clientOrderId,
            ])
        precondition(db.changesCount == 1, "order \(clientOrderId) vanished during its update")
    }
}
