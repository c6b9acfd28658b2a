import BusProtocol
import TradingModel
import VenueKit

/// The paper exchange: instruments, a synthetic seeded market, matching, fees and
/// balances — as a pure value with no I/O, no clock and no randomness of its own.
///
/// The venue-sim server owns one instance and drives it from one actor or thread:
/// it passes the venue time (`now`, unix nanoseconds) into every mutation and calls
/// `advanceMarket(now:)` on its timer. Everything the exchange does follows from its
/// inputs and its seed, so a run replays exactly.
///
/// Model: unlimited liquidity at the synthetic bid and ask, so every execution fills
/// the whole order in one trade. Spot instruments only. Balances are the venue's
/// own; an order that cannot be paid for is recorded as `rejected`, like an exchange.
public struct PaperExchange: Sendable, Codable {
    /// The default taker and maker fee rate: 0.1 %.
    public static let defaultFeeRate = decimal("0.001")
    /// How many digits the numeric part of venue order ids and trade ids has.
    public static let idDigits = 12

    /// Every instrument the venue trades, in configuration order (the tick order).
    public let instruments: [Instrument]
    /// The fee rate applied to every trade's notional.
    public let feeRate: Money
    /// The largest move of a mid per `advanceMarket`, in ticks.
    public let maxStepTicks: Int

    /// The synthetic top of book per symbol.
    var books: [String: SyntheticBook]
    /// Every account's balances, free and locked.
    var ledger: Ledger
    /// The random walk's generator: the market's only source of randomness.
    var rng: SplitMix64
    /// Every order accepted or rejected, by venue order id: the working ones, and those that
    /// ended within `historyWindow`.
    var orders: [String: OrderRecord] = [:]
    /// The idempotency index: (account, client order id) → venue order id.
    var orderIds: [OrderKey: String] = [:]
    /// Working orders per symbol, oldest first (time priority).
    var openOrderIds: [String: [String]] = [:]
    /// Each account's fills in trade-seq order.
    var accountFills: [String: [VenueFill]] = [:]
    /// How long, in venue-time nanoseconds, an order that ended and a fill stay in the
    /// book (nil: for ever). Like an exchange's API, which answers about recent history
    /// only, and like Binance, a client order id that was forgotten may be used again.
    /// Part of the saved book, so a restart replays its log with the window it was made with.
    public var historyWindow: Int64?
    /// Orders that ended, oldest end first: what `forgetHistory` forgets from.
    var endedOrders: [EndedOrder]?
    /// Per account and symbol, the net quantity of the fills forgotten: a position outlives
    /// the history window (positions are the forgotten net plus the fills still kept).
    var forgottenPositions: [String: [String: Quantity]]?
    /// The last venue order number handed out (ids `V` + 12 digits).
    var orderCounter: Int64 = 0
    /// The last trade seq handed out (ids `T` + 12 digits); strictly increasing venue-wide.
    var tradeCounter: Int64 = 0

    /// Creates an exchange.
    ///
    /// - Parameters:
    ///   - instruments: the tradable instruments (spot; symbols unique).
    ///   - startingPrices: the first mid of each instrument's symbol, rounded to its tick.
    ///   - accounts: starting balances per account per asset; the only accounts that can trade.
    ///   - feeRate: fee as a fraction of notional, in `[0, 1)`.
    ///   - spreadTicks: bid–ask spread in ticks (≥ 1).
    ///   - seed: the random walk's seed; equal seeds give equal markets.
    ///   - maxStepTicks: each `advanceMarket` moves a mid by −max…+max ticks.
    ///   - startTs: venue time of the initial quotes, unix nanoseconds.
    /// - Precondition: the configuration is consistent (checked; a violation is a startup bug).
    public init(
        instruments: [Instrument], startingPrices: [String: Price], accounts: [String: [String: Money]],
        feeRate: Money = PaperExchange.defaultFeeRate, spreadTicks: Int, seed: UInt64,
        maxStepTicks: Int = 3, startTs: Int64 = 0
    ) {
        precondition(!feeRate.isNegative && feeRate < ExactDecimal(1), "feeRate must be in [0, 1), got \(feeRate)")
        precondition(maxStepTicks >= 0, "maxStepTicks must not be negative, got \(maxStepTicks)")
        var books: [String: SyntheticBook] = [:]
        for instrument in instruments {
            guard let start = startingPrices[instrument.symbol] else {
                preconditionFailure("no starting price for \(instrument.symbol)")
            }
            precondition(books[instrument.symbol] == nil, "duplicate instrument \(instrument.symbol)")
            books[instrument.symbol] = SyntheticBook(
                instrument: instrument, startPrice: start, spreadTicks: spreadTicks, ts: startTs)
        }
        self.instruments = instruments
        self.feeRate = feeRate
        self.maxStepTicks = maxStepTicks
        self.books = books
        self.ledger = Ledger(startingBalances: accounts)
        self.rng = SplitMix64(seed: seed)
    }

