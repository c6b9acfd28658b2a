import TradingModel

/// Binance Spot's user data stream over the WebSocket API (`/ws-api/v3`; the listenKey
/// streams were retired for Spot on 2026-02-20): a signed `userDataStream.subscribe.signature`
/// request, then the account's events, each wrapped as `{"subscriptionId": N, "event": {…}}`.
public enum BinanceUserStream {
    /// The WebSocket API's path on a Binance-compatible host.
    public static let path = "/ws-api/v3"

    /// The WebSocket API's methods the suite speaks.
    public enum Method: String, Sendable, CaseIterable {
        case ping
        case time
        case subscribe = "userDataStream.subscribe.signature"
        case unsubscribe = "userDataStream.unsubscribe"
        case subscriptions = "session.subscriptions"

        /// The request weight Binance charges for it.
        public var weight: Int {
            switch self {
            case .ping, .time: 1
            case .subscribe, .unsubscribe, .subscriptions: 2
            }
        }
    }

    /// The payload a WebSocket API request signs: every parameter but `signature`, sorted by
    /// name, as `name=value` joined by `&` (no escaping: the values are plain tokens).
    public static func signaturePayload(_ params: [String: String]) -> String {
        params.filter { $0.key != "signature" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
    }

    /// A signed subscribe request's parameters for `apiKey`, at `timestampMillis` (server time).
    public static func subscribeParams(apiKey: String, secret: String, timestampMillis: Int64, recvWindowMillis: Int64) -> [String: String] {
        var params = ["apiKey": apiKey, "timestamp": String(timestampMillis), "recvWindow": String(recvWindowMillis)]
        params["signature"] = BinanceSigner.signature(payload: signaturePayload(params), secret: secret)
        return params
    }
}

/// A request's id: Binance echoes whatever the client sent, a string or an integer.
public enum BinanceRequestId: Codable, Sendable, Hashable, CustomStringConvertible {
    case text(String)
    case number(Int64)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            self = .number(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .number(let number): try container.encode(number)
        }
    }

    public var description: String {
        switch self {
        case .text(let text): text
        case .number(let number): String(number)
        }
    }
}

/// A parameter's value as sent: a string or an integer (kept as its text, which is what is
/// signed). Any other JSON value is refused when the request is read.
public struct BinanceParamValue: Codable, Sendable, Equatable {
    public var text: String

