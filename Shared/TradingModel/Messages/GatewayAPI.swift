/// The order-gateway's message types (PROTOCOL.md). In the trading model because
/// risk (HARD_STOP), the reconciler (force-close) and tradectl call them too.
public enum GatewayAPI {
    public static let service = "order-gateway"
    /// `OrderSubmit` → `OrderReply`.
    public static let submit = "order.submit"
    /// `OrderRef` → `OrderReply`.
    public static let get = "order.get"
    /// Cancel one order: `OrderRef` → `OrderReply` (the order after the venue confirmed).
    public static let cancel = "order.cancel"
    /// Kill switch: cancel every open order of an account: `AccountRef` → `CancelAllReply`.
    public static let cancelAll = "order.cancel_all"
}

/// Reply of `order.cancel_all`: the orders the venue confirmed canceled, and those it could not.
public struct CancelAllReply: Codable, Sendable, Equatable {
    public var account: String
    /// client_order_ids whose cancel the venue confirmed.
    public var canceled: [String]
    /// client_order_ids still open (cancel refused or the venue did not answer), with the reason.
    public var failed: [Failure]

    /// One order the kill switch could not cancel.
    public struct Failure: Codable, Sendable, Equatable {
        public var clientOrderId: String
        public var code: String

        public init(clientOrderId: String, code: String) {
            self.clientOrderId = clientOrderId
            self.code = code
        }

        enum CodingKeys: String, CodingKey {
            case code
            case clientOrderId = "client_order_id"
        }
    }

    public init(account: String, canceled: [String], failed: [Failure]) {
        self.account = account
        self.canceled = canceled
        self.failed = failed
    }
}
