/// The closed catalogue of error codes a reply of type `error` can carry.
///
/// Codes are part of the public wire contract (docs/errors.md): they are only
/// ever added, never renamed or removed.
public enum ErrorCode: String, Codable, Sendable, CaseIterable {
    case invalidRequest = "INVALID_REQUEST"
    case invalidNumber = "INVALID_NUMBER"
    case unknownType = "UNKNOWN_TYPE"
    case unknownSymbol = "UNKNOWN_SYMBOL"
    case unknownAccount = "UNKNOWN_ACCOUNT"
    case invalidQuantity = "INVALID_QUANTITY"
    case invalidPrice = "INVALID_PRICE"
    case tickSize = "TICK_SIZE"
    case lotSize = "LOT_SIZE"
    case minNotional = "MIN_NOTIONAL"
    case quoteExpired = "QUOTE_EXPIRED"
    case slippage = "SLIPPAGE"
    case duplicate = "DUPLICATE"
    case rateLimited = "RATE_LIMITED"
    case insufficientBalance = "INSUFFICIENT_BALANCE"
    case limitExceeded = "LIMIT_EXCEEDED"
    case margin = "MARGIN"
    case breakerOpen = "BREAKER_OPEN"
    case governor = "GOVERNOR"
    case notFound = "NOT_FOUND"
    case staleEpoch = "STALE_EPOCH"
    case venueRejected = "VENUE_REJECTED"
    case overloaded = "OVERLOADED"
    case unavailable = "UNAVAILABLE"
    case timeout = "TIMEOUT"
    case `internal` = "INTERNAL"
    /// The account has not passed startup reconciliation (C1): no orders yet.
    case accountNotReconciled = "ACCOUNT_NOT_RECONCILED"
    /// The kill switch halted the account: no new orders until an operator resumes it.
    case tradingHalted = "TRADING_HALTED"
    /// An authenticated bus refused the request: the sender's role may not send it (docs/security.md).
    case forbidden = "FORBIDDEN"

    /// Whether resending the same request later can succeed.
    public var isRetryable: Bool {
        switch self {
        case .rateLimited, .overloaded, .unavailable, .timeout, .quoteExpired:
            return true
        default:
            return false
        }
    }
}
