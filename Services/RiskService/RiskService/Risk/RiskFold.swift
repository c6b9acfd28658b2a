import BusProtocol
import TradingModel

/// The risk state that is a fold over the journal: balances and reservations,
/// positions, breakers, governors, and the orders still waiting for a venue answer.
/// Replaying the same facts gives the same fold (what survives a kill -9).
public struct RiskFold: Sendable, Equatable {
    /// Balances and reservations.
    public private(set) var ledger: Ledger
    /// Positions per account.
    public private(set) var positions: [String: PositionBook] = [:]
    /// Breakers per scope (accounts and `*`).
    public private(set) var breakers: [String: Breaker] = [:]
    /// Governors per account.
    public private(set) var governors: [String: Governor] = [:]
    /// Approved orders with no venue answer yet (accepted, fill or close), per account: "in flight".
    public private(set) var awaitingVenue: [String: Set<String>] = [:]
    /// base/quote per symbol, learned from the instrument catalogue and from intents.
    public private(set) var pairs: [String: Pair] = [:]
    /// The seq of the last folded record.
    public private(set) var lastSeq: Int64 = 0

    /// A symbol's assets and kind.
    public struct Pair: Sendable, Equatable {
        /// The asset bought or sold.
        public var base: String
        /// The asset prices are in.
        public var quote: String
        /// Spot or linear perpetual.
        public var kind: InstrumentKind
    }

    /// What folding one fact did that the live engine reacts to.
    public struct Effect: Sendable {
        /// (account, realized P&L) of a reducing fill.
        public var trade: (account: String, realized: ExactDecimal)?
        /// The account this fact left divergent (its books no longer cover its facts).
        public var diverged: (account: String, divergence: Ledger.Divergence)?
    }

    /// An empty fold over the configured accounts.
    public init(ledger: Ledger, breaker: Breaker.Settings, governor: Governor.Settings) {
        self.ledger = ledger
        for account in ledger.accounts.keys {
            breakers[account] = Breaker(scope: account, settings: breaker)
            governors[account] = Governor(account: account, settings: governor)
        }
        breakers[BreakerTransition.globalScope] = Breaker(scope: BreakerTransition.globalScope, settings: breaker)
    }

    /// Learns an instrument.
    public mutating func learn(symbol: String, base: String, quote: String, kind: InstrumentKind) {
        pairs[symbol] = Pair(base: base, quote: quote, kind: kind)
    }

    /// Folds one committed record.
    @discardableResult
    public mutating func apply(_ record: JournalRecord) -> Effect {
        guard record.seq > lastSeq else { return Effect() }
        lastSeq = record.seq
        return apply(record.fact, at: record.ts)
    }

    /// Folds one fact (`at`: its commit time, unix nanoseconds).
    @discardableResult
    public mutating func apply(_ fact: Fact, at now: Int64) -> Effect {
        var effect = Effect()
        switch fact.payload {
        case .orderIntent(let intent):
            if pairs[intent.symbol] == nil, let split = Self.splitSymbol(intent.symbol) {
                pairs[intent.symbol] = Pair(base: split.base, quote: split.quote, kind: .spot)
            }
            if ledger.accounts[fact.account]?.reservations[intent.clientOrderId] == nil {
                awaitingVenue[fact.account, default: []].insert(intent.clientOrderId)
            }
        case .fillRecorded(let fill):
            awaitingVenue[fact.account]?.remove(fill.clientOrderId)
            if let pair = pair(fill.symbol), let realized = positions[fact.account, default: PositionBook()].apply(fill, quote: pair.quote) {
                effect.trade = (fact.account, realized)
            }
        case .reconciliation(.positionAdjusted(let adjusted)):
            positions[fact.account, default: PositionBook()].adjust(adjusted.symbol, by: adjusted.delta, price: adjusted.price)
        case .breakerTransition(let transition):
            breakers[fact.account]?.apply(transition)
        case .governorTransition(let transition):
            governors[fact.account]?.apply(transition)
        default:
            break  // answers are below; other fact types (e.g. the operation log) are not folded here
        }
        if let answered = Self.venueAnswer(fact.payload) { awaitingVenue[fact.account]?.remove(answered) }
        let known = pairs
        let wasDivergent = ledger.accounts[fact.account]?.divergence != nil
        ledger.apply(fact, at: now) { symbol in
            (known[symbol].map { ($0.base, $0.quote) }) ?? Self.splitSymbol(symbol)
        }
        if !wasDivergent, let divergence = ledger.accounts[fact.account]?.divergence {
            effect.diverged = (fact.account, divergence)
        }
        return effect
    }

    /// The order a venue answer (accepted, or closed in any way) is about: it is no longer in flight.
    static func venueAnswer(_ payload: FactPayload) -> String? {
        if case .orderAccepted(let accepted) = payload { return accepted.clientOrderId }
        if case .orderClosed(let closed) = payload { return closed.clientOrderId }
        return nil
    }

    /// The base/quote of a symbol: known, or split from `BASE/QUOTE`.
    public func pair(_ symbol: String) -> Pair? {
        pairs[symbol] ?? Self.splitSymbol(symbol).map { Pair(base: $0.base, quote: $0.quote, kind: .spot) }
    }

    /// "BTC/USDT" → ("BTC", "USDT").
    static func splitSymbol(_ symbol: String) -> (base: String, quote: String)? {
        let parts = symbol.split(separator: "/")
        guard parts.count == 2 else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    // MARK: Live changes (the engine's, between facts)

    /// Reserves for a live approval and marks the order in flight.
    mutating func reserve(account: String, clientOrderId: String, asset: String, amount: ExactDecimal, side: Side, qty: ExactDecimal, now: Int64, symbol: String? = nil) throws(ServiceError) {
        try ledger.reserve(account: account, clientOrderId: clientOrderId, asset: asset, amount: amount, side: side, qty: qty, committed: false, now: now, symbol: symbol)
        awaitingVenue[account, default: []].insert(clientOrderId)
    }

    /// Undoes a live approval whose intent did not commit.
    mutating func release(account: String, clientOrderId: String) {
        ledger.release(account: account, clientOrderId: clientOrderId)
        awaitingVenue[account]?.remove(clientOrderId)
    }

    /// Releases orphans (uncommitted approvals made at or before `cutoff`).
    mutating func releaseOrphans(madeAtOrBefore cutoff: Int64) -> Int {
        let orphans = ledger.releaseOrphans(madeAtOrBefore: cutoff)
        for orphan in orphans { awaitingVenue[orphan.account]?.remove(orphan.clientOrderId) }
        return orphans.count
    }

    /// A venue answer arrived for an order (it is no longer in flight).
    mutating func venueAnswered(account: String, clientOrderId: String) {
        awaitingVenue[account]?.remove(clientOrderId)
    }

    /// Runs a change on a breaker (nil for an unknown scope).
    mutating func withBreaker<T>(_ scope: String, _ change: (inout Breaker) -> T?) -> T? {
        guard var breaker = breakers[scope] else { return nil }
        defer { breakers[scope] = breaker }
        return change(&breaker)
    }

    /// Runs a change on a governor (nil for an unknown account).
    mutating func withGovernor<T>(_ account: String, _ change: (inout Governor) -> T?) -> T? {
        guard var governor = governors[account] else { return nil }
        defer { governors[account] = governor }
        return change(&governor)
    }
}
