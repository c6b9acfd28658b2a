import BusProtocol
import TradingModel

/// The worst-case margin check (R6): the portfolio with the new order, under every
/// stress scenario; refused with `MARGIN` when the worst margin use exceeds
/// `maxUse` × equity.
///
/// Margin use of a scenario = Σ over legs of: margin requirement at the shocked price
/// (notional × the kind's margin rate), the loss the price move causes, and the cost
/// of exiting across the widened spread. Scenarios carry a volatility move that spot
/// and linear perpetuals ignore, so option legs (valued with their IV) slot in as a
/// new `InstrumentKind` case in `requirement` without changing the scenario set.
public struct MarginShock: Sendable, Equatable {
    /// One stress scenario.
    public struct Scenario: Sendable, Equatable {
        /// A name for messages, e.g. `price+0.03_spread×2`.
        public var name: String
        /// Fractional price move, e.g. 0.03 or −0.03.
        public var priceMove: ExactDecimal
        /// Spread multiplier, e.g. 1.5 or 2.
        public var spreadFactor: ExactDecimal
        /// Implied-volatility move (options only; none today).
        public var volatilityMove: ExactDecimal?
    }

    /// One position of the stressed portfolio.
    public struct Leg: Sendable, Equatable {
        /// The instrument.
        public var symbol: String
        /// Spot or linear perpetual (options later).
        public var kind: InstrumentKind
        /// Signed quantity (spot: holdings of the base asset).
        public var qty: ExactDecimal
        /// The current mark.
        public var mark: ExactDecimal
        /// Half the current spread.
        public var halfSpread: ExactDecimal

        /// Creates a leg.
        public init(symbol: String, kind: InstrumentKind, qty: ExactDecimal, mark: ExactDecimal, halfSpread: ExactDecimal) {
            self.symbol = symbol
            self.kind = kind
            self.qty = qty
            self.mark = mark
            self.halfSpread = halfSpread
        }
    }

    /// Price move ± (default 0.03).
    public var priceMove = ExactDecimal(units: 30_000_000_000)
    /// Spread multipliers (default 1.5 and 2).
    public var spreadFactors = [ExactDecimal(units: 1_500_000_000_000), ExactDecimal(2)]
    /// Refuse above this fraction of equity (default 0.9).
    public var maxUse = ExactDecimal(units: 900_000_000_000)
    /// Alert (`margin_use`, not a refusal) when an approved order leaves the worst case
    /// above this fraction of equity (default 0.85; see `MarginUseAlarm`).
    public var alertUse = ExactDecimal(units: 850_000_000_000)
    /// Margin rate of spot holdings (default 0: fully paid, only losses and exit costs count).
    public var spotMarginRate = ExactDecimal.zero
    /// Margin rate of linear perpetuals (default 0.1: 10× leverage).
    public var perpetualMarginRate = ExactDecimal(units: 100_000_000_000)

    /// The defaults of FEATURES.md R6.
    public init() {}

    /// Every scenario: price up and down, each with every spread factor.
    public var scenarios: [Scenario] {
        [priceMove, -priceMove].flatMap { move in
            spreadFactors.map { factor in
                Scenario(name: "price\(move.isNegative ? "" : "+")\(move)_spread×\(factor)", priceMove: move, spreadFactor: factor)
            }
        }
    }

    /// The worst scenario's margin use and its name.
    public func worstCase(_ legs: [Leg]) -> (use: ExactDecimal, scenario: String) {
        var worst: (use: ExactDecimal, scenario: String) = (.zero, "none")
        for scenario in scenarios {
            let use = legs.reduce(ExactDecimal.zero) { $0 + requirement($1, scenario) }
            if use > worst.use { worst = (use, scenario.name) }
        }
        return worst
    }

    /// Throws `MARGIN` when the worst case exceeds `maxUse` × equity; returns the worst
    /// case otherwise (for the `margin_use` alert).
    @discardableResult
    public func check(_ legs: [Leg], equity: ExactDecimal) throws(ServiceError) -> (use: ExactDecimal, scenario: String) {
        let worst = worstCase(legs)
        let allowed = equity.multiplied(by: maxUse, rounding: .down)
        guard worst.use > allowed || !equity.isPositive else { return worst }
        throw ServiceError(.margin, reason: "worst_case_margin",
            "worst-case margin use \(worst.use) (\(worst.scenario)) would exceed \(maxUse) of equity \(equity)")
    }

    /// One leg's margin use under one scenario.
    func requirement(_ leg: Leg, _ scenario: Scenario) -> ExactDecimal {
        let shocked = leg.mark + leg.mark.multiplied(by: scenario.priceMove, rounding: .halfEven)
        let size = leg.qty.abs
        let rate: ExactDecimal = switch leg.kind {
        case .spot: spotMarginRate
        case .linearPerpetual: perpetualMarginRate
        }
        let margin = size.multiplied(by: shocked, rounding: .up).multiplied(by: rate, rounding: .up)
        let pnl = leg.qty.multiplied(by: shocked - leg.mark, rounding: .down)
        let loss = pnl.isNegative ? -pnl : .zero
        let exit = size.multiplied(by: leg.halfSpread.multiplied(by: scenario.spreadFactor, rounding: .up), rounding: .up)
        return margin + loss + exit
    }
}
