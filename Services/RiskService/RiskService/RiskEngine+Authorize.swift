import BusProtocol
import TradingModel

/// What risk approved: the quantity (the governor may have halved it) and the reservation.
public struct Approval: Sendable, Equatable {
    /// The approved quantity (SOFT_BRAKE: half the request).
    public var qty: ExactDecimal
    /// The asset reserved.
    public var asset: String
    /// The amount reserved, fees included.
    public var amount: ExactDecimal
    /// The `margin_use` alert this approval calls for (worst case above the alert
    /// threshold, not alerted for the account within the cooldown), or nil.
    public var marginAlert: MarginUseAlarm.Alert? = nil
    /// When it was approved (the engine's clock; a resent authorization: the first approval).
    public var at: Int64 = 0
    /// A reduce-only order that lowers its position, let through the breakers and the
    /// governor (journaled with the intent, so the writer lets it through too).
    public var closing = false
}

extension RiskEngine {
    /// Checks an order — breakers, governor, funds, limits, worst-case margin — and reserves
    /// for it in one step; throws the refusal with its code.
    public func authorize(_ request: RiskAuthorize) throws(ServiceError) -> Approval {
        let now = clock()
        try requireAccount(request.account)
        guard !configuration.requireReconciliation || reconciledAccounts.contains(request.account) else {
            throw ServiceError(.accountNotReconciled, reason: "account_not_reconciled", "account '\(request.account)' has not been reconciled with the venue yet")
        }
        if let held = fold.ledger.accounts[request.account]?.reservations[request.clientOrderId] {
            return Approval(qty: held.qty, asset: held.asset, amount: held.remaining, at: held.reservedAt)  // a resent authorization
        }
        if fold.pairs[request.symbol] == nil {
            fold.learn(symbol: request.symbol, base: request.base, quote: request.quote, kind: .spot)
        }
        let reducing = isReducing(request)
        if request.reduceOnly == true, !reducing {
            throw ServiceError(.limitExceeded, reason: "reduce_only_not_reducing",
                "reduce_only: a \(request.side.rawValue) of \(request.qty) \(request.symbol) would not lower the position without flipping it")
        }
        // A reduce-only order that lowers the position only takes risk away: the breakers and
        // the governor, which stop new risk, let it through (a stale position's close, or a
        // trader flattening in HARD_STOP, must not be blocked by the very stop it answers).
        let closing = request.reduceOnly == true && reducing
        if !closing { try checkBreaker(BreakerTransition.globalScope) }
        try fold.ledger.requireCovered(request.account)
        if !closing { try checkBreaker(request.account) }
        let qty = closing ? request.qty : try governedQty(request, reducing: reducing)
        guard let need = fold.ledger.requirement(side: request.side, qty: qty, price: request.price, base: request.base, quote: request.quote) else {
            throw ServiceError(.limitExceeded, reason: "notional_overflow", "the order's notional is too large")
        }
        // An order the balance cannot fund says so first; the limits and margin come next.
        if let available = fold.ledger.accounts[request.account]?.available(need.asset), available < need.amount {
            throw ServiceError(.insufficientBalance, reason: "insufficient_\(need.asset.lowercased())",
                "needs \(need.amount) \(need.asset), \(available) available")
        }
        let margin = try checkLimitsAndMargin(request, qty: qty, reducing: reducing)
        try fold.reserve(account: request.account, clientOrderId: request.clientOrderId, asset: need.asset,
            amount: need.amount, side: request.side, qty: qty, now: now, symbol: request.symbol)
        if !closing {
            _ = fold.withBreaker(BreakerTransition.globalScope) { $0.admit() }
            _ = fold.withBreaker(request.account) { $0.admit() }
        }
        let alert = margin.flatMap {
            marginAlarm.check(account: request.account, use: $0.use, scenario: $0.scenario, equity: $0.equity, now: now)
        }
        return Approval(qty: qty, asset: need.asset, amount: need.amount, marginAlert: alert, at: now, closing: closing)
    }

    private func checkBreaker(_ scope: String) throws(ServiceError) {
        guard let breaker = fold.breakers[scope], case .refuse(let reason) = breaker.peek() else { return }
        let name = scope == BreakerTransition.globalScope ? "the global breaker" : "the breaker of '\(scope)'"
        throw ServiceError(.breakerOpen, reason: reason, "\(name) is \(breaker.state.rawValue) (\(breaker.reason)): no new orders")
    }

