import BusProtocol
import TradingModel

extension RiskEngine {
    /// The exposure of one symbol: spot, the holdings of the base asset; linear
    /// perpetuals, the signed position.
    func exposure(_ account: String, _ symbol: String) -> ExactDecimal {
        guard let pair = fold.pair(symbol) else { return .zero }
        switch pair.kind {
        case .spot: return fold.ledger.accounts[account]?.totals[pair.base] ?? .zero
        case .linearPerpetual: return fold.positions[account]?.qty(symbol) ?? .zero
        }
    }

    /// The exposure of every known symbol quoted in the valuation asset.
    func exposures(_ account: String) -> [String: ExactDecimal] {
        var result: [String: ExactDecimal] = [:]
        for (symbol, pair) in fold.pairs where pair.quote == configuration.valuationAsset {
            result[symbol] = exposure(account, symbol)
        }
        return result
    }

    /// Balances at the marks plus the unrealized P&L of perpetual positions; nil without any mark.
    func equity(_ account: String) -> ExactDecimal? {
        guard let totals = fold.ledger.accounts[account]?.totals, !marks.bySymbol.isEmpty else { return nil }
        guard var equity = marks.equity(totals: totals, valuation: configuration.valuationAsset) else { return nil }
        for (symbol, position) in fold.positions[account]?.bySymbol ?? [:] where fold.pair(symbol)?.kind == .linearPerpetual {
            guard let mid = marks.mid(symbol) else { continue }
            equity += position.qty.multiplied(by: mid - position.avgPrice, rounding: .halfEven)
        }
        return equity
    }

    /// Everything `risk.show` reports for one account.
    public func show(account: String) throws(ServiceError) -> AccountRisk {
        try requireAccount(account)
        var view = fold.view(account: account)
        view.positions = view.positions?.map { var p = $0; p.mark = marks.mid(p.symbol); return p }
        let curve = curves[account] ?? EquityCurve(initialCapital: nil)
        let factor = configuration.governor.profitModeFactor
        view.pnl = PnLView(
            valuationAsset: configuration.valuationAsset, equity: curve.equity, initialCapital: curve.initialCapital,
            dayOpen: curve.dayOpen, dayHigh: curve.dayHigh, dailyPnl: curve.dailyPnl,
            drawdown: curve.drawdown(profitFactor: factor), profitMode: curve.inProfitMode(factor: factor))
        return view
    }
}
