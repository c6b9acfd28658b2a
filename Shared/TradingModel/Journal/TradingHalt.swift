/// The kill switch's halt of an account, or an operator's resume of it (`trading.halted`,
/// `trading.resumed`). The persistence-writer projects it (`trading_halts`) and, while
/// the account is halted, refuses every new order intent with `TRADING_HALTED`.
///
/// The halt lives in the journal, not in a gateway's memory: it survives every restart,
/// every gateway replica sees the same one, and because the writer orders all facts,
/// no intent can commit after the halt that stopped it (however many replicas race).
/// Orders the venue already holds are not new orders: the reconciler's adoption of an
/// order found at the venue (`OrderIntent.adoptedFactIdPrefix`) is journaled regardless.
public struct TradingHalt: Codable, Sendable, Equatable {
    /// Whether the account is halted from this fact on (false: resumed).
    public var halted: Bool
    /// Why: `kill_switch`, `operator_resume`, … (snake_case, journaled).
    public var reason: String
    /// The kill-switch operation that halted the account, if one did.
    public var operationId: String?

    /// Creates a halt (or a resume).
    public init(halted: Bool, reason: String, operationId: String? = nil) {
        self.halted = halted
        self.reason = reason
        self.operationId = operationId
    }

    /// The fact type: `trading.halted` or `trading.resumed`.
    public var factType: String { halted ? Self.haltedType : Self.resumedType }

    /// The type of a halt fact.
    public static let haltedType = "trading.halted"
    /// The type of a resume fact.
    public static let resumedType = "trading.resumed"

    enum CodingKeys: String, CodingKey {
        case halted, reason
        case operationId = "operation_id"
    }
}

extension OrderIntent {
    /// The fact-id prefix of an intent the reconciler journals for an order it found at the
    /// venue (`external:<account>:<client_order_id>`): not a new order, so a halt lets it in.
    public static let adoptedFactIdPrefix = "external:"
}