    /// The quantity the governor allows: all (NORMAL), half (SOFT_BRAKE), reduce-only
    /// (QUARANTINE) or nothing (HARD_STOP).
    private func governedQty(_ request: RiskAuthorize, reducing: Bool) throws(ServiceError) -> ExactDecimal {
        switch fold.governors[request.account]?.level ?? .normal {
        case .normal:
            return request.qty
        case .softBrake:
            let lot = instruments[request.symbol]?.lotSize ?? ExactDecimal(units: 10_000)
            let half = request.qty.divided(by: ExactDecimal(2), rounding: .down).rounded(toIncrement: lot, .down)
            guard half.isPositive else {
                throw ServiceError(.governor, reason: "soft_brake_too_small", "SOFT_BRAKE halves orders; half of \(request.qty) is below one lot")
            }
            return half
        case .quarantine:
            guard reducing else {
                throw ServiceError(.governor, reason: "quarantine_reduce_only", "the account is in QUARANTINE: only orders that reduce a position pass")
            }
            return request.qty
        case .hardStop:
            throw ServiceError(.governor, reason: "hard_stop", "the account is in HARD_STOP: no orders")
        }
    }

    /// Whether the order lowers the symbol's exposure without flipping it, even once the
    /// account's open orders on the symbol in the same direction have filled (orders are
    /// pipelined: several may be approved before the first fills).
    func isReducing(_ request: RiskAuthorize) -> Bool {
        let open = fold.ledger.openQty(account: request.account, symbol: request.symbol)
        let held = exposure(request.account, request.symbol)
        let current = request.side == .sell ? held - open.sells : held + open.buys
        guard !current.isZero, request.qty <= current.abs else { return false }
        return current.isPositive ? request.side == .sell : request.side == .buy
    }

    /// Each symbol's exposure at its worst once every open order of the account (and the
    /// new one) fills: the larger of all buys filling and all sells filling. The limits and
    /// the margin check see this, not the held position alone, so pipelined orders that
    /// have not filled yet cannot together pass a limit each of them passes alone.
    func worstExposures(_ request: RiskAuthorize, qty: ExactDecimal) -> [String: ExactDecimal] {
        var worst = exposures(request.account)
        if worst[request.symbol] == nil { worst[request.symbol] = .zero }
        for (symbol, held) in worst {
            var open = fold.ledger.openQty(account: request.account, symbol: symbol)
            if symbol == request.symbol {
                if request.side == .buy { open.buys += qty } else { open.sells += qty }
            }
            let long = held + open.buys, short = held - open.sells
            worst[symbol] = long.abs >= short.abs ? long : short
        }
        return worst
    }

    /// Throws the limit or margin refusal; returns the worst case of a non-reducing order
    /// (nil when none was computed: a reducing order, or no valued equity).
    private func checkLimitsAndMargin(
        _ request: RiskAuthorize, qty: ExactDecimal, reducing: Bool
    ) throws(ServiceError) -> (use: ExactDecimal, scenario: String, equity: ExactDecimal)? {
        guard let orderNotional = qty.checkedMultiplied(by: request.price, rounding: .up) else {
            throw ServiceError(.limitExceeded, reason: "notional_overflow", "the order's notional is too large")
        }
        // A reducing order is judged on the position it lowers; any other at the worst case.
        var after: [String: ExactDecimal]
        if reducing {
            after = exposures(request.account)
            after[request.symbol, default: .zero] += request.side == .buy ? qty : -qty
        } else {
            after = worstExposures(request, qty: qty)
        }
        let mark = { (symbol: String) in self.marks.mid(symbol) ?? (symbol == request.symbol ? request.price : .zero) }
        let open = after.filter { !$0.value.isZero }
        let gross = open.reduce(ExactDecimal.zero) { $0 + $1.value.abs.multiplied(by: mark($1.key), rounding: .up) }
        let equity = equity(request.account)
        let proposal = Limits.Proposal(
            orderNotional: orderNotional,
            positionNotionalAfter: after[request.symbol, default: .zero].abs.multiplied(by: mark(request.symbol), rounding: .up),
            openOrdersBefore: fold.ledger.accounts[request.account]?.reservations.count ?? 0,
            openPositionsAfter: open.count, grossExposureAfter: gross, equity: equity)
        try configuration.limits(for: request.account).check(proposal, reducing: reducing)
        guard !reducing, let equity else { return nil }
        let legs = open.sorted { $0.key < $1.key }.map { symbol, qty in
            MarginShock.Leg(symbol: symbol, kind: fold.pair(symbol)?.kind ?? .spot, qty: qty, mark: mark(symbol), halfSpread: marks.halfSpread(symbol))
        }
        let worst = try configuration.margin.check(legs, equity: equity)
        return (worst.use, worst.scenario, equity)
    }
}
