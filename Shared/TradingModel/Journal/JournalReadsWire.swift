extension JournalAPI {
    /// Orders of an account, optionally in one state: `OrdersQuery` → `OrdersPage`.
    public static let orders = "journal.orders"
    /// Fills with seq ≥ `from_seq`: `FillsQuery` → `FillsPage`.
    public static let fills = "journal.fills"
    /// Positions of an account: `PositionsQuery` → `PositionsPage`.
    public static let positions = "journal.positions"
}

/// Request of `journal.orders`: the account's orders (oldest first), only those in
/// `state` when given.
public struct OrdersQuery: Codable, Sendable, Equatable {
    /// The account.
    public var account: String
    /// Only orders in this state; all when nil.
    public var state: OrderState?

    /// Creates the value.
    public init(account: String, state: OrderState? = nil) {
        self.account = account
        self.state = state
    }
}

/// Reply of `journal.orders`.
public struct OrdersPage: Codable, Sendable, Equatable {
    /// The orders, oldest first.
    public var orders: [OrderView]

    /// Creates the value.
    public init(orders: [OrderView]) {
        self.orders = orders
    }
}

/// Request of `journal.fills`: fills with seq ≥ `fromSeq`, at most `limit`.
public struct FillsQuery: Codable, Sendable, Equatable {
    /// The first seq wanted (inclusive).
    public var fromSeq: Int64
    /// The most entries wanted (capped by the writer).
    public var limit: Int

    /// Creates the value.
    public init(fromSeq: Int64, limit: Int) {
        self.fromSeq = fromSeq
        self.limit = limit
    }

    enum CodingKeys: String, CodingKey {
        case limit
        case fromSeq = "from_seq"
    }
}

/// One recorded fill with its journal position and owner.
public struct FillEntry: Codable, Sendable, Equatable {
    /// The journal seq of the fact that recorded the trade.
    public var seq: Int64
    /// The account.
    public var account: String
    /// The venue the trade id belongs to ("" when the fact id did not name one).
    public var venue: String
    /// The trade as the venue reported it.
    public var fill: FillRecorded

    /// Creates the value.
    public init(seq: Int64, account: String, venue: String, fill: FillRecorded) {
        self.seq = seq
        self.account = account
        self.venue = venue
        self.fill = fill
    }
}

/// Reply of `journal.fills`, ascending by seq.
public struct FillsPage: Codable, Sendable, Equatable {
    /// The fills, ascending by seq.
    public var fills: [FillEntry]

    /// Creates the value.
    public init(fills: [FillEntry]) {
        self.fills = fills
    }
}

/// Request of `journal.positions`.
public struct PositionsQuery: Codable, Sendable, Equatable {
    /// The account.
    public var account: String

    /// Creates the value.
    public init(account: String) {
        self.account = account
    }
}

/// One position as the journal's projection holds it (see the writer's `PositionRow`;
/// risk-service's marked `PositionView` is another type).
public struct JournalPosition: Codable, Sendable, Equatable {
    /// The account.
    public var account: String
    /// The instrument.
    public var symbol: String
    /// Signed: negative is short.
    public var qty: ExactDecimal
    /// Average entry price of the open quantity; nil when flat.
    public var avgPrice: ExactDecimal?
    /// Realized by closing quantity, in the quote asset, before fees.
    public var realizedPnl: ExactDecimal

    /// Creates the value.
    public init(account: String, symbol: String, qty: ExactDecimal, avgPrice: ExactDecimal?, realizedPnl: ExactDecimal) {
        self.account = account
        self.symbol = symbol
        self.qty = qty
        self.avgPrice = avgPrice
        self.realizedPnl = realizedPnl
    }

    enum CodingKeys: String, CodingKey {
        case account, symbol, qty
        case avgPrice = "avg_price"
        case realizedPnl = "realized_pnl"
    }
}

/// Reply of `journal.positions`, by symbol.
public struct PositionsPage: Codable, Sendable, Equatable {
    /// The positions, by symbol.
    public var positions: [JournalPosition]

    /// Creates the value.
    public init(positions: [JournalPosition]) {
        self.positions = positions
    }
}
