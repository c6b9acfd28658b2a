import TradingModel

/// What one trade of `qty` at `price` does to an account's balances, fee included.
///
/// The fee is `notional × feeRate` in the quote asset, rounded up to 8 fraction
/// digits. A buy pays `notional + fee` of the quote and receives `qty` of the base; a
/// sell gives `qty` of the base and receives `notional − fee` of the quote. The same
/// computation prices the funds a working order locks, so a resting order filled at
/// its limit consumes exactly what it locked.
struct Settlement: Sendable, Equatable {
    /// The fee's precision: fees are whole multiples of 10^-8 of the quote asset.
    static let feeIncrement = ExactDecimal(units: 10_000)

    /// `qty × price` in the quote asset.
    let notional: Money
    /// The fee in the quote asset.
    let fee: Money
    /// The signed change of each asset's total: negative is paid, positive received.
    let deltas: [String: Money]

    /// Settles a trade on `instrument`.
    ///
    /// The notional is exact whenever `qty` and `price` sit on the lot and tick grids
    /// (at most 12 fraction digits together); otherwise it is rounded in the venue's
    /// favour (up for what a buyer pays, down for what a seller receives).
    init(side: Side, qty: Quantity, price: Price, instrument: Instrument, feeRate: Money) {
        precondition(instrument.base != instrument.quote, "\(instrument.symbol): base and quote are the same asset")
        let notional = qty.multiplied(by: price, rounding: side == .buy ? .up : .down)
        let fee = notional.multiplied(by: feeRate, rounding: .up).rounded(toIncrement: Self.feeIncrement, .up)
        self.notional = notional
        self.fee = fee
        switch side {
        case .buy:
            deltas = [instrument.quote: -(notional + fee), instrument.base: qty]
        case .sell:
            deltas = [instrument.base: -qty, instrument.quote: notional - fee]
        }
    }

    /// What the trade takes from the account: the magnitude of every negative delta.
    /// These are the funds checked before placing and locked while an order rests.
    var debits: [String: Money] {
        deltas.filter { $0.value.isNegative }.mapValues { -$0 }
    }
}
