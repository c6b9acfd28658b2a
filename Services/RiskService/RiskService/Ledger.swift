import BusProtocol
import TradingModel

/// Per account and asset: total, reserved, and the open reservations by order (R1).
///
/// Two kinds of invariant, kept apart on purpose:
/// - reserved = Σ of the open reservations, each ≥ 0: the ledger's own bookkeeping. A
///   violation is a bug that would spend money twice: a precondition.
/// - 0 ≤ reserved ≤ total (available ≥ 0): what the facts should keep true. Facts come
///   from the venue and the journal, and a fill the ledger cannot cover (an order placed by
///   hand at the venue, a late execution, `BW_ACCOUNTS` changed under an old journal) is an
///   operating condition, not a bug: the fact is folded as it is (the venue did move the
///   money), the account is marked divergent, and risk-service refuses its new orders and
///   trips its breaker (`ledger_divergence`) until the venue's balances are adopted. A
///   precondition here crashed risk-service, and every restart replayed the same fact.
public struct Ledger: Sendable, Equatable {
    /// Why an account's books stopped agreeing with the facts (the first fact that broke them).
    public struct Divergence: Sendable, Equatable {
        /// The asset whose books broke.
        public var asset: String
        /// What broke, for people: the totals and what caused it.
        public var detail: String
    }

    /// The funds held for one order until it fills or closes.
    public struct Reservation: Sendable, Equatable {
        /// The asset held (quote for buys, base for sells).
        public var asset: String
        /// What is still held, fees included.
        public var remaining: ExactDecimal
        /// The order's side.
        public var side: Side
        /// The order's approved quantity.
        public var qty: ExactDecimal
        /// The quantity filled so far.
        public var filled: ExactDecimal
        /// Whether the order's intent is in the journal (false: held by a live approval only).
        public var committed: Bool
        /// When it was made, unix nanoseconds (orphans are released after a timeout).
        public var reservedAt: Int64
        /// The order's symbol, so limits can count the open order at its worst (nil when
        /// the reservation was made without one).
        public var symbol: String? = nil

        /// What is not filled yet, never below zero (an overfill leaves nothing open).
        public var unfilled: ExactDecimal { filled >= qty ? .zero : qty - filled }
    }

    /// One account's balances and reservations.
    public struct Account: Sendable, Equatable {
        /// Total per asset (available + reserved).
        public var totals: [String: ExactDecimal]
        /// Reserved per asset: Σ of the open reservations.
        public var reserved: [String: ExactDecimal] = [:]
        /// Open reservations by client_order_id.
        public var reservations: [String: Reservation] = [:]
        /// Set when a fact left the books uncovered (available < 0 or total < 0); the account
        /// takes no new orders while set. Cleared only by adopting the venue's balances.
        public var divergence: Divergence?

        /// total − reserved.
        public func available(_ asset: String) -> ExactDecimal {
            totals[asset, default: .zero] - reserved[asset, default: .zero]
        }
    }

    /// Every configured account.
    public private(set) var accounts: [String: Account]
    /// The fee rate reserved for on buys.
    public let feeRate: ExactDecimal

    /// A ledger with the configured starting balances.
    public init(startingBalances: [String: [String: ExactDecimal]], feeRate: ExactDecimal) {
        accounts = startingBalances.mapValues { Account(totals: $0) }
        self.feeRate = feeRate
    }

    /// What an order must hold: the quote notional plus fees for a buy, the base quantity for a sell.
    public func requirement(side: Side, qty: ExactDecimal, price: ExactDecimal, base: String, quote: String) -> (asset: String, amount: ExactDecimal)? {
        switch side {
        case .sell:
            return (base, qty)
        case .buy:
            guard let notional = qty.checkedMultiplied(by: price, rounding: .up),
                let fee = notional.checkedMultiplied(by: feeRate, rounding: .up)
            else { return nil }
            return (quote, notional + fee)
        }
    }

    /// Reserves funds for an order, or says why not. Reserving again for the same
    /// order is a no-op (a resent authorization).
    public mutating func reserve(
        account: String, clientOrderId: String, asset: String, amount: ExactDecimal, side: Side, qty: ExactDecimal,
        committed: Bool = false, now: Int64 = 0, symbol: String? = nil
    ) throws(ServiceError) {
        guard var state = accounts[account] else {
            throw ServiceError(.unknownAccount, reason: "unknown_account", "account '\(account)' is not configured")
        }
        if state.reservations[clientOrderId] != nil { return }
        try requireCovered(account)
        guard !amount.isNegative, state.available(asset) >= amount else {
            throw ServiceError(.insufficientBalance, reason: "insufficient_\(asset.lowercased())",
                "needs \(amount) \(asset), \(state.available(asset)) available")
        }
        state.reservations[clientOrderId] = Reservation(
            asset: asset, remaining: amount, side: side, qty: qty, filled: .zero, committed: committed, reservedAt: now, symbol: symbol)
        state.reserved[asset, default: .zero] += amount
        accounts[account] = checked(state)
    }

