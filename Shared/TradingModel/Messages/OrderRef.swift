/// The body of `order.get` and `order.cancel`: one order of one account.
public struct OrderRef: Codable, Sendable, Equatable {
    /// The account that owns the order.
    public var account: String
    /// The order's client id.
    public var clientOrderId: String

    /// Creates a reference to an order.
    public init(account: String, clientOrderId: String) {
        self.account = account
        self.clientOrderId = clientOrderId
    }

    /// The wire key names (snake_case, PROTOCOL.md).
    enum CodingKeys: String, CodingKey {
        case account
        case clientOrderId = "client_order_id"
    }
}
