/// The body of `order.submit.ok`, `order.get.ok` and `order.cancel.ok`.
public struct OrderReply: Codable, Sendable, Equatable {
    /// The order in its current state.
    public var order: OrderView

    /// Wraps an order view.
    public init(order: OrderView) {
        self.order = order
    }
}
