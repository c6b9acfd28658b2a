import BusProtocol

/// A fact: an entry of the journal. It exists once the writer has committed it.
///
/// `id` is the fact's idempotency key (the journal's UNIQUE `msg_id`). Facts that
/// can be produced more than once by different paths (a fill seen on the stream
/// and in a reconciliation poll) get deterministic ids, so the journal keeps one.
public struct Fact: Codable, Sendable, Equatable {
    public var id: String
    public var account: String
    public var payload: FactPayload

    public init(id: String, account: String, payload: FactPayload) {
        self.id = id
        self.account = account
        self.payload = payload
    }

    /// The fact's type string, e.g. `order.intent` (the journal's `type` column).
    public var type: String { payload.type }

    enum CodingKeys: String, CodingKey { case id, type, account, payload }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        account = try c.decode(String.self, forKey: .account)
        let type = try c.decode(String.self, forKey: .type)
        payload = try FactPayload.decode(type: type, from: c.superDecoder(forKey: .payload))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(type, forKey: .type)
        try c.encode(account, forKey: .account)
        try payload.encodeBody(to: c.superEncoder(forKey: .payload))
    }
}

/// What a fact says. One case per fact type; the body is a plain value.
public enum FactPayload: Sendable, Equatable {
    /// Risk approved an order and reserved funds for it; recorded before any venue call.
    case orderIntent(OrderIntent)
    /// The venue acknowledged the order.
    case orderAccepted(OrderAccepted)
    /// A venue fill (trade); keyed by venue trade id.
    case fillRecorded(FillRecorded)
    /// The order reached a terminal state other than filled, or became unknown.
    case orderClosed(OrderClosed)
    /// A circuit breaker changed state (R7); `account` is the scope (`*` = global).
    case breakerTransition(BreakerTransition)
    /// An account's risk governor changed level (R7).
    case governorTransition(GovernorTransition)
    /// An account's equity baselines for the day moved (risk-service restores them on replay).
    case equityMark(EquityMark)
    /// A multi-step operation changed state in the operation log (P4).
    case operationRecorded(OperationRecorded)
    /// What the reconciler found and did (account ready, desync, force close).
    case reconciliation(ReconciliationEvent)
    /// An account was halted by the kill switch, or resumed by an operator.
    case tradingHalt(TradingHalt)

    /// The client_order_id of the order this payload is about (intent, accepted, fill,
    /// close), nil for facts that are not about one order.
    public var orderClientId: String? {
        switch self {
        case .orderIntent(let body): body.clientOrderId
        case .orderAccepted(let body): body.clientOrderId
        case .fillRecorded(let body): body.clientOrderId
        case .orderClosed(let body): body.clientOrderId
        default: nil
        }
    }

    public var type: String {
        switch self {
        case .orderIntent: "order.intent"
        case .orderAccepted: "order.accepted"
        case .fillRecorded: "fill.recorded"
        case .orderClosed(let closed): closed.factType
        case .breakerTransition: "breaker.transition"
        case .governorTransition: "governor.transition"
        case .equityMark: "risk.equity_mark"
        case .operationRecorded: "operation.recorded"
        case .reconciliation(let event): event.factType
        case .tradingHalt(let halt): halt.factType
        }
    }

    static func decode(type: String, from decoder: any Decoder) throws -> FactPayload {
        switch type {
        case "order.intent": return .orderIntent(try OrderIntent(from: decoder))
        case "order.accepted": return .orderAccepted(try OrderAccepted(from: decoder))
        case "fill.recorded": return .fillRecorded(try FillRecorded(from: decoder))
        case "order.canceled", "order.rejected", "order.expired", "order.unknown":
            return .orderClosed(try OrderClosed(from: decoder))
        case "breaker.transition": return .breakerTransition(try BreakerTransition(from: decoder))
        case "governor.transition": return .governorTransition(try GovernorTransition(from: decoder))
        case "risk.equity_mark": return .equityMark(try EquityMark(from: decoder))
        case "operation.recorded": return .operationRecorded(try OperationRecorded(from: decoder))
        case TradingHalt.haltedType, TradingHalt.resumedType:
            let halt = try TradingHalt(from: decoder)
            guard halt.halted == (type == TradingHalt.haltedType) else {
                throw ServiceError(.invalidRequest, reason: "halt_type_mismatch", "a '\(type)' fact must have halted = \(type == TradingHalt.haltedType)")
            }
            return .tradingHalt(halt)
        case _ where ReconciliationEvent.factTypes.contains(type):
            return .reconciliation(try ReconciliationEvent.decode(type: type, from: decoder))
        default:
            throw ServiceError(.unknownType, reason: "unknown_fact_type", "unknown fact type '\(type)'")
        }
    }

    func encodeBody(to encoder: any Encoder) throws {
        switch self {
        case .orderIntent(let body): try body.encode(to: encoder)
        case .orderAccepted(let body): try body.encode(to: encoder)
        case .fillRecorded(let body): try body.encode(to: encoder)
        case .orderClosed(let body): try body.encode(to: encoder)
        case .breakerTransition(let body): try body.encode(to: encoder)
        case .governorTransition(let body): try body.encode(to: encoder)
        case .equityMark(let body): try body.encode(to: encoder)
        case .operationRecorded(let body): try body.encode(to: encoder)
        case .reconciliation(let body): try body.encode(to: encoder)
        case .tradingHalt(let body): try body.encode(to: encoder)
        }
    }
}

