/// The body of `order.submit` (PROTOCOL.md): a new order from a client.
///
/// Optional fields are omitted from the JSON when `nil`.
public struct OrderSubmit: Codable, Sendable, Equatable {
    /// The client's idempotency key (G1); when absent the gateway mints one (G2 applies).
    public var clientOrderId: String?
    /// The account the order trades for; also the bus routing key.
    public var account: String
    /// The instrument, e.g. `BTC/USDT`.
    public var symbol: String
    /// Buy or sell.
    public var side: Side
    /// Market or limit.
    public var type: OrderType
    /// The quantity in base units; must be positive and on the lot grid.
    public var qty: Quantity
    /// The limit price; required for limit orders.
    public var price: Price?
    /// How long the order works; the gateway chooses a default when absent.
    public var timeInForce: TimeInForce?
    /// Whether the order may only reduce an open position.
    public var reduceOnly: Bool?
    /// The client's reference quote (G6, G7).
    public var quote: Quote?

    /// Creates an order submission.
    public init(
        clientOrderId: String? = nil, account: String, symbol: String, side: Side, type: OrderType,
        qty: Quantity, price: Price? = nil, timeInForce: TimeInForce? = nil, reduceOnly: Bool? = nil,
        quote: Quote? = nil
    ) {
        self.clientOrderId = clientOrderId
        self.account = account
        self.symbol = symbol
        self.side = side
        self.type = type
        self.qty = qty
        self.price = price
        self.timeInForce = timeInForce
        self.reduceOnly = reduceOnly
        self.quote = quote
    }

    /// The wire key names (snake_case, PROTOCOL.md).
    enum CodingKeys: String, CodingKey {
        case account, symbol, side, type, qty, price, quote
        case clientOrderId = "client_order_id"
        case timeInForce = "time_in_force"
        case reduceOnly = "reduce_only"
    }
}
