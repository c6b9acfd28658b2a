import BusProtocol

/// Pre-trade validation of a submitted order against its instrument (G3).
///
/// Pure and stateless: it checks only what the order and the instrument say.
/// Checks that need market data (a market order's notional, quote age,
/// slippage) or account state (balances, limits) happen later.
public enum OrderValidator {
    /// The longest accepted `client_order_id`.
    public static let maxClientOrderIdLength = 64

    /// Throws the first rule the order breaks, with a stable code and reason.
    ///
    /// Order of checks: client order id, account, symbol, quantity > 0, price, tick,
    /// lot, min notional. A price is checked whenever present, also on a market order;
    /// a limit order whose value is too large to represent is refused, never a trap.
    ///
    /// - Parameters:
    ///   - instrument: the instrument for `submit.symbol`, or `nil` when none is listed.
    ///   - knownAccounts: the accounts allowed to trade, or `nil` to skip that check.
    /// - Precondition: `instrument`, when given, is the one for `submit.symbol`.
    public static func validate(
        _ submit: OrderSubmit, instrument: Instrument?, knownAccounts: Set<String>?
    ) throws(ServiceError) {
        try checkClientOrderId(submit.clientOrderId)
        if let knownAccounts, !knownAccounts.contains(submit.account) {
            throw ServiceError(.unknownAccount, reason: "unknown_account", "unknown account '\(submit.account.prefix(64))'")
        }
        guard let instrument else {
            throw ServiceError(.unknownSymbol, reason: "unknown_symbol", "unknown symbol '\(submit.symbol.prefix(64))'")
        }
        precondition(instrument.symbol == submit.symbol, "validated \(submit.symbol) against \(instrument.symbol)")
        guard submit.qty.isPositive else {
            throw ServiceError(.invalidQuantity, reason: "qty_not_positive", "qty must be positive, got \(submit.qty)")
        }
        let price = try checkPrice(submit, instrument: instrument)
        guard submit.qty.isMultiple(of: instrument.lotSize) else {
            throw ServiceError(
                .lotSize, reason: "qty_not_multiple_of_lot",
                "qty \(submit.qty) is not a multiple of the lot size \(instrument.lotSize) of \(instrument.symbol)")
        }
        if let price, submit.type == .limit {
            try checkNotional(qty: submit.qty, price: price, instrument: instrument)
        }
    }

    /// Whether `id` is 1 to 64 characters of `[A-Za-z0-9_.:-]`.
    public static func isValidClientOrderId(_ id: String) -> Bool {
        let bytes = id.utf8
        guard (1...maxClientOrderIdLength).contains(bytes.count) else { return false }
        return bytes.allSatisfy(isIdByte)
    }

    private static func isIdByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    private static func checkClientOrderId(_ id: String?) throws(ServiceError) {
        guard let id, !isValidClientOrderId(id) else { return }
        throw ServiceError(
            .invalidRequest, reason: "bad_client_order_id",
            "client_order_id must be 1 to \(maxClientOrderIdLength) characters of A-Z a-z 0-9 _ . : -")
    }

    /// Returns the price (checked) or `nil` for a market order without one.
    private static func checkPrice(_ submit: OrderSubmit, instrument: Instrument) throws(ServiceError) -> Price? {
        guard let price = submit.price else {
            guard submit.type != .limit else {
                throw ServiceError(.invalidPrice, reason: "limit_without_price", "a limit order needs a price")
            }
            return nil
        }
        guard price.isPositive else {
            throw ServiceError(.invalidPrice, reason: "price_not_positive", "price must be positive, got \(price)")
        }
        guard price.isMultiple(of: instrument.tickSize) else {
            throw ServiceError(
                .tickSize, reason: "price_not_multiple_of_tick",
                "price \(price) is not a multiple of the tick size \(instrument.tickSize) of \(instrument.symbol)")
        }
        return price
    }

    private static func checkNotional(qty: Quantity, price: Price, instrument: Instrument) throws(ServiceError) {
        // Rounding down is exact for this comparison: minNotional lies on the 10^-12 grid,
        // so floor(qty × price) ≥ minNotional exactly when qty × price ≥ minNotional.
        guard let notional = qty.checkedMultiplied(by: price, rounding: .down) else {
            throw ServiceError(
                .invalidQuantity, reason: "notional_overflow", "qty × price is too large to represent")
        }
        guard notional >= instrument.minNotional else {
            throw ServiceError(
                .minNotional, reason: "below_min_notional",
                "order value \(notional) is below the minimum \(instrument.minNotional) of \(instrument.symbol)")
        }
    }
}
