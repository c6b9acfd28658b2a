import BinanceWire
import TradingModel
import VenueKit

/// The paper exchange's orders and fills in Binance's shapes: numeric ids (the counter of
/// `V…`/`T…` ids, which are venue-wide and increasing, so a trade id cursor works per
/// symbol as Binance's does), Binance symbols and statuses, unix ms.
enum BinanceReports {
    /// The numeric id of a paper id such as `V000000000042` (42).
    static func number(_ paperId: String) -> Int64 {
        Int64(paperId.dropFirst()) ?? 0
    }

    /// The paper venue order id of Binance order id `orderId`.
    static func venueOrderId(_ orderId: Int64) -> String {
        PaperExchange.formatId("V", orderId)
    }

    /// Unix ms of unix ns.
    static func millis(_ nanos: Int64) -> Int64 { nanos / 1_000_000 }

    /// `order` as Binance reports it; `fills` for a `FULL` new-order reply.
    static func order(_ order: VenueOrder, instrument: Instrument, symbols: SymbolTable, withFills: Bool = false) -> BinanceOrder {
        let quoteQty = order.fills.reduce(Money.zero) { $0 + $1.qty.multiplied(by: $1.price, rounding: .halfEven) }
        var report = BinanceOrder(
            symbol: BinanceSymbols.venueSymbol(base: instrument.base, quote: instrument.quote),
            orderId: number(order.venueOrderId), clientOrderId: VenueBook.binanceId(order.clientOrderId),
            price: order.price ?? .zero, origQty: order.qty, executedQty: order.filledQty, cummulativeQuoteQty: quoteQty,
            status: status(order), timeInForce: order.type == .market ? "GTC" : order.timeInForce.rawValue,
            type: BinanceSymbols.type(order.type), side: BinanceSymbols.side(order.side))
        report.time = millis(order.createdTs)
        report.updateTime = millis(order.fills.last?.ts ?? order.createdTs)
        report.isWorking = !order.status.isTerminal
        report.workingTime = millis(order.createdTs)
        if withFills {
            report.fills = order.fills.map {
                BinanceOrderFill(price: $0.price, qty: $0.qty, commission: $0.fee, commissionAsset: $0.feeAsset, tradeId: symbols.tradeNumber($0))
            }
        }
        return report
    }

    /// Binance's status of `order`: an IOC or FOK that found nothing is `EXPIRED` there.
    static func status(_ order: VenueOrder) -> BinanceOrderStatus {
        switch order.status {
        case .new: .new
        case .partiallyFilled: .partiallyFilled
        case .filled: .filled
        case .canceled: order.reason == "ioc_no_match" || order.reason == "fok_no_match" ? .expired : .canceled
        case .rejected: .rejected
        case .expired: .expired
        }
    }

    /// `fill` as one of the account's trades.
    static func trade(_ fill: VenueFill, instrument: Instrument, symbols: SymbolTable) -> BinanceTrade {
        BinanceTrade(
            symbol: BinanceSymbols.venueSymbol(base: instrument.base, quote: instrument.quote), id: symbols.tradeNumber(fill),
            orderId: number(fill.venueOrderId), price: fill.price, qty: fill.qty,
            quoteQty: fill.qty.multiplied(by: fill.price, rounding: .halfEven), commission: fill.fee,
            commissionAsset: fill.feeAsset, time: millis(fill.ts), isBuyer: fill.side == .buy, isMaker: false)
    }
}

extension BinanceReports {
    /// The `executionReport`s of one change of `order`: `NEW` when it was just `placed`, a
    /// `TRADE` per fill in `newFills` (the order's last fills), then `CANCELED` or `EXPIRED`
    /// when it ended unfilled. A rejected order never existed on Binance: no report.
    static func executionReports(
        _ order: VenueOrder, placed: Bool, newFills: [VenueFill], instrument: Instrument, symbols: SymbolTable, nowMillis: Int64
    ) -> [BinanceExecutionReport] {
        guard order.status != .rejected else { return [] }
        let earlier = order.fills.dropLast(newFills.count)
        var filled = earlier.reduce(Quantity.zero) { $0 + $1.qty }
        var quote = earlier.reduce(Money.zero) { $0 + $1.qty.multiplied(by: $1.price, rounding: .halfEven) }
        func report(_ execution: String, _ status: BinanceOrderStatus, _ fill: VenueFill?) -> BinanceExecutionReport {
            let lastQuote = fill.map { $0.qty.multiplied(by: $0.price, rounding: .halfEven) } ?? .zero
            return BinanceExecutionReport(
                eventTime: nowMillis, symbol: BinanceSymbols.venueSymbol(base: instrument.base, quote: instrument.quote),
                clientOrderId: VenueBook.binanceId(order.clientOrderId), side: BinanceSymbols.side(order.side),
                orderType: BinanceSymbols.type(order.type), timeInForce: order.type == .market ? "GTC" : order.timeInForce.rawValue,
                quantity: order.qty, price: order.price ?? .zero, executionType: execution, orderStatus: status,
                orderId: number(order.venueOrderId), lastExecutedQuantity: fill?.qty ?? .zero, cumulativeFilledQuantity: filled,
                lastExecutedPrice: fill?.price ?? .zero, commission: fill?.fee ?? .zero, commissionAsset: fill?.feeAsset,
                transactionTime: fill.map { millis($0.ts) } ?? nowMillis, tradeId: fill.map { symbols.tradeNumber($0) } ?? -1,
                isWorking: status == .new || status == .partiallyFilled, creationTime: millis(order.createdTs),
                cumulativeQuoteQuantity: quote, lastQuoteQuantity: lastQuote)
        }
        var reports: [BinanceExecutionReport] = []
        if placed { reports.append(report("NEW", .new, nil)) }
        for fill in newFills {
            filled = filled + fill.qty
            quote = quote + fill.qty.multiplied(by: fill.price, rounding: .halfEven)
            reports.append(report("TRADE", filled >= order.qty ? .filled : .partiallyFilled, fill))
        }
        let final = status(order)
        if final == .canceled || final == .expired { reports.append(report(final.rawValue, final, nil)) }
        return reports
    }
}
