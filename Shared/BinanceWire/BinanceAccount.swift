import TradingModel

/// The account (`GET /api/v3/account`): permissions and balances per asset.
public struct BinanceAccount: Codable, Sendable, Equatable {
    /// One asset's balance: `free` to trade, `locked` by open orders.
    public struct Balance: Codable, Sendable, Equatable {
        public var asset: String
        public var free: Money
        public var locked: Money

        /// Creates a balance.
        public init(asset: String, free: Money, locked: Money) {
            self.asset = asset
            self.free = free
            self.locked = locked
        }
    }

    /// The account's commission rates as fractions.
    public struct CommissionRates: Codable, Sendable, Equatable {
        public var maker: Money
        public var taker: Money
        public var buyer: Money
        public var seller: Money
    }

    public var makerCommission: Int
    public var takerCommission: Int
    public var buyerCommission: Int
    public var sellerCommission: Int
    public var commissionRates: CommissionRates
    public var canTrade: Bool
    public var canWithdraw: Bool
    public var canDeposit: Bool
    public var brokered: Bool
    public var requireSelfTradePrevention: Bool
    public var preventSor: Bool
    public var updateTime: Int64
    public var accountType: String
    public var balances: [Balance]
    public var permissions: [String]
    public var uid: Int64

    /// A spot account that can trade, with `feeRate` as maker and taker rate.
    public init(feeRate: Money, balances: [Balance], updateTime: Int64, uid: Int64) {
        // Binance's integer commissions are in basis points.
        let bps = Int(feeRate.multiplied(by: ExactDecimal(10_000), rounding: .halfEven).description) ?? 0
        makerCommission = bps
        takerCommission = bps
        buyerCommission = 0
        sellerCommission = 0
        commissionRates = CommissionRates(maker: feeRate, taker: feeRate, buyer: .zero, seller: .zero)
        canTrade = true
        canWithdraw = false
        canDeposit = false
        brokered = false
        requireSelfTradePrevention = false
        preventSor = false
        self.updateTime = updateTime
        accountType = "SPOT"
        self.balances = balances
        permissions = ["SPOT"]
        self.uid = uid
    }
}

/// The server time (`GET /api/v3/time`), unix ms.
public struct BinanceServerTime: Codable, Sendable, Equatable {
    public var serverTime: Int64

    /// Creates a server time.
    public init(serverTime: Int64) {
        self.serverTime = serverTime
    }
}

/// The best bid and ask of a symbol (`GET /api/v3/ticker/bookTicker`).
public struct BinanceBookTicker: Codable, Sendable, Equatable {
    public var symbol: String
    public var bidPrice: Price
    public var bidQty: Quantity
    public var askPrice: Price
    public var askQty: Quantity

    /// Creates a book ticker.
    public init(symbol: String, bidPrice: Price, bidQty: Quantity, askPrice: Price, askQty: Quantity) {
        self.symbol = symbol
        self.bidPrice = bidPrice
        self.bidQty = bidQty
        self.askPrice = askPrice
        self.askQty = askQty
    }
}