    public init(_ text: String) { self.text = text }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            text = String(number)
        } else {
            text = try container.decode(String.self)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// One WebSocket API request.
public struct BinanceStreamRequest: Codable, Sendable {
    public var id: BinanceRequestId?
    public var method: String
    public var params: [String: BinanceParamValue]?

    public init(id: BinanceRequestId, method: BinanceUserStream.Method, params: [String: String] = [:]) {
        self.id = id
        self.method = method.rawValue
        self.params = params.isEmpty ? nil : params.mapValues(BinanceParamValue.init)
    }
}

/// A WebSocket API reply: `result` on status 200, else `error`; `rateLimits` counts what the
/// connection's IP has used (Binance sends it with every reply; clients read it).
public struct BinanceStreamReply<Result: Codable & Sendable>: Codable, Sendable {
    public var id: BinanceRequestId?
    public var status: Int
    public var result: Result?
    public var error: BinanceErrorBody?
    public var rateLimits: [BinanceRateLimitCount]?

    public init(id: BinanceRequestId?, result: Result, rateLimits: [BinanceRateLimitCount]) {
        self.id = id
        status = 200
        self.result = result
        error = nil
        self.rateLimits = rateLimits
    }

    public init(id: BinanceRequestId?, status: Int, error: BinanceErrorBody, rateLimits: [BinanceRateLimitCount]) {
        self.id = id
        self.status = status
        result = nil
        self.error = error
        self.rateLimits = rateLimits
    }
}

/// One rate limit and how much of it is used, as a WebSocket API reply reports it.
public struct BinanceRateLimitCount: Codable, Sendable, Equatable {
    public var rateLimitType: String
    public var interval: String
    public var intervalNum: Int
    public var limit: Int
    public var count: Int

    /// The request weight used this minute.
    public static func weight(limit: Int, count: Int) -> BinanceRateLimitCount {
        BinanceRateLimitCount(rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: limit, count: count)
    }

    public init(rateLimitType: String, interval: String, intervalNum: Int, limit: Int, count: Int) {
        self.rateLimitType = rateLimitType
        self.interval = interval
        self.intervalNum = intervalNum
        self.limit = limit
        self.count = count
    }
}

/// The result of a subscribe: the subscription's number within the connection.
public struct BinanceSubscription: Codable, Sendable, Equatable {
    public var subscriptionId: Int

    public init(subscriptionId: Int) { self.subscriptionId = subscriptionId }
}

/// An empty result (`ping`, `unsubscribe`).
public struct BinanceEmptyResult: Codable, Sendable, Equatable {
    public init() {}
}

/// What any message on the WebSocket says of itself: a reply carries `id`/`status`, an
/// event `subscriptionId` and the event's type `e`.
public struct BinanceStreamMessageHead: Decodable, Sendable {
    public struct EventHead: Decodable, Sendable {
        public var e: String
    }

    public var id: BinanceRequestId?
    public var status: Int?
    public var error: BinanceErrorBody?
    public var subscriptionId: Int?
    public var event: EventHead?
}

/// An event of a subscription.
public struct BinanceStreamEvent<Event: Codable & Sendable>: Codable, Sendable {
    public var subscriptionId: Int
    public var event: Event

    public init(subscriptionId: Int, event: Event) {
        self.subscriptionId = subscriptionId
        self.event = event
    }
}

/// `executionReport`: one change of one order (new, a trade, canceled, expired), with the
/// order's totals after it. Binance's one-letter names; decimals as strings; times unix ms.
public struct BinanceExecutionReport: Codable, Sendable, Equatable {
    public static let eventType = "executionReport"

    public var eventType = Self.eventType
    public var eventTime: Int64
    public var symbol: String
    public var clientOrderId: String
    public var side: String
    public var orderType: String
    public var timeInForce: String
    public var quantity: Quantity
    public var price: Price
    public var stopPrice: Price = .zero
    public var icebergQuantity: Quantity = .zero
    public var orderListId: Int64 = -1
    /// The original client id of a canceled order ("" otherwise).
    public var originalClientOrderId = ""
    /// NEW, CANCELED, REPLACED, REJECTED, TRADE, EXPIRED or TRADE_PREVENTION.
    public var executionType: String
    public var orderStatus: BinanceOrderStatus
    public var rejectReason = "NONE"
    public var orderId: Int64
    public var lastExecutedQuantity: Quantity
    public var cumulativeFilledQuantity: Quantity
    public var lastExecutedPrice: Price
    public var commission: Money
    /// The asset the commission of this trade was charged in (null without a trade).
    public var commissionAsset: String?
    public var transactionTime: Int64
    /// The trade's id, -1 without a trade.
    public var tradeId: Int64
    public var ignoreI: Int64 = 0
    public var isWorking: Bool
    public var isMaker: Bool
    public var ignoreM = false
    public var creationTime: Int64
    public var cumulativeQuoteQuantity: Money
    public var lastQuoteQuantity: Money
    public var quoteOrderQuantity: Money = .zero
    public var workingTime: Int64
    public var selfTradePreventionMode = "NONE"

    public init(
        eventTime: Int64, symbol: String, clientOrderId: String, side: String, orderType: String, timeInForce: String,
        quantity: Quantity, price: Price, executionType: String, orderStatus: BinanceOrderStatus, orderId: Int64,
        lastExecutedQuantity: Quantity, cumulativeFilledQuantity: Quantity, lastExecutedPrice: Price, commission: Money,
        commissionAsset: String?, transactionTime: Int64, tradeId: Int64, isWorking: Bool, creationTime: Int64,
        cumulativeQuoteQuantity: Money, lastQuoteQuantity: Money
    ) {
        self.eventTime = eventTime
        self.symbol = symbol
        self.clientOrderId = clientOrderId
        self.side = side
        self.orderType = orderType
        self.timeInForce = timeInForce
        self.quantity = quantity
        self.price = price
        self.executionType = executionType
        self.orderStatus = orderStatus
        self.orderId = orderId
        self.lastExecutedQuantity = lastExecutedQuantity
        self.cumulativeFilledQuantity = cumulativeFilledQuantity
        self.lastExecutedPrice = lastExecutedPrice
        self.commission = commission
        self.commissionAsset = commissionAsset
        self.transactionTime = transactionTime
        self.tradeId = tradeId
        self.isWorking = isWorking
        isMaker = false
        self.creationTime = creationTime
        self.cumulativeQuoteQuantity = cumulativeQuoteQuantity
        self.lastQuoteQuantity = lastQuoteQuantity
        workingTime = creationTime
    }

    private enum CodingKeys: String, CodingKey {
        case eventType = "e", eventTime = "E", symbol = "s", clientOrderId = "c", side = "S", orderType = "o"
        case timeInForce = "f", quantity = "q", price = "p", stopPrice = "P", icebergQuantity = "F", orderListId = "g"
        case originalClientOrderId = "C", executionType = "x", orderStatus = "X", rejectReason = "r", orderId = "i"
        case lastExecutedQuantity = "l", cumulativeFilledQuantity = "z", lastExecutedPrice = "L", commission = "n"
        case commissionAsset = "N", transactionTime = "T", tradeId = "t", ignoreI = "I", isWorking = "w", isMaker = "m"
        case ignoreM = "M", creationTime = "O", cumulativeQuoteQuantity = "Z", lastQuoteQuantity = "Y"
        case quoteOrderQuantity = "Q", workingTime = "W", selfTradePreventionMode = "V"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(eventType, forKey: .eventType)
        try container.encode(eventTime, forKey: .eventTime)
        try container.encode(symbol, forKey: .symbol)
        try container.encode(clientOrderId, forKey: .clientOrderId)
        try container.encode(side, forKey: .side)
        try container.encode(orderType, forKey: .orderType)
        try container.encode(timeInForce, forKey: .timeInForce)
        try container.encode(quantity, forKey: .quantity)
        try container.encode(price, forKey: .price)
        try container.encode(stopPrice, forKey: .stopPrice)
        try container.encode(icebergQuantity, forKey: .icebergQuantity)
        try container.encode(orderListId, forKey: .orderListId)
        try container.encode(originalClientOrderId, forKey: .originalClientOrderId)
        try container.encode(executionType, forKey: .executionType)
        try container.encode(orderStatus, forKey: .orderStatus)
        try container.encode(rejectReason, forKey: .rejectReason)
        try container.encode(orderId, forKey: .orderId)
        try container.encode(lastExecutedQuantity, forKey: .lastExecutedQuantity)
        try container.encode(cumulativeFilledQuantity, forKey: .cumulativeFilledQuantity)
        try container.encode(lastExecutedPrice, forKey: .lastExecutedPrice)
        try container.encode(commission, forKey: .commission)
        // Binance sends `"N": null` when nothing was charged.
        try container.encode(commissionAsset, forKey: .commissionAsset)
        try container.encode(transactionTime, forKey: .transactionTime)
        try container.encode(tradeId, forKey: .tradeId)
        try container.encode(ignoreI, forKey: .ignoreI)
        try container.encode(isWorking, forKey: .isWorking)
        try container.encode(isMaker, forKey: .isMaker)
        try container.encode(ignoreM, forKey: .ignoreM)
        try container.encode(creationTime, forKey: .creationTime)
        try container.encode(cumulativeQuoteQuantity, forKey: .cumulativeQuoteQuantity)
        try container.encode(lastQuoteQuantity, forKey: .lastQuoteQuantity)
        try container.encode(quoteOrderQuantity, forKey: .quoteOrderQuantity)
        try container.encode(workingTime, forKey: .workingTime)
        try container.encode(selfTradePreventionMode, forKey: .selfTradePreventionMode)
    }

    /// Whether this report is a trade (its `tradeId`, `lastExecuted…` and `commission` are set).
    public var isTrade: Bool { executionType == "TRADE" }
}

/// `outboundAccountPosition`: the balances of the assets a change moved.
public struct BinanceAccountPosition: Codable, Sendable, Equatable {
    public static let eventType = "outboundAccountPosition"

    public struct Balance: Codable, Sendable, Equatable {
        public var asset: String
        public var free: Money
        public var locked: Money

        public init(asset: String, free: Money, locked: Money) {
            self.asset = asset
            self.free = free
            self.locked = locked
        }

        private enum CodingKeys: String, CodingKey {
            case asset = "a", free = "f", locked = "l"
        }
    }

    public var eventType = Self.eventType
    public var eventTime: Int64
    public var lastUpdateTime: Int64
    public var balances: [Balance]

    public init(eventTime: Int64, balances: [Balance]) {
        self.eventTime = eventTime
        lastUpdateTime = eventTime
        self.balances = balances
    }

    private enum CodingKeys: String, CodingKey {
        case eventType = "e", eventTime = "E", lastUpdateTime = "u", balances = "B"
    }
}

/// `eventStreamTerminated`: the subscription has ended; nothing more comes on it.
public struct BinanceStreamTerminated: Codable, Sendable, Equatable {
    public static let eventType = "eventStreamTerminated"

    public var eventType = Self.eventType
    public var eventTime: Int64

    public init(eventTime: Int64) { self.eventTime = eventTime }

    private enum CodingKeys: String, CodingKey {
        case eventType = "e", eventTime = "E"
    }
}
