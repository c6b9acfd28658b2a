import BinanceWire
import BusProtocol
import Foundation
import TradingModel
import VenueKit

extension BinanceFront {
    /// Serves one authenticated request; `serverMillis` is the time the front reports (its own clock).
    func serve(_ endpoint: Endpoint, _ request: SignedRequest, now: Int64, serverMillis: Int64) async throws(Failure) -> Reply {
        let market = await book.market()
        let symbols = SymbolTable(market.instruments)
        switch endpoint {
        case .ping:
            return Reply(status: .ok, body: Data("{}".utf8))
        case .time:
            return Self.ok(BinanceServerTime(serverTime: serverMillis))
        case .exchangeInfo:
            var listed = market.instruments
            if let symbol = request.string("symbol") { listed = [try symbols.instrument(symbol)] }
            return Self.ok(BinanceExchangeInfo(
                serverTime: serverMillis, rateLimits: rateLimits, symbols: listed.map(BinanceSymbolInfo.init)))
        case .bookTicker:
            var quotes = market.quotes
            if let symbol = request.string("symbol") {
                let instrument = try symbols.instrument(symbol)
                quotes = quotes.filter { $0.symbol == instrument.symbol }
                guard let quote = quotes.first else { throw Failure(.badSymbol, "Invalid symbol.") }
                return Self.ok(ticker(quote, symbols))
            }
            return Self.ok(quotes.map { ticker($0, symbols) })
        case .newOrder:
            return try await newOrder(request, symbols: symbols, now: now)
        case .queryOrder:
            let (instrument, order) = try await find(request, symbols: symbols, missing: Failure(.noSuchOrder, BinanceErrorBody.Message.noSuchOrder))
            return Self.ok(BinanceReports.order(order, instrument: instrument, symbols: symbols))
        case .cancelOrder:
            return try await cancel(request, symbols: symbols, now: now)
        case .openOrders:
            return try await openOrders(request, symbols: symbols)
        case .cancelOpenOrders:
            return try await cancelOpenOrders(request, symbols: symbols, now: now)
        case .myTrades:
            return try await myTrades(request, symbols: symbols)
        case .account:
            return try await account(request, feeRate: market.feeRate, now: now)
        }
    }

    /// The rate limits as exchangeInfo lists them.
    var rateLimits: [BinanceExchangeInfo.RateLimit] {
        [
            .init(rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: configuration.limits.weightPerMinute),
            .init(rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: configuration.limits.ordersPer10s),
            .init(rateLimitType: "ORDERS", interval: "DAY", intervalNum: 1, limit: configuration.limits.ordersPerDay),
        ]
    }

    private func ticker(_ quote: VenueTick, _ symbols: SymbolTable) -> BinanceBookTicker {
        // Unlimited liquidity at the touch (the paper model): a nominal size.
        BinanceBookTicker(
            symbol: symbols.venueSymbol(quote.symbol), bidPrice: quote.bid, bidQty: ExactDecimal(1_000),
            askPrice: quote.ask, askQty: ExactDecimal(1_000))
    }

    /// The order a query or cancel names (`orderId` first, then `origClientOrderId`, both
    /// checked when both are sent), in the symbol it names.
    func find(_ request: SignedRequest, symbols: SymbolTable, missing: Failure) async throws(Failure) -> (Instrument, VenueOrder) {
        let instrument = try symbols.instrument(try request.required("symbol"))
        let account = request.signedAccount
        let orderId = try request.int64("orderId")
        let clientId = request.string("origClientOrderId")
        let found: VenueOrder?
        if let orderId {
            found = await book.order(account: account, venueOrderId: BinanceReports.venueOrderId(orderId))
            if let clientId, let found, VenueBook.binanceId(found.clientOrderId) != clientId { throw missing }
        } else if let clientId {
            found = await book.latest(account: account, clientOrderId: clientId)?.order
        } else {
            throw Failure(.mandatoryParamEmptyOrMalformed, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!")
        }
        // An order the venue rejected never existed on Binance.
        guard let found, found.symbol == instrument.symbol, found.status != .rejected else { throw missing }
        return (instrument, found)
    }
}

/// The instruments by Binance symbol and back, and each symbol's trade numbers.
struct SymbolTable: Sendable {
    private let byVenueSymbol: [String: Instrument]
    private let venueSymbols: [String: String]
    private let tradeOffsets: [String: Int64]

    /// How far apart the symbols' trade number ranges are.
    static let tradeRange: Int64 = 1_000_000_000

    init(_ instruments: [Instrument]) {
        var byVenueSymbol: [String: Instrument] = [:]
        var venueSymbols: [String: String] = [:]
        var tradeOffsets: [String: Int64] = [:]
        for (index, instrument) in instruments.enumerated() {
            let venueSymbol = BinanceSymbols.venueSymbol(base: instrument.base, quote: instrument.quote)
            byVenueSymbol[venueSymbol] = instrument
            venueSymbols[instrument.symbol] = venueSymbol
            tradeOffsets[instrument.symbol] = Int64(index) * Self.tradeRange
        }
        self.byVenueSymbol = byVenueSymbol
        self.venueSymbols = venueSymbols
        self.tradeOffsets = tradeOffsets
    }

    /// The Binance trade id of `fill`. Binance numbers trades per symbol; the paper exchange
    /// numbers them for the whole venue. So each symbol gets its own range (the venue-wide
    /// number plus `tradeRange` × the symbol's place in the list): ids stay unique, and
    /// increasing within a symbol, while the symbols' ranges differ as on Binance — a client
    /// that keeps one cursor for all symbols skips trades here as it would there.
    func tradeNumber(_ fill: VenueFill) -> Int64 {
        BinanceReports.number(fill.tradeId) + (tradeOffsets[fill.symbol] ?? 0)
    }

    /// The venue-wide trade seq of `symbol`'s trade number `number` (a myTrades `fromId`).
    func tradeSeq(number: Int64, symbol: String) -> Int64 {
        number - (tradeOffsets[symbol] ?? 0)
    }

    /// The instrument Binance calls `venueSymbol`, or -1121.
    func instrument(_ venueSymbol: String) throws(BinanceFront.Failure) -> Instrument {
        guard let instrument = byVenueSymbol[venueSymbol] else { throw BinanceFront.Failure(.badSymbol, "Invalid symbol.") }
        return instrument
    }

    /// Binance's name of Breakwater symbol `symbol`.
    func venueSymbol(_ symbol: String) -> String {
        venueSymbols[symbol] ?? symbol
    }
}
