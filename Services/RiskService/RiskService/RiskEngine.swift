import BusProtocol
import TradingModel

/// The risk-service's state: the ledger folded from the journal. An actor, so a
/// check and its reservation happen as one step (no check-then-act race).
public actor RiskEngine {
    private var ledger: Ledger
    private var pairs: [String: (base: String, quote: String)] = [:]
    public private(set) var lastSeq: Int64 = 0

    public init(ledger: Ledger) {
        self.ledger = ledger
    }

    /// Reserves for an order; throws the refusal (unknown account, insufficient balance).
    public func reserve(_ request: RiskAuthorize) throws(ServiceError) -> (asset: String, amount: ExactDecimal) {
        pairs[request.symbol] = (request.base, request.quote)
        guard let need = ledger.requirement(side: request.side, qty: request.qty, price: request.price, base: request.base, quote: request.quote) else {
            throw ServiceError(.limitExceeded, reason: "notional_overflow", "the order's notional is too large")
        }
        try ledger.reserve(account: request.account, clientOrderId: request.clientOrderId, asset: need.asset,
            amount: need.amount, side: request.side, qty: request.qty)
        return need
    }

    /// Undoes a reservation whose intent was not committed.
    public func release(account: String, clientOrderId: String) {
        ledger.release(account: account, clientOrderId: clientOrderId)
    }

    /// Folds one committed fact.
    public func apply(_ record: JournalRecord) {
        if case .orderIntent(let intent) = record.fact.payload, pairs[intent.symbol] == nil,
            let pair = Self.splitSymbol(intent.symbol)
        {
            pairs[intent.symbol] = pair
        }
        ledger.apply(record.fact) { symbol in pairs[symbol] ?? Self.splitSymbol(symbol) }
        lastSeq = record.seq
    }

    public func snapshot(account: String) throws(ServiceError) -> AccountRisk {
        guard let state = ledger.accounts[account] else {
            throw ServiceError(.unknownAccount, reason: "unknown_account", "account '\(account)' is not configured")
        }
        let assets = Set(state.totals.keys).union(state.reserved.keys).sorted()
        return AccountRisk(
            account: account,
            balances: assets.map {
                .init(asset: $0, total: state.totals[$0, default: .zero], reserved: state.reserved[$0, default: .zero], available: state.available($0))
            },
            openReservations: state.reservations.count,
            lastSeq: lastSeq)
    }

    /// The whole ledger (tests compare folds).
    public func currentLedger() -> Ledger { ledger }

    /// "BTC/USDT" → ("BTC", "USDT").
    static func splitSymbol(_ symbol: String) -> (base: String, quote: String)? {
        let parts = symbol.split(separator: "/")
        guard parts.count == 2 else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
}