    /// BTC/USDT (tick 0.01, lot 0.00001, min notional 5) and ETH/USDT (tick 0.01,
    /// lot 0.0001, min notional 5), both spot.
    public static func defaultInstruments() -> [Instrument] {
        [
            Instrument(
                symbol: "BTC/USDT", base: "BTC", quote: "USDT", kind: .spot,
                tickSize: decimal("0.01"), lotSize: decimal("0.00001"), minNotional: decimal("5")),
            Instrument(
                symbol: "ETH/USDT", base: "ETH", quote: "USDT", kind: .spot,
                tickSize: decimal("0.01"), lotSize: decimal("0.0001"), minNotional: decimal("5")),
        ]
    }

    /// The starting mids of `defaultInstruments()`: BTC/USDT 50000, ETH/USDT 3000.
    public static func defaultStartingPrices() -> [String: Price] {
        ["BTC/USDT": decimal("50000"), "ETH/USDT": decimal("3000")]
    }

    // MARK: Queries

    /// The instrument traded as `symbol`, if any.
    public func instrument(symbol: String) -> Instrument? {
        books[symbol]?.instrument
    }

    /// The order with this client id in this account, as it stands now.
    public func order(account: String, clientOrderId: String) -> VenueOrder? {
        orderIds[OrderKey(account: account, clientOrderId: clientOrderId)].flatMap { orders[$0]?.order }
    }

    /// The account's working orders (`new` or `partially_filled`), oldest first.
    public func openOrders(account: String) -> [VenueOrder] {
        openOrderIds.values.joined()
            .compactMap { orders[$0] }
            .filter { $0.order.account == account }
            .sorted { $0.seq < $1.seq }
            .map(\.order)
    }

    /// The account's fills with `tradeSeq > afterTradeSeq` (all when `nil`), oldest
    /// first, at most `limit` of them. Page by passing the last seq received.
    public func fills(account: String, afterTradeSeq: Int64?, limit: Int = .max) -> [VenueFill] {
        precondition(limit >= 0, "limit must not be negative")
        let all = accountFills[account] ?? []
        guard let after = afterTradeSeq else { return Array(all.prefix(limit)) }
        // Fills are appended in seq order: binary-search the first one after `after`.
        var low = 0
        var high = all.count
        while low < high {
            let middle = (low + high) / 2
            if all[middle].tradeSeq <= after { low = middle + 1 } else { high = middle }
        }
        return Array(all[low...].prefix(limit))
    }

    /// The account's total balance per asset (free + locked by working orders), as a
    /// reconciler compares it; empty for an account the venue does not know.
    public func balances(account: String) -> [String: Money] {
        ledger.totals(account)
    }

    /// The account's free balance per asset (total minus what working orders lock);
    /// empty for an unknown account.
    public func availableBalances(account: String) -> [String: Money] {
        ledger.frees(account)
    }

    /// The account's net base quantity per symbol, from its fills (buys minus sells).
    /// Symbols never traded, or traded back to flat, are absent.
    public func positions(account: String) -> [String: Quantity] {
        (forgottenPositions?[account] ?? [:])
            .merging(VenuePositions.net(of: accountFills[account] ?? []), uniquingKeysWith: +)
            .filter { !$0.value.isZero }
    }

    /// The current top of book of `symbol`, if the venue trades it.
    public func quote(symbol: String) -> VenueTick? {
        books[symbol]?.tick
    }

    // MARK: Helpers

    /// `prefix` + `value` zero-padded to `idDigits` digits, e.g. `V000000000001`.
    static func formatId(_ prefix: String, _ value: Int64) -> String {
        let digits = String(value)
        return prefix + String(repeating: "0", count: max(0, idDigits - digits.count)) + digits
    }

    /// A decimal constant; a malformed literal is a programmer error.
    static func decimal(_ text: String) -> ExactDecimal {
        guard let value = ExactDecimal(text) else { preconditionFailure("bad decimal literal \(text)") }
        return value
    }
}
