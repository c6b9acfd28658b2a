/// The Binance Spot error codes this suite sends (venue-sim's Binance front) or acts on
/// (the adapter), as in Binance's own catalogue. An error body is `{"code": -2013, "msg": "…"}`.
public enum BinanceErrorCode: Int, Sendable, Codable, CaseIterable {
    /// An unknown error while processing the request.
    case unknown = -1000
    /// Internal error; the request was not processed. Try again.
    case disconnected = -1001
    /// Not authorized to execute this request.
    case unauthorized = -1002
    /// Too much request weight used (with HTTP 429 or, when banned, 418).
    case tooManyRequests = -1003
    /// Timeout waiting for the matching engine: the execution status is UNKNOWN.
    case timeout = -1007
    /// Rejected before the matching engine, e.g. `Filter failure: LOT_SIZE`.
    case invalidMessage = -1013
    /// This operation is not supported (an unknown WebSocket API method).
    case unsupportedOperation = -1020
    /// Too many new orders.
    case tooManyOrders = -1015
    /// The request's timestamp is outside the recvWindow, or 1 s ahead of the server.
    case invalidTimestamp = -1021
    /// The signature does not sign the request.
    case invalidSignature = -1022
    /// Illegal characters in a parameter (e.g. a client order id outside its alphabet).
    case illegalChars = -1100
    /// A mandatory parameter was not sent, was empty or malformed.
    case mandatoryParamEmptyOrMalformed = -1102
    /// A parameter was sent when not required (e.g. a price on a MARKET order).
    case paramNotRequired = -1106
    /// A parameter has too much precision.
    case badPrecision = -1111
    /// timeInForce sent when not required (a MARKET order).
    case tifNotRequired = -1114
    /// Invalid timeInForce.
    case invalidTimeInForce = -1115
    /// Invalid order type.
    case invalidOrderType = -1116
    /// Invalid side.
    case invalidSide = -1117
    /// Invalid symbol.
    case badSymbol = -1121
    /// recvWindow must be less than 60000.
    case badRecvWindow = -1131
    /// The matching engine refused the new order (see the message).
    case newOrderRejected = -2010
    /// The matching engine refused the cancel.
    case cancelRejected = -2011
    /// The order does not exist.
    case noSuchOrder = -2013
    /// API-key format invalid (or none sent).
    case badAPIKeyFormat = -2014
    /// Invalid API key, IP, or permissions for the action.
    case rejectedAPIKey = -2015
}

/// A Binance error reply's body.
public struct BinanceErrorBody: Codable, Sendable, Equatable, Error {
    /// The numeric code (negative), e.g. -2013.
    public var code: Int
    /// The message, e.g. `Order does not exist.`.
    public var msg: String

    /// Creates an error body.
    public init(_ code: BinanceErrorCode, _ msg: String) {
        self.code = code.rawValue
        self.msg = msg
    }

    /// Creates an error body from a code that may not be in `BinanceErrorCode`.
    public init(code: Int, msg: String) {
        self.code = code
        self.msg = msg
    }

    /// The messages Binance sends for matching-engine refusals (with -2010/-2011/-2013).
    public enum Message {
        public static let duplicateOrder = "Duplicate order sent."
        public static let insufficientBalance = "Account has insufficient balance for requested action."
        public static let unknownOrder = "Unknown order sent."
        public static let noSuchOrder = "Order does not exist."
    }
}
