import BusProtocol
import TradingModel

/// An account's hard limits (R5), from configuration. Each refuses with
/// `LIMIT_EXCEEDED` and its own `reason`.
public struct Limits: Sendable, Equatable {
    /// Largest qty × price of one order, in the valuation asset.
    public var maxOrderNotional = ExactDecimal(1_000_000)
    /// Largest |exposure| × mark of one symbol after the order.
    public var maxPositionNotional = ExactDecimal(5_000_000)
    /// Open orders (approved, not yet terminal) the account may have.
    public var maxOpenOrders = 1_000
    /// Symbols with non-zero exposure after the order.
    public var maxOpenPositions = 50
    /// Gross exposure / equity after the order.
    public var maxLeverage = ExactDecimal(10)

    /// The defaults (docs/configuration.md).
    public init() {}

    /// What the limits look at: the account as it would be with the order.
    public struct Proposal: Sendable, Equatable {
        /// qty × price of the order.
        public var orderNotional: ExactDecimal
        /// |exposure| × mark of the order's symbol with the order.
        public var positionNotionalAfter: ExactDecimal
        /// Open orders before this one.
        public var openOrdersBefore: Int
        /// Symbols with non-zero exposure with the order.
        public var openPositionsAfter: Int
        /// Σ |exposure| × mark with the order.
        public var grossExposureAfter: ExactDecimal
        /// The account's equity (nil before marks: leverage is not checked).
        public var equity: ExactDecimal?

        /// Creates a proposal.
        public init(
            orderNotional: ExactDecimal, positionNotionalAfter: ExactDecimal, openOrdersBefore: Int,
            openPositionsAfter: Int, grossExposureAfter: ExactDecimal, equity: ExactDecimal?
        ) {
            self.orderNotional = orderNotional
            self.positionNotionalAfter = positionNotionalAfter
            self.openOrdersBefore = openOrdersBefore
            self.openPositionsAfter = openPositionsAfter
            self.grossExposureAfter = grossExposureAfter
            self.equity = equity
        }
    }

    /// Throws the first limit the proposal breaks. `reducing` orders are not held to the
    /// position, positions-count and leverage limits (they lower exposure).
    public func check(_ p: Proposal, reducing: Bool) throws(ServiceError) {
        if p.orderNotional > maxOrderNotional {
            throw refuse("max_order_notional", "order notional \(p.orderNotional) exceeds \(maxOrderNotional)")
        }
        if p.openOrdersBefore >= maxOpenOrders {
            throw refuse("max_open_orders", "\(p.openOrdersBefore) orders open, the limit is \(maxOpenOrders)")
        }
        if reducing { return }
        if p.positionNotionalAfter > maxPositionNotional {
            throw refuse("max_position", "position notional \(p.positionNotionalAfter) would exceed \(maxPositionNotional)")
        }
        if p.openPositionsAfter > maxOpenPositions {
            throw refuse("max_open_positions", "\(p.openPositionsAfter) open positions would exceed \(maxOpenPositions)")
        }
        if let equity = p.equity {
            let allowed = equity.multiplied(by: maxLeverage, rounding: .down)
            if !equity.isPositive || p.grossExposureAfter > allowed {
                throw refuse("max_leverage", "gross exposure \(p.grossExposureAfter) would exceed \(maxLeverage)× equity \(equity)")
            }
        }
    }

    private func refuse(_ reason: String, _ message: String) -> ServiceError {
        ServiceError(.limitExceeded, reason: reason, message)
    }
}
