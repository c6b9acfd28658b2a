/// Request of `risk.trip`: trip a breaker by hand. No account: the global breaker.
public struct RiskTrip: Codable, Sendable, Equatable {
    /// The account, or nil for the global breaker.
    public var account: String?
    /// Why, journaled with the transition (1–64 characters).
    public var reason: String

    /// Creates a trip request.
    public init(account: String?, reason: String) {
        self.account = account
        self.reason = reason
    }
}

/// Request of `risk.reset`: close a breaker by hand. No account: the global breaker.
public struct RiskReset: Codable, Sendable, Equatable {
    /// The account, or nil for the global breaker.
    public var account: String?

    /// Creates a reset request.
    public init(account: String?) {
        self.account = account
    }
}

/// A breaker as `risk.show`, `risk.trip` and `risk.reset` report it.
public struct BreakerView: Codable, Sendable, Equatable {
    /// The account, or `*` for the global breaker.
    public var scope: String
    /// The breaker's state.
    public var state: BreakerTransition.State
    /// The reason of the last transition (`none` before any).
    public var reason: String
    /// When the state was entered, unix nanoseconds (0 before any transition).
    public var since: Int64
    /// How many transitions the scope has had (the journal's count).
    public var transitions: Int64

    /// Creates a breaker view.
    public init(scope: String, state: BreakerTransition.State, reason: String, since: Int64, transitions: Int64) {
        self.scope = scope
        self.state = state
        self.reason = reason
        self.since = since
        self.transitions = transitions
    }
}

/// The governor as `risk.show` reports it.
public struct GovernorView: Codable, Sendable, Equatable {
    /// The governor's level.
    public var level: GovernorTransition.Level
    /// Why (the last transition's reason).
    public var reason: String
    /// When the state was entered, unix nanoseconds (0 before any transition).
    public var since: Int64
    /// How many transitions (the journal's count).
    public var transitions: Int64

    /// Creates a governor view.
    public init(level: GovernorTransition.Level, reason: String, since: Int64, transitions: Int64) {
        self.level = level
        self.reason = reason
        self.since = since
        self.transitions = transitions
    }
}

/// One open reservation as `risk.show` reports it.
public struct ReservationView: Codable, Sendable, Equatable {
    /// The order's client_order_id.
    public var clientOrderId: String
    /// The asset held.
    public var asset: String
    /// What is still held, fees included.
    public var remaining: ExactDecimal
    /// The quantity.
    public var qty: ExactDecimal
    /// The quantity filled so far.
    public var filled: ExactDecimal
    /// Whether the order's intent is committed in the journal (false: an orphan candidate).
    public var committed: Bool

    /// Creates a reservation view.
    public init(clientOrderId: String, asset: String, remaining: ExactDecimal, qty: ExactDecimal, filled: ExactDecimal, committed: Bool) {
        self.clientOrderId = clientOrderId
        self.asset = asset
        self.remaining = remaining
        self.qty = qty
        self.filled = filled
        self.committed = committed
    }

    enum CodingKeys: String, CodingKey {
        case asset, remaining, qty, filled, committed
        case clientOrderId = "client_order_id"
    }
}

/// One position as `risk.show` reports it.
public struct PositionView: Codable, Sendable, Equatable {
    /// The instrument.
    public var symbol: String
    /// Signed base quantity traded (buys minus sells).
    public var qty: ExactDecimal
    /// Average entry price of the open quantity.
    public var avgPrice: ExactDecimal
    /// P&L realized by reducing fills, fees included, in the quote asset.
    public var realizedPnl: ExactDecimal
    /// The latest mark (mid), if any.
    public var mark: ExactDecimal?

    /// Creates a position view.
    public init(symbol: String, qty: ExactDecimal, avgPrice: ExactDecimal, realizedPnl: ExactDecimal, mark: ExactDecimal?) {
        self.symbol = symbol
        self.qty = qty
        self.avgPrice = avgPrice
        self.realizedPnl = realizedPnl
        self.mark = mark
    }

    enum CodingKeys: String, CodingKey {
        case symbol, qty, mark
        case avgPrice = "avg_price"
        case realizedPnl = "realized_pnl"
    }
}

/// Equity and P&L in the valuation asset (docs/configuration.md: the day is the UTC day).
public struct PnLView: Codable, Sendable, Equatable {
    /// The asset the figures are in.
    public var valuationAsset: String
    /// Balances valued at the marks (assets without a mark are left out).
    public var equity: ExactDecimal?
    /// Configured, or the first equity valued since start.
    public var initialCapital: ExactDecimal?
    /// Equity at the start of the UTC day (or when first valued that day).
    public var dayOpen: ExactDecimal?
    /// The day's highest equity.
    public var dayHigh: ExactDecimal?
    /// equity − day open.
    public var dailyPnl: ExactDecimal?
    /// Fraction below the drawdown reference (day high, or initial capital in profit mode).
    public var drawdown: ExactDecimal?
    /// Whether profit mode measures drawdown from initial capital.
    public var profitMode: Bool

    /// Creates a P&L view.
    public init(
        valuationAsset: String, equity: ExactDecimal?, initialCapital: ExactDecimal?, dayOpen: ExactDecimal?,
        dayHigh: ExactDecimal?, dailyPnl: ExactDecimal?, drawdown: ExactDecimal?, profitMode: Bool
    ) {
        self.valuationAsset = valuationAsset
        self.equity = equity
        self.initialCapital = initialCapital
        self.dayOpen = dayOpen
        self.dayHigh = dayHigh
        self.dailyPnl = dailyPnl
        self.drawdown = drawdown
        self.profitMode = profitMode
    }

    enum CodingKeys: String, CodingKey {
        case equity, drawdown
        case valuationAsset = "valuation_asset"
        case initialCapital = "initial_capital"
        case dayOpen = "day_open"
        case dayHigh = "day_high"
        case dailyPnl = "daily_pnl"
        case profitMode = "profit_mode"
    }
}

/// Reply of `risk.venue_outcome`: what the breaker made of it.
public struct VenueOutcomeAck: Codable, Sendable, Equatable {
    /// The account breaker's state after the outcome.
    public var breaker: BreakerTransition.State

    /// Creates an ack.
    public init(breaker: BreakerTransition.State) {
        self.breaker = breaker
    }
}
