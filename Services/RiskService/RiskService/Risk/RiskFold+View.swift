import TradingModel

extension RiskFold {
    /// The folded state of one account as `risk.show` reports it (without P&L, which
    /// depends on live marks). Two folds of the same journal give equal views.
    public func view(account: String) -> AccountRisk {
        let state = ledger.accounts[account] ?? Ledger.Account(totals: [:])
        let assets = Set(state.totals.keys).union(state.reserved.keys).sorted()
        var view = AccountRisk(
            account: account,
            balances: assets.map {
                .init(asset: $0, total: state.totals[$0, default: .zero], reserved: state.reserved[$0, default: .zero], available: state.available($0))
            },
            openReservations: state.reservations.count,
            lastSeq: lastSeq)
        view.reservations = state.reservations.sorted { $0.key < $1.key }.map { id, r in
            ReservationView(clientOrderId: id, asset: r.asset, remaining: r.remaining, qty: r.qty, filled: r.filled, committed: r.committed)
        }
        view.positions = (positions[account]?.bySymbol ?? [:]).sorted { $0.key < $1.key }.map { symbol, p in
            PositionView(symbol: symbol, qty: p.qty, avgPrice: p.avgPrice, realizedPnl: p.realized, mark: nil)
        }
        view.breaker = breakers[account]?.view
        view.globalBreaker = breakers[BreakerTransition.globalScope]?.view
        view.governor = governors[account]?.view
        view.divergence = state.divergence.map(\.detail)
        return view
    }
}
