import TradingModel

/// One row of the `positions` projection: what an account holds of one instrument,
/// folded from its venue fills (every fill, whether or not the order is known).
///
/// `qty` is signed (negative = short); `avgPrice` is the average entry price of the
/// open quantity (half-even, 12 digits), nil when flat; `realizedPnl` is the quote
/// amount realized by closing quantity, before fees (fees are in `fills`).
public struct PositionRow: Codable, Sendable, Equatable {
    /// The account holding the position.
    public var account: String
    /// The instrument.
    public var symbol: String
    /// Signed quantity: negative is short.
    public var qty: ExactDecimal
    /// Average entry price of the open quantity; nil when flat.
    public var avgPrice: ExactDecimal?
    /// Realized by closing quantity, in the quote asset, before fees.
    public var realizedPnl: ExactDecimal
    /// Venue time (unix ns) of the fill that opened the current position; nil when flat.
    public var openedTs: Int64?

    /// Creates a position row.
    public init(
        account: String, symbol: String, qty: ExactDecimal = .zero, avgPrice: ExactDecimal? = nil,
        realizedPnl: ExactDecimal = .zero, openedTs: Int64? = nil
    ) {
        self.account = account
        self.symbol = symbol
        self.qty = qty
        self.avgPrice = avgPrice
        self.realizedPnl = realizedPnl
        self.openedTs = openedTs
    }

    /// Folds one fill: a fill in the direction of the position (or from flat) grows
    /// it at a new average; one against it closes up to the open quantity, realizing
    /// `closed × (price − avg)` (sign by side), and any rest opens the other way at
    /// the fill's price.
    public mutating func fold(side: Side, qty fillQty: ExactDecimal, price: ExactDecimal, ts: Int64) {
        let signed = side == .buy ? fillQty : -fillQty
        if qty.isZero || qty.isNegative == signed.isNegative {
            let newQty = qty + signed
            let cost = qty.abs.multiplied(by: avgPrice ?? .zero, rounding: .halfEven) + fillQty.multiplied(by: price, rounding: .halfEven)
            if qty.isZero { openedTs = ts }
            avgPrice = cost.divided(by: newQty.abs, rounding: .halfEven)
            qty = newQty
            return
        }
        let average = avgPrice ?? price
        let closed = min(qty.abs, fillQty)
        let perUnit = qty.isNegative ? average - price : price - average
        realizedPnl += closed.multiplied(by: perUnit, rounding: .halfEven)
        qty += signed
        if qty.isZero {
            avgPrice = nil
            openedTs = nil
        } else if qty.isNegative == signed.isNegative {
            avgPrice = price
            openedTs = ts
        }
    }

    /// Adds a reconciler's adjustment (`position.adjusted`) to the quantity: no trade, so no
    /// P&L; a position opened from flat gets `price` (0 when unknown) as its entry price.
    public mutating func adjust(by delta: ExactDecimal, price: ExactDecimal?) {
        let wasFlat = qty.isZero
        qty += delta
        if qty.isZero {
            avgPrice = nil
            openedTs = nil
        } else if wasFlat || avgPrice == nil {
            avgPrice = price ?? .zero
        }
    }

    enum CodingKeys: String, CodingKey {
        case account, symbol, qty
        case avgPrice = "avg_price"
        case realizedPnl = "realized_pnl"
        case openedTs = "opened_ts"
    }
}
