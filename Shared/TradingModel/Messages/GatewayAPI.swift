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
    /// Kill switch: halt the account for new orders and cancel every open order at the venue:
    /// `AccountRef` → `CancelAllReply`.
    public static let cancelAll = "order.cancel_all"
    /// Lift a kill switch's halt: `AccountRef` → `ResumeReply`.
    public static let resume = "order.resume"
}

/// Reply of `order.cancel_all`: exact counts of what the kill switch did. The account is
/// halted (`TRADING_HALTED` for new orders) whatever the counts say, until `order.resume`.
public struct CancelAllReply: Codable, Sendable, Equatable {
    public var account: String
    /// The kill switch's entry in the operation log.
    public var operationId: String
    /// Orders whose cancel the venue confirmed during this run.
    public var canceled: Int
    /// Orders whose cancel the venue did not confirm (refused, or no answer) by the end of the run.
    public var failed: Int
    /// Orders the venue still listed open when the run ended: 0 means the account has no
    /// open order left.
    public var stillOpen: Int
    /// Up to `failureSampleLimit` of the failed orders, with the error code of their last attempt.
    public var failures: [Failure]
    /// Whether the account is halted for new orders (always true after a kill switch).
    public var halted: Bool

    /// The most failed orders named in a reply (the reply must stay far below 64 KiB).
    public static let failureSampleLimit = 20

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

    public init(account: String, operationId: String, canceled: Int, failed: Int, stillOpen: Int, failures: [Failure], halted: Bool = true) {
        self.account = account
        self.operationId = operationId
        self.canceled = canceled
        self.failed = failed
        self.stillOpen = stillOpen
        self.failures = failures
        self.halted = halted
    }

    /// Whether the venue has no open order of the account left.
    public var isComplete: Bool { stillOpen == 0 }

    enum CodingKeys: String, CodingKey {
        case account, canceled, failed, failures, halted
        case operationId = "operation_id"
        case stillOpen = "still_open"
    }
}

/// Reply of `order.resume`: the account takes new orders again.
public struct ResumeReply: Codable, Sendable, Equatable {
    public var account: String
    /// False: the halt is lifted.
    public var halted: Bool

    public init(account: String, halted: Bool = false) {
        self.account = account
        self.halted = halted
    }
}
