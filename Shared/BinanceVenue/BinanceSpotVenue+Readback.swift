import BinanceWire
import BusProtocol
import TradingModel
import VenueKit

extension BinanceSpotVenue {
    /// `report` as a `VenueOrder`: Breakwater's client id and symbol, ns times, and
    /// `fills` (else the `FULL` reply's own fills, else none).
    func venueOrder(_ report: BinanceOrder, markets: BinanceMarkets, fills: [VenueFill]?) throws(VenueError) -> VenueOrder {
        guard let instrument = markets.instrument(venueSymbol: report.symbol) else {
            throw .fatal(ServiceError(.internal, reason: "venue_reply_unreadable", "Binance reported an order in untraded symbol \(report.symbol)"))
        }
        guard let side = BinanceSymbols.side(report.side) else {
            throw .fatal(ServiceError(.internal, reason: "venue_reply_unreadable", "Binance reported side '\(report.side)'"))
        }
        let clientOrderId = ids.clientOrderId(for: report.clientOrderId)
        clientIdOfOrder.withLock { $0[report.orderId] = clientOrderId }
        let createdMillis = report.time ?? report.transactTime ?? 0
        let own = (report.fills ?? []).map { fill in
            VenueFill(
                tradeId: String(fill.tradeId), tradeSeq: fill.tradeId, venueOrderId: String(report.orderId),
                clientOrderId: clientOrderId, account: configuration.account, symbol: instrument.symbol, side: side,
                qty: fill.qty, price: fill.price, fee: fill.commission, feeAsset: fill.commissionAsset,
                ts: (report.transactTime ?? createdMillis) * 1_000_000)
        }
        let (status, reason) = Self.status(report.status)
        return VenueOrder(
            venueOrderId: String(report.orderId), clientOrderId: clientOrderId, account: configuration.account,
            symbol: instrument.symbol, side: side, type: BinanceSymbols.type(report.type) ?? .limit, qty: report.origQty,
            price: report.price.isZero ? nil : report.price, timeInForce: TimeInForce(rawValue: report.timeInForce) ?? .gtc,
            status: status, filledQty: report.executedQty,
            avgPrice: report.executedQty.isPositive ? report.cummulativeQuoteQty.divided(by: report.executedQty, rounding: .halfEven) : nil,
            reason: reason, createdTs: createdMillis * 1_000_000, fills: fills ?? own)
    }

    /// Binance's status as the suite's, with the reason a closed order carries.
    static func status(_ status: BinanceOrderStatus) -> (VenueOrderStatus, String?) {
        switch status {
        case .new, .pendingNew: (.new, nil)
        case .partiallyFilled: (.partiallyFilled, nil)
        case .filled: (.filled, nil)
        case .canceled, .pendingCancel: (.canceled, "canceled_at_venue")
        case .rejected: (.rejected, "rejected_at_venue")
        case .expired, .expiredInMatch: (.expired, "expired_at_venue")
        }
    }

    /// `report` with its trades, read when it traded and the reply did not carry them.
    func withTrades(_ report: BinanceOrder, markets: BinanceMarkets) async throws(VenueError) -> VenueOrder {
        guard report.executedQty.isPositive, report.fills == nil else { return try venueOrder(report, markets: markets, fills: nil) }
        let order = try venueOrder(report, markets: markets, fills: [])
        let trades: [BinanceTrade] = try await rest.signed(
            .GET, "/api/v3/myTrades", BinanceQuery([("symbol", report.symbol), ("orderId", String(report.orderId)), ("limit", String(Self.tradePage))]))
        return try venueOrder(report, markets: markets, fills: trades.map { fill($0, clientOrderId: order.clientOrderId, symbol: order.symbol) })
    }

    /// One page of the account's trades in `venueSymbol` with id ≥ `fromId`, oldest first.
    func trades(_ venueSymbol: String, fromId: Int64, markets: BinanceMarkets) async throws(VenueError) -> [VenueFill] {
        let trades: [BinanceTrade] = try await rest.signed(
            .GET, "/api/v3/myTrades", BinanceQuery([("symbol", venueSymbol), ("fromId", String(fromId)), ("limit", String(Self.tradePage))]))
        var fills: [VenueFill] = []
        for trade in trades {
            guard let instrument = markets.instrument(venueSymbol: trade.symbol) else { continue }
            let clientOrderId = try await clientOrderId(ofOrder: trade.orderId, venueSymbol: venueSymbol, markets: markets)
            fills.append(fill(trade, clientOrderId: clientOrderId, symbol: instrument.symbol))
        }
        return fills
    }

    /// `trade` (of the order with `clientOrderId`, in Breakwater's `symbol`) as a fill.
    private func fill(_ trade: BinanceTrade, clientOrderId: String, symbol: String) -> VenueFill {
        VenueFill(
            tradeId: String(trade.id), tradeSeq: trade.id, venueOrderId: String(trade.orderId), clientOrderId: clientOrderId,
            account: configuration.account, symbol: symbol, side: trade.isBuyer ? .buy : .sell, qty: trade.qty, price: trade.price,
            fee: trade.commission, feeAsset: trade.commissionAsset, ts: trade.time * 1_000_000)
    }

    /// Breakwater's client id of Binance order `orderId` (a trade names only the order), asked once.
    private func clientOrderId(ofOrder orderId: Int64, venueSymbol: String, markets: BinanceMarkets) async throws(VenueError) -> String {
        if let known = clientIdOfOrder.withLock({ $0[orderId] }) { return known }
        let report: BinanceOrder = try await rest.signed(
            .GET, "/api/v3/order", BinanceQuery([("symbol", venueSymbol), ("orderId", String(orderId))]))
        return try venueOrder(report, markets: markets, fills: []).clientOrderId
    }
}