    /// Throws BREAKER_OPEN / `ledger_divergence` for an account whose books a fact left
    /// uncovered: no new order may spend from books that are known to be wrong.
    public func requireCovered(_ account: String) throws(ServiceError) {
        guard let divergence = accounts[account]?.divergence else { return }
        throw ServiceError(.breakerOpen, reason: "ledger_divergence",
            "the books of '\(account)' no longer cover its facts (\(divergence.detail)): no new orders until the venue's balances are adopted")
    }

    /// The unfilled quantity of the account's open orders on `symbol`, per side: what its
    /// position may still become (limits count it as the worst case).
    public func openQty(account: String, symbol: String) -> (buys: ExactDecimal, sells: ExactDecimal) {
        var buys = ExactDecimal.zero, sells = ExactDecimal.zero
        for reservation in accounts[account]?.reservations.values ?? [:].values where reservation.symbol == symbol {
            if reservation.side == .buy { buys += reservation.unfilled } else { sells += reservation.unfilled }
        }
        return (buys, sells)
    }

    /// Gives back what is left of an order's reservation.
    public mutating func release(account: String, clientOrderId: String) {
        guard var state = accounts[account], let reservation = state.reservations.removeValue(forKey: clientOrderId) else { return }
        state.reserved[reservation.asset, default: .zero] -= reservation.remaining
        accounts[account] = checked(state)
    }

    /// Releases live approvals whose intent never reached the journal, made at or before
    /// `cutoff`; returns them as (account, client_order_id).
    public mutating func releaseOrphans(madeAtOrBefore cutoff: Int64) -> [(account: String, clientOrderId: String)] {
        var orphans: [(account: String, clientOrderId: String)] = []
        for (account, state) in accounts {
            for (id, reservation) in state.reservations where !reservation.committed && reservation.reservedAt <= cutoff {
                orphans.append((account, id))
            }
        }
        for orphan in orphans { release(account: orphan.account, clientOrderId: orphan.clientOrderId) }
        return orphans
    }

    /// Books a fill: balances move, the reservation follows `ReservationFold` (the trade's
    /// cost in the held asset, fees included; released once the trades reach the order's
    /// quantity). A fill the books
    /// cannot cover is booked all the same and marks the account divergent.
    public mutating func fill(account: String, _ fill: FillRecorded, base: String, quote: String) {
        guard var state = accounts[account] else { return }
        let notional = fill.qty.multiplied(by: fill.price, rounding: .halfEven)
        let (spentAsset, spent, gotAsset, got): (String, ExactDecimal, String, ExactDecimal) = switch fill.side {
        case .buy: (quote, notional + (fill.feeAsset == quote ? fill.fee : .zero), base, fill.qty - (fill.feeAsset == base ? fill.fee : .zero))
        case .sell: (base, fill.qty, quote, notional - (fill.feeAsset == quote ? fill.fee : .zero))
        }
        var closes = false
        if var reservation = state.reservations[fill.clientOrderId] {
            // The shared rule (`ReservationFold`), over what is still held.
            var rule = ReservationFold(
                asset: reservation.asset, amount: reservation.remaining, side: reservation.side, qty: reservation.qty,
                filled: reservation.filled)
            rule.fill(fill)
            reservation.remaining -= rule.consumed
            reservation.filled = rule.filled
            state.reserved[reservation.asset, default: .zero] -= rule.consumed
            state.reservations[fill.clientOrderId] = reservation
            closes = !rule.isOpen
        }
        state.totals[spentAsset, default: .zero] -= spent
        state.totals[gotAsset, default: .zero] += got
        accounts[account] = checked(state, cause: "fill \(fill.tradeId) of \(fill.clientOrderId)")
        if closes { release(account: account, clientOrderId: fill.clientOrderId) }
    }