/// An approved order and the funds reserved for it (one atomic fact).
public struct OrderIntent: Codable, Sendable, Equatable {
    public var clientOrderId: String
    public var symbol: String
    public var side: Side
    public var type: OrderType
    public var qty: ExactDecimal
    /// The limit price sent to the venue (for market orders: the slippage cap).
    public var price: ExactDecimal?
    public var timeInForce: TimeInForce
    /// The asset the reservation is held in (quote asset for buys, base for sells).
    public var reserveAsset: String
    /// The amount reserved, fees included.
    public var reserveAmount: ExactDecimal
    /// When risk approved it (risk-service's clock, unix nanoseconds): what a breaker's or the
    /// governor's transition is compared with (an approval made before a trip may commit after
    /// it). Nil for an external order and in intents journaled before the field existed.
    public var approvedAt: Int64?
    /// True for a reduce-only order that lowers its position: the breakers and the governor,
    /// which stop new risk, let it through (risk-service's judgment; the writer, which refuses
    /// other intents while a stop holds, lets it pass). Nil (omitted) for any other order.
    public var closing: Bool?

    public init(
        clientOrderId: String, symbol: String, side: Side, type: OrderType, qty: ExactDecimal,
        price: ExactDecimal?, timeInForce: TimeInForce, reserveAsset: String, reserveAmount: ExactDecimal,
        approvedAt: Int64? = nil, closing: Bool? = nil
    ) {
        self.clientOrderId = clientOrderId
        self.symbol = symbol
        self.side = side
        self.type = type
        self.qty = qty
        self.price = price
        self.timeInForce = timeInForce
        self.reserveAsset = reserveAsset
        self.reserveAmount = reserveAmount
        self.approvedAt = approvedAt
        self.closing = closing
    }

    enum CodingKeys: String, CodingKey {
        case symbol, side, type, qty, price, closing
        case clientOrderId = "client_order_id"
        case timeInForce = "time_in_force"
        case reserveAsset = "reserve_asset"
        case reserveAmount = "reserve_amount"
        case approvedAt = "approved_at"
    }
}

/// The venue acknowledged an order and gave it its id.
public struct OrderAccepted: Codable, Sendable, Equatable {
    public var clientOrderId: String
    public var venueOrderId: String

    public init(clientOrderId: String, venueOrderId: String) {
        self.clientOrderId = clientOrderId
        self.venueOrderId = venueOrderId
    }

    enum CodingKeys: String, CodingKey {
        case clientOrderId = "client_order_id"
        case venueOrderId = "venue_order_id"
    }
}

/// One venue trade against one of our orders.
public struct FillRecorded: Codable, Sendable, Equatable {
    public var clientOrderId: String
    public var venueOrderId: String
    /// The venue's trade id: unique per venue, the key that makes fills exactly-once.
    public var tradeId: String
    public var symbol: String
    public var side: Side
    public var qty: ExactDecimal
    public var price: ExactDecimal
    public var fee: ExactDecimal
    public var feeAsset: String
    /// Venue time of the trade, unix nanoseconds.
    public var ts: Int64

    public init(
        clientOrderId: String, venueOrderId: String, tradeId: String, symbol: String, side: Side,
        qty: ExactDecimal, price: ExactDecimal, fee: ExactDecimal, feeAsset: String, ts: Int64
    ) {
        self.clientOrderId = clientOrderId
        self.venueOrderId = venueOrderId
        self.tradeId = tradeId
        self.symbol = symbol
        self.side = side
        self.qty = qty
        self.price = price
        self.fee = fee
        self.feeAsset = feeAsset
        self.ts = ts
    }

    /// The deterministic fact id of a fill: the same trade always yields the same id.
    public static func factId(venue: String, tradeId: String) -> String { "fill:\(venue):\(tradeId)" }

    enum CodingKeys: String, CodingKey {
        case symbol, side, qty, price, fee, ts
        case clientOrderId = "client_order_id"
        case venueOrderId = "venue_order_id"
        case tradeId = "trade_id"
        case feeAsset = "fee_asset"
    }
}

/// An order left the live states (or became `unknown`), with the venue's reason.
public struct OrderClosed: Codable, Sendable, Equatable {
    public var clientOrderId: String
    /// One of `canceled`, `rejected`, `expired`, `unknown`.
    public var state: OrderState
    public var reason: String?

    public init(clientOrderId: String, state: OrderState, reason: String?) {
        precondition([.canceled, .rejected, .expired, .unknown].contains(state), "not a closing state: \(state)")
        self.clientOrderId = clientOrderId
        self.state = state
        self.reason = reason
    }

    var factType: String { "order.\(state.rawValue)" }

    enum CodingKeys: String, CodingKey {
        case state, reason
        case clientOrderId = "client_order_id"
    }
}
