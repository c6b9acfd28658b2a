/// An order as the client knows it: the one shape every order reply carries.
public struct OrderView: Codable, Sendable, Equatable {
    /// The order's client id (given or minted).
    public var clientOrderId: String
    /// The account that owns the order.
    public var account: String
    /// The instrument.
    public var symbol: String
    /// Buy or sell.
    public var side: Side
    /// Market or limit.
    public var type: OrderType
    /// The ordered quantity.
    public var qty: Quantity
    /// The limit price, if any.
    public var price: Price?
    /// The current state.
    public var state: OrderState
    /// How much has been filled so far.
    public var filledQty: Quantity
    /// The volume-weighted average fill price, once something has filled.
    public var avgPrice: Price?
    /// The venue's id for the order, once the venue acknowledged it.
    public var venueOrderId: String?
    /// Why the order was rejected, canceled or expired, when known.
    public var reason: String?

    /// Creates an order view.
    public init(
        clientOrderId: String, account: String, symbol: String, side: Side, type: OrderType,
        qty: Quantity, price: Price? = nil, state: OrderState, filledQty: Quantity = .zero,
        avgPrice: Price? = nil, venueOrderId: String? = nil, reason: String? = nil
    ) {
        self.clientOrderId = clientOrderId
        self.account = account
        self.symbol = symbol
        self.side = side
        self.type = type
        self.qty = qty
        self.price = price
        self.state = state
        self.filledQty = filledQty
        self.avgPrice = avgPrice
        self.venueOrderId = venueOrderId
        self.reason = reason
    }

    /// The wire key names (snake_case, PROTOCOL.md).
    enum CodingKeys: String, CodingKey {
        case account, symbol, side, type, qty, price, state, reason
        case clientOrderId = "client_order_id"
        case filledQty = "filled_qty"
        case avgPrice = "avg_price"
        case venueOrderId = "venue_order_id"
    }
}
