extension JournalAPI {
    /// Orders of an account, optionally in one state: `OrdersQuery` → `OrdersPage`.
    public static let orders = "journal.orders"
    /// Fills with seq ≥ `from_seq`: `FillsQuery` → `FillsPage`.
    public static let fills = "journal.fills"
    /// Positions of an account: `PositionsQuery` → `PositionsPage`.
    public static let positions = "journal.positions"
}

/// Request of `journal.orders`: the account's orders (oldest first), only those in
/// `state` when given, one page at a time.
public struct OrdersQuery: Codable, Sendable, Equatable {
    /// The account.
    public var account: String
    /// Only orders in this state; all when nil.
    public var state: OrderState?
    /// Only orders whose intent's seq is greater: the previous page's `next_after_seq`.
    public var afterSeq: Int64?

    /// Creates the value.
    public init(account: String, state: OrderState? = nil, afterSeq: Int64? = nil) {
        self.account = account
        self.state = state
        self.afterSeq = afterSeq
    }

    enum CodingKeys: String, CodingKey {
        case account, state
        case afterSeq = "after_seq"
    }
}

/// Reply of `journal.orders`: one page, within the message limit.
public struct OrdersPage: Codable, Sendable, Equatable {
    /// The orders, oldest first.
    public var orders: [OrderView]
    /// Where the next page starts (`after_seq` of the next query); nil on the last page.
    public var nextAfterSeq: Int64?

    /// Creates the value.
    public init(orders: [OrderView], nextAfterSeq: Int64? = nil) {
        self.orders = orders
        self.nextAfterSeq = nextAfterSeq
    }

    enum CodingKeys: String, CodingKey {
        case orders
        case nextAfterSeq = "next_after_seq"
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

/// Reply of `journal.fills`, ascending by seq: one page, within the message limit.
public struct FillsPage: Codable, Sendable, Equatable {
    /// The fills, ascending by seq.
    public var fills: [FillEntry]
    /// The `from_seq` of the next page when this one was cut short; nil on the last page.
    public var nextFromSeq: Int64?

    /// Creates the value.
    public init(fills: [FillEntry], nextFromSeq: Int64? = nil) {
        self.fills = fills
        self.nextFromSeq = nextFromSeq
    }

    enum CodingKeys: String, CodingKey {
        case fills
        case nextFromSeq = "next_from_seq"
    }
}

/// Request of `journal.positions`, one page at a time.
public struct PositionsQuery: Codable, Sendable, Equatable {
    /// The account.
    public var account: String
    /// Only symbols after this one: the previous page's `next_after_symbol`.
    public var afterSymbol: String?

    /// Creates the value.
    public init(account: String, afterSymbol: String? = nil) {
        self.account = account
        self.afterSymbol = afterSymbol
    }

    enum CodingKeys: String, CodingKey {
        case account
        case afterSymbol = "after_symbol"
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

/// Reply of `journal.positions`, by symbol: one page, within the message limit.
public struct PositionsPage: Codable, Sendable, Equatable {
    /// The positions, by symbol.
    public var positions: [JournalPosition]
    /// Where the next page starts (`after_symbol` of the next query); nil on the last page.
    public var nextAfterSymbol: String?

    /// Creates the value.
    public init(positions: [JournalPosition], nextAfterSymbol: String? = nil) {
        self.positions = positions
        self.nextAfterSymbol = nextAfterSymbol
    }

    enum CodingKeys: String, CodingKey {
        case positions
        case nextAfterSymbol = "next_after_symbol"
    }
}
