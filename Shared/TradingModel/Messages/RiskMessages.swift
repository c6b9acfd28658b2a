

/// The risk-service's message types.
public enum RiskAPI {
    public static let service = "risk-service"
    /// Approve and reserve: `RiskAuthorize` → `RiskDecision`.
    public static let authorize = "risk.authorize"
    /// Account state: `AccountRef` → `AccountRisk`.
    public static let show = "risk.show"
    /// The gateway reports every venue call's outcome (breaker input): `VenueOutcome` → `{}`.
    public static let venueOutcome = "risk.venue_outcome"
    /// Several venue outcomes of one account in one request, in the order they happened:
    /// `VenueOutcomeBatch` → `VenueOutcomeAck` (the breaker after the last).
    public static let venueOutcomes = "risk.venue_outcomes"
    /// Manual breaker trip (R2): `RiskTrip` → `BreakerView`; keyed by account, unkeyed for the global breaker.
    public static let trip = "risk.trip"
    /// Manual breaker reset (R2): `RiskReset` → `BreakerView`; keyed by account, unkeyed for the global breaker.
    public static let reset = "risk.reset"
    /// The event-plane topic prefix of risk alerts (`alert.risk.breaker`, `alert.risk.governor`).
    public static let alertTopic = "alert.risk."
    /// The kind of the margin-use alert (S4, a shared `Alert` under `alert.margin_use`).
    public static let marginUseAlert = "margin_use"
}

/// Request of `risk.venue_outcome`: how one venue call for an order went (R2 breaker input).
public struct VenueOutcome: Codable, Sendable, Equatable {
    /// The classification of a venue call's result.
    public enum Result: String, Codable, Sendable, Equatable {
        case ok, transient, permanent, fatal
    }

    public var account: String
    public var clientOrderId: String
    public var result: Result
    /// The venue's error code when the result is not `ok`.
    public var code: String?
    /// The error's reason when the result is not `ok` (e.g. `venue_ip_banned`); absent from
    /// gateways before it was added.
    public var reason: String?

    public init(account: String, clientOrderId: String, result: Result, code: String?, reason: String? = nil) {
        self.account = account
        self.clientOrderId = clientOrderId
        self.result = result
        self.code = code
        self.reason = reason
    }

    /// The reason of a venue's IP ban (Binance's HTTP 418): no call of the whole suite reaches
    /// the venue until it ends, so risk-service trips the global breaker at once.
    public static let ipBannedReason = "venue_ip_banned"

    enum CodingKeys: String, CodingKey {
        case account, result, code, reason
        case clientOrderId = "client_order_id"
    }
}

/// Request of `risk.venue_outcomes`: venue outcomes of ONE account (the request's key), in
/// the order they happened, at most `limit`.
public struct VenueOutcomeBatch: Codable, Sendable, Equatable {
    /// Outcomes per request at most.
    public static let limit = 256
    public var outcomes: [VenueOutcome]

    public init(outcomes: [VenueOutcome]) {
        self.outcomes = outcomes
    }
}

/// Request of `risk.authorize`: the order as the gateway will send it to the venue.
public struct RiskAuthorize: Codable, Sendable, Equatable {
    public var account: String
    public var clientOrderId: String
    public var symbol: String
    public var base: String
    public var quote: String
    public var side: Side
    public var type: OrderType
    public var qty: ExactDecimal
    /// The limit price the venue will get (for market orders: the slippage cap).
    public var price: ExactDecimal
    public var timeInForce: TimeInForce
    /// The client's `reduce_only`: refuse unless the order lowers the position without flipping it.
    public var reduceOnly: Bool?

