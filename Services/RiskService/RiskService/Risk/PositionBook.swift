import TradingModel

/// One account's positions per symbol, from its fills: signed quantity, average
/// entry price and realized P&L (in the quote asset, fees included).
public struct PositionBook: Sendable, Equatable {
    /// One symbol's position.
    public struct Position: Sendable, Equatable {
        /// Buys minus sells, base units.
        public var qty: ExactDecimal = .zero
        /// Average entry price of the open quantity (0 when flat).
        public var avgPrice: ExactDecimal = .zero
        /// Realized P&L, fees in the quote asset subtracted.
        public var realized: ExactDecimal = .zero
    }

    /// Positions by symbol.
    public private(set) var bySymbol: [String: Position] = [:]

    /// An empty book.
    public init() {}

    /// Books a fill; returns the trade's realized P&L when the fill reduced the position
    /// (a "trade" for the losing-trades trigger), nil when it only opened or added.
    @discardableResult
    public mutating func apply(_ fill: FillRecorded, quote: String) -> ExactDecimal? {
        var position = bySymbol[fill.symbol] ?? Position()
        let signed = fill.side == .buy ? fill.qty : -fill.qty
        let fee = fill.feeAsset == quote ? fill.fee : .zero
        var result: ExactDecimal?
        if position.qty.isZero || position.qty.isNegative == signed.isNegative {
            let size = position.qty.abs + fill.qty
            let cost = position.qty.abs.multiplied(by: position.avgPrice, rounding: .halfEven)
                + fill.qty.multiplied(by: fill.price, rounding: .halfEven)
            position.avgPrice = cost.divided(by: size, rounding: .halfEven)
            position.qty += signed
        } else {
            let closing = min(fill.qty, position.qty.abs)
            let move = position.qty.isNegative ? position.avgPrice - fill.price : fill.price - position.avgPrice
            let pnl = closing.multiplied(by: move, rounding: .halfEven) - fee
            result = pnl
            let flipped = fill.qty > position.qty.abs
            position.qty += signed
            if position.qty.isZero { position.avgPrice = .zero } else if flipped { position.avgPrice = fill.price }
        }
        position.realized += result ?? -fee
        bySymbol[fill.symbol] = position
        return result
    }

    /// Adds a reconciler's adjustment (`position.adjusted`): no trade, so no P&L; a position
    /// opened from flat gets `price` (0 when unknown) as its entry price.
    public mutating func adjust(_ symbol: String, by delta: ExactDecimal, price: ExactDecimal?) {
        var position = bySymbol[symbol] ?? Position()
        let wasFlat = position.qty.isZero
        position.qty += delta
        if position.qty.isZero { position.avgPrice = .zero } else if wasFlat { position.avgPrice = price ?? .zero }
        bySymbol[symbol] = position
    }

    /// The signed quantity of `symbol` (zero when none).
    public func qty(_ symbol: String) -> ExactDecimal { bySymbol[symbol]?.qty ?? .zero }
}
