import BinanceWire
import BusKit
import BusProtocol
import Logging
import Synchronization
import TradingModel
import VenueKit

/// The `Venue` for Binance Spot's REST API (the live exchange, its spot test network, or
/// venue-sim's Binance front): one API key, which trades one Breakwater account.
///
/// - Orders: client order ids are mapped to Binance's alphabet (`BinanceClientOrderId`);
///   `FULL` replies carry a place's fills; a query of an order that traded also reads its
///   trades (fees in the asset Binance charged: base, quote or BNB).
/// - Idempotency: Binance refuses a repeated `newClientOrderId` only while the first order is
///   OPEN; after it ended, a resend is a second order. So this adapter never resends a place
///   (and the gateway asks by client order id before any retry: `Venue.place`).
/// - Symbols: Binance needs one on every order call; it is remembered from the place, else
///   each traded symbol is asked in turn.
/// - The stream: top of book polled every `tickInterval`; the trades from the WebSocket API's
///   user data stream, with a REST catch-up from a cursor per symbol on every (re)connect
///   (`BinanceSpotVenue+Stream.swift`); what it still misses, the reconciler's pass repairs.
public final class BinanceSpotVenue: Venue {
    /// The adapter's settings.
    public struct Configuration: Sendable {
        /// The REST base URL, e.g. `https://api.binance.com` or `http://127.0.0.1:5572`.
        public var baseURL: String
        public var credentials: BinanceCredentials
        /// The Breakwater account this key trades.
        public var account: String
        /// How long a signed request stays valid at the venue: below the gateway's unknown
        /// grace, so a place that timed out here cannot land after the order was given up on.
        public var recvWindow: Duration = .seconds(5)
        /// One HTTP call's limit.
        public var timeout: Duration = .seconds(2)
        /// The part of the venue's request weight per minute this process may spend, percent:
        /// the weight budget is the venue's own count for the IP, which every process on it
        /// shares (`BinanceREST`); the reconciler's share is below the gateway's.
        public var weightSharePercent = 100
        /// Breakwater symbols to trade (`BTC/USDT`); empty: every spot symbol the venue trades.
        public var symbols: [String] = []
        /// How often the top of book is polled for the stream.
        public var tickInterval: Duration = .milliseconds(250)
        /// How often new trades are polled, when there is no user data stream.
        public var pollInterval: Duration = .seconds(1)
        /// The WebSocket API (`wss://ws-api.binance.com:443/ws-api/v3`) whose user data stream
        /// carries the trades; nil: the trades are polled every `pollInterval` instead.
        public var streamURL: String?
        /// A stream not heard from for this long is taken for dead and reconnected (a ping
        /// goes out every third of it, so a healthy stream is always heard).
        public var streamSilenceLimit: Duration = .seconds(10)

        public init(baseURL: String, credentials: BinanceCredentials, account: String) {
            self.baseURL = baseURL
            self.credentials = credentials
            self.account = account
        }
    }

    public let name = "binance"
    public let stream: AsyncStream<VenueEvent>
    let configuration: Configuration
    let rest: BinanceREST
    let ids = ClientIdBook()
    let logger: Logger
    let events: AsyncStream<VenueEvent>.Continuation
    /// Binance's symbols and the instruments they are, once read.
    let markets = Mutex<BinanceMarkets?>(nil)
    /// The Binance symbol of each client order id this process placed or found.
    let symbolOfOrder = Mutex<[String: String]>([:])
    /// Breakwater's client order id of each Binance order id seen (trades name only the order id).
    let clientIdOfOrder = Mutex<[Int64: String]>([:])
    /// The last trade id streamed, per Binance symbol (Binance numbers trades per symbol).
    let tradeCursors = Mutex<[String: Int64]>([:])
    /// Whether a user data stream session is subscribed now, and how many began and ended.
    let streamUp = Atomic<Bool>(false)
    let streamSessionsStarted = Atomic<Int>(0)
    let streamSessionsEnded = Atomic<Int>(0)
    /// Called when a session is subscribed after an earlier one was lost.
    let resubscribed = Mutex<(@Sendable () -> Void)?>(nil)

    /// The most ticks and fills buffered for a slow stream consumer (the newest are kept).
    static let streamBufferLimit = 10_000

    /// - Parameter now: unix nanoseconds (tests skew it to provoke -1021).
    public init(configuration: Configuration, logger: Logger, now: @escaping @Sendable () -> Int64 = { WallClock.nowNanos() }) {
        self.configuration = configuration
        self.logger = logger
        rest = BinanceREST(
            baseURL: configuration.baseURL, credentials: configuration.credentials, recvWindow: configuration.recvWindow,
            timeout: configuration.timeout, weightSharePercent: configuration.weightSharePercent, now: now)
        (stream, events) = AsyncStream.makeStream(of: VenueEvent.self, bufferingPolicy: .bufferingNewest(Self.streamBufferLimit))
    }

