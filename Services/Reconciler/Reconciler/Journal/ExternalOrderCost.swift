import TradingModel
import VenueKit

/// What an adopted external order holds, in its reservation asset.
///
/// A working order holds what its fills consumed (as the writer's projection counts
/// it: notional plus a fee in the same asset) plus what its unfilled rest may still
/// cost at its limit, so risk sees the funds the venue has locked. A finished order
/// holds nothing: the suite never authorized it and it can spend no more (its fills
/// are journaled as venue truth; a reservation the fills would have to release could
/// stay held forever when the fills were journaled before the adoption).
enum ExternalOrderCost {
    /// The fee's precision at the venue: multiples of 10^-8.
    static let feeIncrement = ExactDecimal(units: 10_000)

    /// The reservation of `order`: quote asset for a buy, base quantity for a sell.
    static func reservation(of order: VenueOrder, feeRate: ExactDecimal) -> ExactDecimal {
        guard !order.status.isTerminal else { return .zero }
        guard order.side == .buy else { return order.qty }
        var total = order.fills.reduce(ExactDecimal.zero) { sum, fill in
            sum + fill.qty.multiplied(by: fill.price, rounding: .halfEven) + fill.fee
        }
        let remaining = order.qty - order.filledQty
        if remaining.isPositive, !order.status.isTerminal, let price = order.price {
            let notional = remaining.multiplied(by: price, rounding: .up)
            total += notional + notional.multiplied(by: feeRate, rounding: .up).rounded(toIncrement: feeIncrement, .up)
        }
        return total
    }
}