    public init(
        account: String, clientOrderId: String, symbol: String, base: String, quote: String, side: Side,
        type: OrderType, qty: ExactDecimal, price: ExactDecimal, timeInForce: TimeInForce, reduceOnly: Bool? = nil
    ) {
        self.account = account
        self.clientOrderId = clientOrderId
        self.symbol = symbol
        self.base = base
        self.quote = quote
        self.side = side
        self.type = type
        self.qty = qty
        self.price = price
        self.timeInForce = timeInForce
        self.reduceOnly = reduceOnly
    }

    enum CodingKeys: String, CodingKey {
        case account, symbol, base, quote, side, type, qty, price
        case clientOrderId = "client_order_id"
        case timeInForce = "time_in_force"
        case reduceOnly = "reduce_only"
    }
}

/// Reply of `risk.authorize`: approved, with the reservation committed in the journal.
public struct RiskDecision: Codable, Sendable, Equatable {
    public var approved: Bool
    /// The quantity risk approved and journaled in the intent; the gateway sends exactly
    /// this (the governor's SOFT_BRAKE may halve the requested quantity).
    public var qty: ExactDecimal
    public var reserveAsset: String
    public var reserveAmount: ExactDecimal
    /// The journal seq of the order intent.
    public var intentSeq: Int64
    /// The order as the intent's commit projected it (the writer's `AppendAck.order`); nil
    /// from a writer or risk-service that does not send it.
    public var order: OrderView?
    /// True when the client_order_id was already used by an earlier order: `order` is that
    /// order as journaled, nothing new was reserved or journaled, and the gateway answers
    /// with it (after checking it is the same order) instead of placing anything.
    public var existing: Bool?

    public init(
        approved: Bool, qty: ExactDecimal, reserveAsset: String, reserveAmount: ExactDecimal, intentSeq: Int64,
        order: OrderView? = nil, existing: Bool? = nil
    ) {
        self.approved = approved
        self.qty = qty
        self.reserveAsset = reserveAsset
        self.reserveAmount = reserveAmount
        self.intentSeq = intentSeq
        self.order = order
        self.existing = existing
    }

    enum CodingKeys: String, CodingKey {
        case approved, qty, order, existing
        case reserveAsset = "reserve_asset"
        case reserveAmount = "reserve_amount"
        case intentSeq = "intent_seq"
    }
}

/// Reply of `risk.show`: per asset, total = available + reserved.
public struct AccountRisk: Codable, Sendable, Equatable {
    /// One asset's ledger line.
    public struct Balance: Codable, Sendable, Equatable {
        public var asset: String
        public var total: ExactDecimal
        public var reserved: ExactDecimal
        public var available: ExactDecimal

        public init(asset: String, total: ExactDecimal, reserved: ExactDecimal, available: ExactDecimal) {
            self.asset = asset
            self.total = total
            self.reserved = reserved
            self.available = available
        }
    }

    public var account: String
    public var balances: [Balance]
    public var openReservations: Int
    public var lastSeq: Int64
    /// The open reservations, by client_order_id.
    public var reservations: [ReservationView]?
    /// Positions per symbol (spot: holdings traded through the suite; perps: signed).
    public var positions: [PositionView]?
    /// Equity, daily P&L and drawdown at the current marks.
    public var pnl: PnLView?
    /// The account's circuit breaker.
    public var breaker: BreakerView?
    /// The global circuit breaker (applies to every account).
    public var globalBreaker: BreakerView?
    /// The account's risk governor.
    public var governor: GovernorView?
    /// Set while the account's books do not cover its facts (`ledger_divergence`): what
    /// broke them. The account takes no new orders until the venue's balances are adopted.
    public var divergence: String?

    public init(account: String, balances: [Balance], openReservations: Int, lastSeq: Int64) {
        self.account = account
        self.balances = balances
        self.openReservations = openReservations
        self.lastSeq = lastSeq
    }

    enum CodingKeys: String, CodingKey {
        case account, balances, reservations, positions, pnl, breaker, governor, divergence
        case openReservations = "open_reservations"
        case lastSeq = "last_seq"
        case globalBreaker = "global_breaker"
    }
}