    /// Measures the server time offset, reads the instruments and checks the key with a
    /// signed call (a rejected key is `.fatal`): call before trading.
    /// - Returns: the instruments traded.
    @discardableResult
    public func start() async throws(VenueError) -> [Instrument] {
        try await rest.syncTime()
        let instruments = try await instruments()
        let _: BinanceAccount = try await rest.signed(.GET, "/api/v3/account", BinanceQuery([("omitZeroBalances", "true")]))
        logger.info("venue.binance.ready", metadata: [
            "venue.base_url": "\(configuration.baseURL)", "venue.time_offset_ms": "\(rest.serverOffsetMillis)",
            "venue.instruments": "\(instruments.count)",
        ])
        return instruments
    }

    /// Calls `action` each time the user data stream is subscribed again after a loss (not
    /// for the first session): the gateway asks the reconciler for a pass then.
    public func onResubscribed(_ action: @escaping @Sendable () -> Void) {
        resubscribed.withLock { $0 = action }
    }

    /// Whether the user data stream is subscribed now (false without one).
    public var isStreamUp: Bool { streamUp.load(ordering: .relaxed) }

    /// How many user data stream sessions were subscribed, and how many ended, so far.
    public var streamSessions: (started: Int, ended: Int) {
        (streamSessionsStarted.load(ordering: .relaxed), streamSessionsEnded.load(ordering: .relaxed))
    }

    /// The last request weight the venue reported for this minute.
    public var usedWeight: Int { rest.usedWeight.load(ordering: .relaxed) }

    /// The server-minus-local clock offset in ms, as last measured.
    public var serverOffsetMillis: Int64 { rest.serverOffsetMillis }

    public func instruments() async throws(VenueError) -> [Instrument] {
        let info: BinanceExchangeInfo = try await rest.get("/api/v3/exchangeInfo")
        if let limit = info.rateLimits.first(where: { $0.rateLimitType == "REQUEST_WEIGHT" && $0.interval == "MINUTE" && $0.intervalNum == 1 })?.limit {
            rest.weightLimit.store(limit, ordering: .relaxed)
        }
        let markets = BinanceMarkets(info, only: Set(configuration.symbols), logger: logger)
        self.markets.withLock { $0 = markets }
        return markets.instruments
    }

    /// The markets, read once.
    func loadedMarkets() async throws(VenueError) -> BinanceMarkets {
        if let markets = markets.withLock({ $0 }) { return markets }
        _ = try await instruments()
        guard let markets = markets.withLock({ $0 }) else { preconditionFailure("instruments() stores the markets") }
        return markets
    }

    /// Refuses an account this key does not trade.
    func check(account: String) throws(VenueError) {
        guard account == configuration.account else {
            throw .permanent(ServiceError(.unknownAccount, reason: "unknown_account", "this Binance key trades '\(configuration.account)', not '\(account)'"))
        }
    }

    /// Never resent here: a repeat after the first order ended would be a second order.
    public func place(_ order: VenuePlace) async throws(VenueError) -> VenueOrder {
        try check(account: order.account)
        let markets = try await loadedMarkets()
        let venueSymbol = try markets.venueSymbol(order.symbol)
        let venueId = ids.venueId(for: order.clientOrderId)
        var params = BinanceQuery([
            ("symbol", venueSymbol), ("side", BinanceSymbols.side(order.side)), ("type", BinanceSymbols.type(order.type)),
            ("quantity", order.qty.description),
        ])
        if order.type == .limit {
            guard let price = order.price else {
                throw .permanent(ServiceError(.invalidPrice, reason: "price_missing", "a limit order needs a price"))
            }
            params.append("price", price.description)
            params.append("timeInForce", order.timeInForce.rawValue)
        }
        params.append("newClientOrderId", venueId)
        params.append("newOrderRespType", "FULL")
        symbolOfOrder.withLock { $0[order.clientOrderId] = venueSymbol }
        let report: BinanceOrder = try await rest.signed(.POST, "/api/v3/order", params)
        return try venueOrder(report, markets: markets, fills: nil)
    }

    public func order(account: String, clientOrderId: String) async throws(VenueError) -> VenueOrder? {
        try check(account: account)
        let markets = try await loadedMarkets()
        let venueId = ids.venueId(for: clientOrderId)
        for venueSymbol in candidateSymbols(clientOrderId, markets) {
            do {
                let report: BinanceOrder = try await rest.signed(
                    .GET, "/api/v3/order", BinanceQuery([("symbol", venueSymbol), ("origClientOrderId", venueId)]))
                symbolOfOrder.withLock { $0[clientOrderId] = venueSymbol }
                return try await withTrades(report, markets: markets)
            } catch .permanent(let error) where error.code == .notFound {
                continue
            }
        }
        return nil
    }

