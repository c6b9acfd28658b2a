import BusProtocol
import TradingModel

/// Checks a fact's content before it is journaled: the writer's edge.
///
/// Facts come from other services, so a bad one is an operating error (the request
/// is rejected with a stable code), not a crash. The magnitude bound keeps every
/// product and sum the projections compute far inside `ExactDecimal`'s range, so
/// the arithmetic below can never trap on data.
enum FactValidator {
    /// The largest accepted quantity, price, fee or amount (exclusive): 10^12.
    static let maxMagnitude = ExactDecimal(1_000_000_000_000)
    /// The longest accepted fact id, account, order id or trade id, in UTF-8 bytes.
    static let maxIdLength = 128
    /// The longest accepted operation detail, in UTF-8 bytes.
    static let maxDetailLength = 16 * 1024

    /// Throws the first rule `fact` breaks.
    static func validate(_ fact: Fact) throws(ServiceError) {
        try checkId(fact.id, "id")
        try checkId(fact.account, "account")
        switch fact.payload {
        case .orderIntent(let intent): try validate(intent)
        case .orderAccepted(let accepted):
            try checkId(accepted.clientOrderId, "client_order_id")
            try checkId(accepted.venueOrderId, "venue_order_id")
        case .fillRecorded(let fill): try validate(fill)
        case .orderClosed(let closed):
            try checkId(closed.clientOrderId, "client_order_id")
            guard [.canceled, .rejected, .expired, .unknown].contains(closed.state) else {
                throw ServiceError(.invalidRequest, reason: "not_a_closing_state", "state \(closed.state.rawValue) cannot close an order")
            }
        case .reconciliation(.balanceAdopted(let adopted)):
            // Folded by risk-service as the account's total: a real amount or nothing.
            try checkId(adopted.asset, "asset")
            try checkNotNegative(adopted.venueTotal, "venue_total")
        case .reconciliation(.positionAdjusted(let adjusted)):
            // Folded into the positions: a real symbol and amounts in range.
            try checkId(adjusted.symbol, "symbol")
            for (value, field) in [(adjusted.delta, "delta"), (adjusted.journalQty, "journal_qty"), (adjusted.venueQty, "venue_qty")] {
                try checkRange(value, field)
            }
            guard adjusted.delta == adjusted.venueQty - adjusted.journalQty else {
                throw ServiceError(.invalidRequest, reason: "bad_adjustment", "delta must be venue_qty − journal_qty")
            }
            if let price = adjusted.price { try checkPositivePrice(price) }
        case .reconciliation(.orderReopened(let reopened)):
            // Folded into the reservations: a real order, asset and amount.
            try checkId(reopened.clientOrderId, "client_order_id")
            try checkId(reopened.symbol, "symbol")
            try checkId(reopened.venueStatus, "venue_status")
            try checkId(reopened.reserveAsset, "reserve_asset")
            try checkPositiveQuantity(reopened.qty)
            try checkNotNegative(reopened.reserveAmount, "reserve_amount")
        case .reconciliation: break  // informational: ids checked above
        case .breakerTransition(let transition): try checkId(transition.reason, "reason")
        case .governorTransition(let transition): try checkId(transition.reason, "reason")
        case .equityMark(let mark):
            guard !mark.open.isNegative, mark.high >= mark.open, !mark.initialCapital.isNegative else {
                throw ServiceError(.invalidRequest, reason: "bad_equity_mark", "an equity mark needs 0 ≤ open ≤ high and a non-negative capital")
            }
        case .operationRecorded(let entry):
            try checkId(entry.operationId, "operation_id")
            try checkId(entry.kind, "kind")
            if let detail = entry.detail, detail.utf8.count > maxDetailLength {
                throw ServiceError(.invalidRequest, reason: "detail_too_long", "detail must be at most \(maxDetailLength) bytes")
            }
        case .tradingHalt(let halt):
            try checkId(halt.reason, "reason")
            if let operationId = halt.operationId { try checkId(operationId, "operation_id") }
        @unknown default:
            // A fact type added to TradingModel after this validator: its body decoded,
            // its id and account are checked above; it is journaled as it is.
            break
        }
    }

    private static func validate(_ intent: OrderIntent) throws(ServiceError) {
        guard OrderValidator.isValidClientOrderId(intent.clientOrderId) else {
            throw ServiceError(.invalidRequest, reason: "bad_client_order_id", "client_order_id is not a valid id")
        }
        try checkId(intent.symbol, "symbol")
        try checkId(intent.reserveAsset, "reserve_asset")
        try checkPositiveQuantity(intent.qty)
        if let price = intent.price {
            try checkPositivePrice(price)
        } else if intent.type == .limit {
            throw ServiceError(.invalidPrice, reason: "limit_without_price", "a limit order needs a price")
        }
        try checkNotNegative(intent.reserveAmount, "reserve_amount")
    }

    private static func validate(_ fill: FillRecorded) throws(ServiceError) {
        try checkId(fill.clientOrderId, "client_order_id")
        try checkId(fill.venueOrderId, "venue_order_id")
        try checkId(fill.tradeId, "trade_id")
        try checkId(fill.symbol, "symbol")
        try checkId(fill.feeAsset, "fee_asset")
        try checkPositiveQuantity(fill.qty)
        try checkPositivePrice(fill.price)
        try checkNotNegative(fill.fee, "fee")
    }

    private static func checkId(_ value: String, _ field: String) throws(ServiceError) {
        guard !value.isEmpty, value.utf8.count <= maxIdLength else {
            throw ServiceError(.invalidRequest, reason: "bad_\(field)", "\(field) must be 1 to \(maxIdLength) bytes")
        }
    }

    private static func checkPositiveQuantity(_ qty: ExactDecimal) throws(ServiceError) {
        guard qty.isPositive else {
            throw ServiceError(.invalidQuantity, reason: "qty_not_positive", "qty must be positive, got \(qty)")
        }
        try checkRange(qty, "qty")
    }

    private static func checkPositivePrice(_ price: ExactDecimal) throws(ServiceError) {
        guard price.isPositive else {
            throw ServiceError(.invalidPrice, reason: "price_not_positive", "price must be positive, got \(price)")
        }
        try checkRange(price, "price")
    }

    private static func checkNotNegative(_ value: ExactDecimal, _ field: String) throws(ServiceError) {
        guard !value.isNegative else {
            throw ServiceError(.invalidRequest, reason: "\(field)_negative", "\(field) must not be negative, got \(value)")
        }
        try checkRange(value, field)
    }

    private static func checkRange(_ value: ExactDecimal, _ field: String) throws(ServiceError) {
        guard value.abs < maxMagnitude else {
            throw ServiceError(.invalidNumber, reason: "out_of_range", "\(field) \(value) is not below \(maxMagnitude)")
        }
    }
}
