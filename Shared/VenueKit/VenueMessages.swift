import TradingModel

// The bodies of the venue's own API (`venue.*`), spoken by the paper venue-sim and
// by any live adapter behind the `Venue` protocol. JSON keys are snake_case; money
// and quantities are decimal strings (ExactDecimal's Codable).

/// Request body of `venue.place`: place one order, idempotent by (account, client_order_id).
public struct VenuePlace: Codable, Sendable, Equatable {
    /// The venue account that places the order.
    public var account: String
    /// The client's id for the order: the idempotency key within the account.
    public var clientOrderId: String
    /// The instrument, e.g. `BTC/USDT`.
    public var symbol: String
    /// Buy or sell the base asset.
    public var side: Side
    /// Market or limit.
    public var type: OrderType
    /// The quantity in base units; a multiple of the lot size.
    public var qty: Quantity
    /// The limit price; required for limit orders, absent for market orders.
    public var price: Price?
    /// GTC rests on the book; IOC and FOK never rest.
    public var timeInForce: TimeInForce

    /// Creates a place request.
    public init(
        account: String, clientOrderId: String, symbol: String, side: Side, type: OrderType,
        qty: Quantity, price: Price?, timeInForce: TimeInForce
    ) {
        self.account = account
        self.clientOrderId = clientOrderId
        self.symbol = symbol
        self.side = side
        self.type = type
        self.qty = qty
        self.price = price
        self.timeInForce = timeInForce
    }

    private enum CodingKeys: String, CodingKey {
        case account, symbol, side, type, qty, price
        case clientOrderId = "client_order_id"
        case timeInForce = "time_in_force"
    }
}

/// Request body of `venue.order` and `venue.cancel`: one order by its client id.
public struct VenueOrderRef: Codable, Sendable, Equatable {
    /// The account the order belongs to.
    public var account: String
    /// The client's id for the order.
    public var clientOrderId: String

    /// Creates an order reference.
    public init(account: String, clientOrderId: String) {
        self.account = account
        self.clientOrderId = clientOrderId
    }

    private enum CodingKeys: String, CodingKey {
        case account
        case clientOrderId = "client_order_id"
    }
}

/// Request body of `venue.open_orders` and `venue.balances`: one account.
public struct VenueAccountRef: Codable, Sendable, Equatable {
    /// The venue account.
    public var account: String

    /// Creates an account reference.
    public init(account: String) {
        self.account = account
    }
}

/// Request body of `venue.open_orders`: the account's working orders after a cursor.
public struct VenueOpenOrdersQuery: Codable, Sendable, Equatable {
    /// The venue account.
    public var account: String
    /// Only orders made after this one (by venue order id): the previous page's
    /// `next_after`; all when absent.
    public var afterVenueOrderId: String?

    /// Creates the query.
    public init(account: String, afterVenueOrderId: String? = nil) {
        self.account = account
        self.afterVenueOrderId = afterVenueOrderId
    }

    private enum CodingKeys: String, CodingKey {
        case account
        case afterVenueOrderId = "after_venue_order_id"
    }
}

/// Request body of `venue.fills`: the account's fills with `trade_seq > after_trade_seq`
/// (all of them when absent), oldest first. Page by passing the last seq received.
public struct VenueFillsQuery: Codable, Sendable, Equatable {
    /// The venue account.
    public var account: String
    /// Only fills with a greater trade seq; all when absent.
    public var afterTradeSeq: Int64?
    /// Only fills at or after this venue time, unix nanoseconds; all when absent.
    public var sinceTs: Int64?

    /// Creates a fills query.
    public init(account: String, afterTradeSeq: Int64? = nil, sinceTs: Int64? = nil) {
        self.account = account
        self.afterTradeSeq = afterTradeSeq
        self.sinceTs = sinceTs
    }

    private enum CodingKeys: String, CodingKey {
        case account
        case afterTradeSeq = "after_trade_seq"
        case sinceTs = "since_ts"
    }
}

/// Reply to `venue.balances`: the account's total balance per asset (free + locked in open orders).
public struct VenueBalances: Codable, Sendable, Equatable {
    /// The venue account.
    public var account: String
    /// Total per asset, e.g. `USDT`.
    public var balances: [String: Money]

    /// Creates a balances reply.
    public init(account: String, balances: [String: Money]) {
        self.account = account
        self.balances = balances
    }
}

/// Reply to `venue.instruments`: every instrument the venue trades, with its rules.
public struct VenueInstruments: Codable, Sendable, Equatable {
    /// The instruments and their trading rules.
    public var instruments: [Instrument]

    /// Creates an instruments reply.
    public init(instruments: [Instrument]) {
        self.instruments = instruments
    }
}

/// A top-of-book quote of one symbol (market-data event, and reply to a quote request).
public struct VenueTick: Codable, Sendable, Equatable {
    /// The instrument quoted.
    public var symbol: String
    /// The best bid: where a sell executes at once.
    public var bid: Price
    /// The best ask: where a buy executes at once.
    public var ask: Price
    /// The last trade or mid price.
    public var last: Price
    /// Venue time of the quote, unix nanoseconds.
    public var ts: Int64

    /// Creates a tick.
    public init(symbol: String, bid: Price, ask: Price, last: Price, ts: Int64) {
        self.symbol = symbol
        self.bid = bid
        self.ask = ask
        self.last = last
        self.ts = ts
    }
}

/// Reply to `venue.open_orders`: one page of the account's working orders, oldest first
/// (at most 100, and within the 64 KiB message limit).
public struct VenueOrders: Codable, Sendable, Equatable {
    /// The orders, oldest first.
    public var orders: [VenueOrder]
    /// The `after_venue_order_id` of the next page; nil on the last page.
    public var nextAfter: String?

    /// Creates an orders reply.
    public init(orders: [VenueOrder], nextAfter: String? = nil) {
        self.orders = orders
        self.nextAfter = nextAfter
    }

    private enum CodingKeys: String, CodingKey {
        case orders
        case nextAfter = "next_after"
    }
}

/// Reply to `venue.fills`: one page of fills in trade-seq order (at most 100, and within
/// the 64 KiB message limit); ask again after the last trade seq for the next.
public struct VenueFills: Codable, Sendable, Equatable {
    /// The fills, in trade-seq order.
    public var fills: [VenueFill]

    /// Creates a fills reply.
    public init(fills: [VenueFill]) {
        self.fills = fills
    }
}
