import TradingModel

/// The exchange's rules (`GET /api/v3/exchangeInfo`): rate limits and every symbol's filters.
public struct BinanceExchangeInfo: Codable, Sendable, Equatable {
    /// One rate limit, e.g. 6000 REQUEST_WEIGHT per 1 MINUTE.
    public struct RateLimit: Codable, Sendable, Equatable {
        public var rateLimitType: String
        public var interval: String
        public var intervalNum: Int
        public var limit: Int

        /// Creates a rate limit.
        public init(rateLimitType: String, interval: String, intervalNum: Int, limit: Int) {
            self.rateLimitType = rateLimitType
            self.interval = interval
            self.intervalNum = intervalNum
            self.limit = limit
        }
    }

    public var timezone: String
    public var serverTime: Int64
    public var rateLimits: [RateLimit]
    public var exchangeFilters: [BinanceFilter]
    public var symbols: [BinanceSymbolInfo]

    /// Creates the exchange information.
    public init(serverTime: Int64, rateLimits: [RateLimit], symbols: [BinanceSymbolInfo]) {
        timezone = "UTC"
        self.serverTime = serverTime
        self.rateLimits = rateLimits
        exchangeFilters = []
        self.symbols = symbols
    }
}

/// One symbol's rules.
public struct BinanceSymbolInfo: Codable, Sendable, Equatable {
    /// Binance's symbol, base and quote asset without a separator, e.g. `BTCUSDT`.
    public var symbol: String
    /// `TRADING` when orders are taken.
    public var status: String
    public var baseAsset: String
    public var baseAssetPrecision: Int
    public var quoteAsset: String
    public var quotePrecision: Int
    public var quoteAssetPrecision: Int
    public var baseCommissionPrecision: Int
    public var quoteCommissionPrecision: Int
    public var orderTypes: [String]
    public var icebergAllowed: Bool
    public var ocoAllowed: Bool
    public var otoAllowed: Bool
    public var quoteOrderQtyMarketAllowed: Bool
    public var allowTrailingStop: Bool
    public var cancelReplaceAllowed: Bool
    public var isSpotTradingAllowed: Bool
    public var isMarginTradingAllowed: Bool
    public var filters: [BinanceFilter]
    public var permissions: [String]
    public var permissionSets: [[String]]
    public var defaultSelfTradePreventionMode: String
    public var allowedSelfTradePreventionModes: [String]

    /// A spot symbol trading `instrument`'s rules: PRICE_FILTER (tick), LOT_SIZE (step) and NOTIONAL (minimum).
    public init(_ instrument: Instrument) {
        symbol = BinanceSymbols.venueSymbol(base: instrument.base, quote: instrument.quote)
        status = "TRADING"
        baseAsset = instrument.base
        quoteAsset = instrument.quote
        baseAssetPrecision = 8
        quotePrecision = 8
        quoteAssetPrecision = 8
        baseCommissionPrecision = 8
        quoteCommissionPrecision = 8
        orderTypes = ["LIMIT", "MARKET"]
        icebergAllowed = false
        ocoAllowed = false
        otoAllowed = false
        quoteOrderQtyMarketAllowed = false
        allowTrailingStop = false
        cancelReplaceAllowed = false
        isSpotTradingAllowed = true
        isMarginTradingAllowed = false
        filters = [
            BinanceFilter(filterType: "PRICE_FILTER", minPrice: instrument.tickSize, maxPrice: ExactDecimal(1_000_000_000), tickSize: instrument.tickSize),
            BinanceFilter(filterType: "LOT_SIZE", minQty: instrument.lotSize, maxQty: ExactDecimal(1_000_000_000), stepSize: instrument.lotSize),
            BinanceFilter(filterType: "NOTIONAL", minNotional: instrument.minNotional, applyMinToMarket: true),
        ]
        permissions = []
        permissionSets = [["SPOT"]]
        defaultSelfTradePreventionMode = "NONE"
        allowedSelfTradePreventionModes = ["NONE"]
    }

    /// The filter of type `type`, if the symbol has one.
    public func filter(_ type: String) -> BinanceFilter? {
        filters.first { $0.filterType == type }
    }
}

/// A symbol filter; only the fields of its `filterType` are present (others are skipped
/// when read, so filters this suite does not use decode too).
public struct BinanceFilter: Codable, Sendable, Equatable {
    public var filterType: String
    public var minPrice: Price?
    public var maxPrice: Price?
    public var tickSize: Price?
    public var minQty: Quantity?
    public var maxQty: Quantity?
    public var stepSize: Quantity?
    public var minNotional: Money?
    public var applyMinToMarket: Bool?

    /// Creates a filter.
    public init(
        filterType: String, minPrice: Price? = nil, maxPrice: Price? = nil, tickSize: Price? = nil,
        minQty: Quantity? = nil, maxQty: Quantity? = nil, stepSize: Quantity? = nil,
        minNotional: Money? = nil, applyMinToMarket: Bool? = nil
    ) {
        self.filterType = filterType
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.tickSize = tickSize
        self.minQty = minQty
        self.maxQty = maxQty
        self.stepSize = stepSize
        self.minNotional = minNotional
        self.applyMinToMarket = applyMinToMarket
    }
}
