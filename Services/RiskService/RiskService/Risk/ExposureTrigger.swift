import TradingModel

/// The exposure trigger of an account's breaker: the gross value of its positions (every
/// symbol's |exposure| × mark) against its equity. The per-order `max_leverage` limit stops
/// an order that would go past it; this trips when the market or losses take the account
/// past it with no order at all. A pure function of exact decimals.
public struct ExposureTrigger: Sendable, Equatable {
    /// Trips above this multiple of equity (`BW_RISK_BREAKER_MAX_EXPOSURE`; 0: off).
    public var maxGrossToEquity = ExactDecimal(12)

    /// The documented default.
    public init() {}

    /// `gross_exposure` when gross > equity × the multiple (or any gross with equity ≤ 0), else nil; nil without equity.
    public func alarm(gross: ExactDecimal, equity: ExactDecimal?) -> String? {
        guard maxGrossToEquity.isPositive, let equity, gross.isPositive else { return nil }
        guard equity.isPositive else { return "gross_exposure" }
        return gross > equity.multiplied(by: maxGrossToEquity, rounding: .down) ? "gross_exposure" : nil
    }
}
