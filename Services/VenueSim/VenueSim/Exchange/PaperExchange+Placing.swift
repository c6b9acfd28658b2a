import BusProtocol
import TradingModel
import VenueKit

extension PaperExchange {
    /// Places an order (`venue.place`) at venue time `now` and returns it as it stands.
    ///
    /// Idempotent by (account, client_order_id): a repeated id returns the EXISTING
    /// order as it stands now, whatever the rest of the request says — no second
    /// order, no second charge. (A real exchange rejects a duplicate id; returning
    /// the original makes a resend after a timeout harmless and tells the sender
    /// what became of the first attempt.)
    ///
    /// A request that breaks a venue rule is thrown and NOT recorded (a resend fails
    /// the same way): `INVALID_REQUEST` (empty account or id, a price on a market
    /// order), `UNKNOWN_ACCOUNT`, `UNKNOWN_SYMBOL`, `VENUE_REJECTED` (not a spot
    /// instrument), `INVALID_QUANTITY`, `LOT_SIZE`, `INVALID_PRICE`, `TICK_SIZE`,
    /// `MIN_NOTIONAL` (a market order's notional is taken at the touch).
    ///
    /// A valid order that the account cannot pay for — a buy needs `qty × price + fee`
    /// free in the quote asset (price: the limit, or the ask for a market order), a
    /// sell needs `qty` free in the base asset — is recorded and returned with status
    /// `rejected`, reason `insufficient_balance`, like an exchange.
    ///
    /// Otherwise: a market order, a buy limited at or above the ask, or a sell limited
    /// at or below the bid fills entirely at once at the touch (price improvement).
    /// A limit that does not reach the touch rests if GTC (status `new`, its funds
    /// locked); an IOC or FOK one is `canceled` with reason `ioc_no_match` / `fok_no_match`.
    public mutating func place(_ request: VenuePlace, now: Int64) throws(ServiceError) -> VenueOrder {
        let key = OrderKey(account: request.account, clientOrderId: request.clientOrderId)
        if let existing = orderIds[key].flatMap({ orders[$0] }) {
            return existing.order
        }
        let book = try validate(request)
        orderCounter += 1
        let venueOrderId = Self.formatId("V", orderCounter)
        var record = OrderRecord(
            order: VenueOrder(
                venueOrderId: venueOrderId, clientOrderId: request.clientOrderId, account: request.account,
                symbol: request.symbol, side: request.side, type: request.type, qty: request.qty,
                price: request.price, timeInForce: request.timeInForce, status: .new, filledQty: .zero,
                avgPrice: nil, reason: nil, createdTs: now, fills: []),
            seq: orderCounter)
        orderIds[key] = venueOrderId
        let execution = book.executionPrice(side: request.side, limit: request.price)
        // A limit order is paid for at its limit (what it may cost), a market order at the touch.
        guard let costPrice = request.price ?? execution else {
            preconditionFailure("a market order always has an execution price")
        }
        let cost = Settlement(
            side: request.side, qty: request.qty, price: costPrice, instrument: book.instrument, feeRate: feeRate)
        if !ledger.canAfford(request.account, cost.debits) {
            record.close(.rejected, reason: "insufficient_balance")
        } else if let execution {
            execute(&record, price: execution, now: now)
        } else {
            switch request.timeInForce {
            case .gtc:
                record.locks = cost.debits
                ledger.lock(request.account, record.locks)
                openOrderIds[request.symbol, default: []].append(venueOrderId)
            case .ioc:
                record.close(.canceled, reason: "ioc_no_match")
            case .fok:
                record.close(.canceled, reason: "fok_no_match")
            }
        }
        store(record, now: now)
        return record.order
    }

    /// Checks a new order against the venue's rules; returns its symbol's book.
    func validate(_ request: VenuePlace) throws(ServiceError) -> SyntheticBook {
        guard !request.account.isEmpty else {
            throw ServiceError(.invalidRequest, reason: "account_missing", "account must not be empty")
        }
        guard !request.clientOrderId.isEmpty else {
            throw ServiceError(.invalidRequest, reason: "client_order_id_missing", "client_order_id must not be empty")
        }
        guard ledger.hasAccount(request.account) else {
            throw ServiceError(.unknownAccount, reason: "unknown_account", "no venue account '\(request.account)'")
        }
        guard let book = books[request.symbol] else {
            throw ServiceError(.unknownSymbol, reason: "unknown_symbol", "the venue does not trade '\(request.symbol)'")
        }
        let instrument = book.instrument
        guard instrument.kind == .spot else {
            throw ServiceError(
                .venueRejected, reason: "instrument_kind_unsupported",
                "the paper venue trades spot only; \(instrument.symbol) is \(instrument.kind.rawValue)")
        }
        try validateQuantity(request.qty, instrument)
        try validatePrice(request, instrument)
        let reference = request.price ?? (request.side == .buy ? book.ask : book.bid)
        let notional = request.qty.multiplied(by: reference, rounding: .halfEven)
        guard notional >= instrument.minNotional else {
            throw ServiceError(
                .minNotional, reason: "below_min_notional",
                "notional \(notional) is below the minimum \(instrument.minNotional) of \(instrument.symbol)")
        }
        return book
    }

    private func validateQuantity(_ qty: Quantity, _ instrument: Instrument) throws(ServiceError) {
        guard qty.isPositive else {
            throw ServiceError(.invalidQuantity, reason: "qty_not_positive", "qty must be positive, got \(qty)")
        }
        guard qty.isMultiple(of: instrument.lotSize) else {
            throw ServiceError(
                .lotSize, reason: "qty_not_lot_multiple",
                "qty \(qty) is not a multiple of the lot size \(instrument.lotSize) of \(instrument.symbol)")
        }
    }

    private func validatePrice(_ request: VenuePlace, _ instrument: Instrument) throws(ServiceError) {
        switch (request.type, request.price) {
        case (.market, nil):
            return
        case (.market, .some):
            throw ServiceError(.invalidRequest, reason: "price_on_market_order", "a market order takes no price")
        case (.limit, nil):
            throw ServiceError(.invalidPrice, reason: "price_missing", "a limit order needs a price")
        case (.limit, .some(let price)):
            guard price.isPositive else {
                throw ServiceError(.invalidPrice, reason: "price_not_positive", "price must be positive, got \(price)")
            }
            guard price.isMultiple(of: instrument.tickSize) else {
                throw ServiceError(
                    .tickSize, reason: "price_not_tick_multiple",
                    "price \(price) is not a multiple of the tick size \(instrument.tickSize) of \(instrument.symbol)")
            }
        }
    }
}
