import TradingModel

/// An order as Binance Spot reports it: the reply to a new order (`FULL`), a query, a
/// cancel, and each item of the open orders. Decimals are strings; times are unix ms.
/// Fields that only some replies carry are optional.
public struct BinanceOrder: Codable, Sendable, Equatable {
    public var symbol: String
    public var orderId: Int64
    /// -1 unless the order is part of an order list.
    public var orderListId: Int64
    public var clientOrderId: String
    /// On a cancel: the client id of the order canceled (`clientOrderId` is the cancel's own).
    public var origClientOrderId: String?
    /// On a new order and a cancel: when the matching engine acted.
    public var transactTime: Int64?
    /// 0 for a market order.
    public var price: Price
    public var origQty: Quantity
    public var executedQty: Quantity
    /// The quote quantity traded so far (Binance's own spelling).
    public var cummulativeQuoteQty: Money
    public var origQuoteOrderQty: Money
    public var status: BinanceOrderStatus
    public var timeInForce: String
    public var type: String
    public var side: String
    /// On a query and the open orders: when the order was made, and last changed.
    public var time: Int64?
    public var updateTime: Int64?
    public var isWorking: Bool?
    public var workingTime: Int64?
    public var selfTradePreventionMode: String
    /// On a `FULL` new-order reply: the trades the order made at once.
    public var fills: [BinanceOrderFill]?

    /// Creates an order report.
    public init(
        symbol: String, orderId: Int64, clientOrderId: String, price: Price, origQty: Quantity,
        executedQty: Quantity, cummulativeQuoteQty: Money, status: BinanceOrderStatus, timeInForce: String,
        type: String, side: String
    ) {
        self.symbol = symbol
        self.orderId = orderId
        self.orderListId = -1
        self.clientOrderId = clientOrderId
        self.price = price
        self.origQty = origQty
        self.executedQty = executedQty
        self.cummulativeQuoteQty = cummulativeQuoteQty
        self.origQuoteOrderQty = .zero
        self.status = status
        self.timeInForce = timeInForce
        self.type = type
        self.side = side
        self.selfTradePreventionMode = "NONE"
    }
}

/// One trade in a `FULL` new-order reply.
public struct BinanceOrderFill: Codable, Sendable, Equatable {
    public var price: Price
    public var qty: Quantity
    public var commission: Money
    public var commissionAsset: String
    public var tradeId: Int64

    /// Creates a fill of a new-order reply.
    public init(price: Price, qty: Quantity, commission: Money, commissionAsset: String, tradeId: Int64) {
        self.price = price
        self.qty = qty
        self.commission = commission
        self.commissionAsset = commissionAsset
        self.tradeId = tradeId
    }
}

/// Binance Spot's order statuses.
public enum BinanceOrderStatus: String, Codable, Sendable, CaseIterable {
    case new = "NEW"
    case pendingNew = "PENDING_NEW"
    case partiallyFilled = "PARTIALLY_FILLED"
    case filled = "FILLED"
    case canceled = "CANCELED"
    case pendingCancel = "PENDING_CANCEL"
    case rejected = "REJECTED"
    case expired = "EXPIRED"
    case expiredInMatch = "EXPIRED_IN_MATCH"
}

/// One of the account's trades (`GET /api/v3/myTrades`).
public struct BinanceTrade: Codable, Sendable, Equatable {
    public var symbol: String
    /// The trade id: increasing per symbol; `fromId` pages by it.
    public var id: Int64
    public var orderId: Int64
    public var orderListId: Int64
    public var price: Price
    public var qty: Quantity
    public var quoteQty: Money
    public var commission: Money
    /// The asset the fee was charged in (base, quote or BNB).
    public var commissionAsset: String
    public var time: Int64
    public var isBuyer: Bool
    public var isMaker: Bool
    public var isBestMatch: Bool

    /// Creates a trade.
    public init(
        symbol: String, id: Int64, orderId: Int64, price: Price, qty: Quantity, quoteQty: Money,
        commission: Money, commissionAsset: String, time: Int64, isBuyer: Bool, isMaker: Bool
    ) {
        self.symbol = symbol
        self.id = id
        self.orderId = orderId
        self.orderListId = -1
        self.price = price
        self.qty = qty
        self.quoteQty = quoteQty
        self.commission = commission
        self.commissionAsset = commissionAsset
        self.time = time
        self.isBuyer = isBuyer
        self.isMaker = isMaker
        self.isBestMatch = true
    }
}
