/// The order-gateway's message types (PROTOCOL.md).
public enum GatewayAPI {
    public static let service = "order-gateway"
    /// `OrderSubmit` → `OrderReply`.
    public static let submit = "order.submit"
    /// `OrderRef` → `OrderReply`.
    public static let get = "order.get"
}