    /// A cancel of an order that already ended answers the order as it stands (as the paper venue does).
    public func cancel(account: String, clientOrderId: String) async throws(VenueError) -> VenueOrder {
        try check(account: account)
        let markets = try await loadedMarkets()
        guard let found = try await order(account: account, clientOrderId: clientOrderId) else {
            throw .permanent(ServiceError(.notFound, reason: "order_not_found", "Binance has no order '\(clientOrderId)'"))
        }
        guard !found.status.isTerminal else { return found }
        let venueSymbol = try markets.venueSymbol(found.symbol)
        do {
            let report: BinanceOrder = try await rest.signed(
                .DELETE, "/api/v3/order", BinanceQuery([("symbol", venueSymbol), ("origClientOrderId", ids.venueId(for: clientOrderId))]))
            var canceled = report
            canceled.clientOrderId = report.origClientOrderId ?? ids.venueId(for: clientOrderId)
            return try await withTrades(canceled, markets: markets)
        } catch .permanent(let error) where error.code == .notFound {
            // Ended between the query and the cancel (filled, most likely): say how.
            guard let ended = try await order(account: account, clientOrderId: clientOrderId) else { throw .permanent(error) }
            return ended
        }
    }

    public func openOrders(account: String) async throws(VenueError) -> [VenueOrder] {
        try check(account: account)
        let markets = try await loadedMarkets()
        let reports: [BinanceOrder] = try await rest.signed(.GET, "/api/v3/openOrders", BinanceQuery())
        var orders: [VenueOrder] = []
        for report in reports where markets.instrument(venueSymbol: report.symbol) != nil {
            orders.append(try await withTrades(report, markets: markets))
        }
        return orders
    }

    /// The account's trades after trade id `afterTradeSeq` in every traded symbol, merged in
    /// id order and cut where a symbol's page ended, so paging by the last id misses none.
    /// Exact from the start (nil); with a cursor, only when one number orders every symbol's
    /// trades, which Binance's per-symbol numbering does not: follow trades with
    /// `allFills(account:after:)`, one cursor per symbol.
    public func fills(account: String, afterTradeSeq: Int64?) async throws(VenueError) -> [VenueFill] {
        try check(account: account)
        let markets = try await loadedMarkets()
        var all: [VenueFill] = []
        var cutoff = Int64.max
        for venueSymbol in markets.venueSymbols {
            let page = try await trades(venueSymbol, fromId: (afterTradeSeq ?? -1) + 1, markets: markets)
            all += page
            if page.count == Self.tradePage, let last = page.last { cutoff = min(cutoff, last.tradeSeq) }
        }
        return all.filter { $0.tradeSeq <= cutoff }.sorted { $0.tradeSeq < $1.tradeSeq }
    }

    /// Binance numbers trades per symbol: a fill's series is its symbol.
    public func tradeSeries(of fill: VenueFill) -> String { fill.symbol }

    /// Every trade after each symbol's cursor, every page of each symbol.
    public func allFills(account: String, after cursor: TradeCursor) async throws(VenueError) -> [VenueFill] {
        try check(account: account)
        let markets = try await loadedMarkets()
        var all: [VenueFill] = []
        for instrument in markets.instruments {
            var after = cursor.last(in: instrument.symbol) ?? -1
            while true {
                let page = try await trades(try markets.venueSymbol(instrument.symbol), fromId: after + 1, markets: markets)
                all += page
                guard page.count == Self.tradePage, let last = page.last else { break }
                after = last.tradeSeq
            }
        }
        return all
    }

    /// The most trades one myTrades call returns.
    static let tradePage = 1_000

    public func balances(account: String) async throws(VenueError) -> VenueBalances {
        try check(account: account)
        let info: BinanceAccount = try await rest.signed(.GET, "/api/v3/account", BinanceQuery([("omitZeroBalances", "true")]))
        var totals: [String: Money] = [:]
        for balance in info.balances { totals[balance.asset] = balance.free + balance.locked }
        return VenueBalances(account: account, balances: totals)
    }

    /// The symbols to ask for an order: the one it was placed or found in, else every one.
    private func candidateSymbols(_ clientOrderId: String, _ markets: BinanceMarkets) -> [String] {
        if let known = symbolOfOrder.withLock({ $0[clientOrderId] }) { return [known] }
        return markets.venueSymbols
    }
}