    /// Folds one committed fact into the ledger (used for live facts and replays alike).
    public mutating func apply(_ fact: Fact, at now: Int64, instruments: (String) -> (base: String, quote: String)?) {
        switch fact.payload {
        case .orderIntent(let intent):
            if var state = accounts[fact.account], state.reservations[intent.clientOrderId] != nil {
                state.reservations[intent.clientOrderId]?.committed = true
                accounts[fact.account] = checked(state)
            } else {
                // A replayed intent re-creates its reservation; a live one is already held.
                reserveCommitted(account: fact.account, intent, now: now)
            }
        case .fillRecorded(let fill):
            guard let pair = instruments(fill.symbol) else { return }
            self.fill(account: fact.account, fill, base: pair.base, quote: pair.quote)
        case .orderClosed(let closed) where closed.state != .unknown:
            release(account: fact.account, clientOrderId: closed.clientOrderId)
        case .reconciliation(.balanceAdopted(let adopted)):
            adopt(account: fact.account, asset: adopted.asset, total: adopted.venueTotal)
        case .reconciliation(.orderReopened(let reopened)):
            holdReopened(account: fact.account, reopened, now: now)
        default:
            break  // accepted orders, unknown orders, risk transitions and later fact types move no balance
        }
    }

    /// The venue's total of an asset becomes the account's (the venue is the truth for
    /// balances); what is reserved stays reserved. The books are judged afresh: adopting
    /// clears a divergence the venue's figures cover, and marks one they do not.
    mutating func adopt(account: String, asset: String, total: ExactDecimal) {
        guard var state = accounts[account] else { return }
        state.totals[asset] = total
        state.divergence = nil
        accounts[account] = checked(state, cause: "the venue's \(asset) total \(total)")
    }

    /// Re-creates the reservation of a committed intent (a replay, or an intent another
    /// replica approved). The journal says these funds are held for a live order, so it is
    /// recorded even when it does not fit; the account is then divergent, never dropped in
    /// silence. An account that is not configured has no books to hold it in.
    mutating func reserveCommitted(account: String, _ intent: OrderIntent, now: Int64) {
        holdCommitted(
            account: account, clientOrderId: intent.clientOrderId, asset: intent.reserveAsset, amount: intent.reserveAmount,
            side: intent.side, qty: intent.qty, symbol: intent.symbol, now: now, cause: "the committed reservation of \(intent.clientOrderId)")
    }

    /// Holds the cost of an order the venue has after the journal gave up on it
    /// (`order.reopened`). Like a committed intent it is held even when it does not fit:
    /// the venue already holds those funds, so the account is then divergent.
    mutating func holdReopened(account: String, _ reopened: OrderReopened, now: Int64) {
        holdCommitted(
            account: account, clientOrderId: reopened.clientOrderId, asset: reopened.reserveAsset, amount: reopened.reserveAmount,
            side: reopened.side, qty: reopened.qty, symbol: reopened.symbol, now: now, cause: "the reopened order \(reopened.clientOrderId)")
    }

    /// A reservation the journal says is held, recorded whether or not it fits (once per order).
    private mutating func holdCommitted(
        account: String, clientOrderId: String, asset: String, amount: ExactDecimal, side: Side, qty: ExactDecimal,
        symbol: String, now: Int64, cause: String
    ) {
        guard var state = accounts[account], state.reservations[clientOrderId] == nil, !amount.isNegative else { return }
        state.reservations[clientOrderId] = Reservation(
            asset: asset, remaining: amount, side: side, qty: qty, filled: .zero, committed: true, reservedAt: now, symbol: symbol)
        state.reserved[asset, default: .zero] += amount
        accounts[account] = checked(state, cause: cause)
    }

    /// The identity, checked after every change: the bookkeeping by precondition, the
    /// cover by marking the account divergent (see the type's comment).
    private func checked(_ state: Account, cause: @autoclosure () -> String = "a change") -> Account {
        var state = state
        var held: [String: ExactDecimal] = [:]
        for reservation in state.reservations.values {
            precondition(!reservation.remaining.isNegative, "ledger: negative remaining reservation")
            held[reservation.asset, default: .zero] += reservation.remaining
        }
        var uncovered: String?
        for asset in Set(state.totals.keys).union(state.reserved.keys) {
            let total = state.totals[asset, default: .zero], reserved = state.reserved[asset, default: .zero]
            precondition(!reserved.isNegative, "ledger: negative reservation of \(asset)")
            precondition(reserved == held[asset, default: .zero], "ledger: \(asset) reserved \(reserved) ≠ Σ reservations")
            if total.isNegative || reserved > total, uncovered.map({ asset < $0 }) ?? true { uncovered = asset }
        }
        // The first uncovered asset by name, so two folds of the same facts name the same one.
        if state.divergence == nil, let asset = uncovered {
            let total = state.totals[asset, default: .zero], reserved = state.reserved[asset, default: .zero]
            state.divergence = Divergence(asset: asset, detail: "\(cause()) left \(asset) at total \(total), reserved \(reserved)")
        }
        return state
    }
}
