import BinanceWire
import BusProtocol
import Logging
import TradingModel
import VenueKit

/// The symbols an adapter trades: Binance's names and Breakwater's instruments (`BTC/USDT`,
/// tick from PRICE_FILTER, lot from LOT_SIZE, minimum from NOTIONAL or MIN_NOTIONAL).
struct BinanceMarkets: Sendable {
    let instruments: [Instrument]
    /// Binance's symbols, in the instruments' order.
    let venueSymbols: [String]
    private let byVenueSymbol: [String: Instrument]
    private let venueSymbolOf: [String: String]

    /// The spot symbols of `info` that are trading, limited to `only` (Breakwater symbols) when
    /// not empty. A symbol without a positive tick or step is left out (and logged).
    init(_ info: BinanceExchangeInfo, only: Set<String>, logger: Logger) {
        var instruments: [Instrument] = []
        var venueSymbols: [String] = []
        for symbol in info.symbols where symbol.status == "TRADING" && symbol.isSpotTradingAllowed {
            let name = "\(symbol.baseAsset)/\(symbol.quoteAsset)"
            guard only.isEmpty || only.contains(name) else { continue }
            guard let tick = symbol.filter("PRICE_FILTER")?.tickSize, tick.isPositive,
                let step = symbol.filter("LOT_SIZE")?.stepSize, step.isPositive
            else {
                logger.warning("venue.binance.symbol_skipped", metadata: ["symbol": "\(symbol.symbol)", "why": "no positive tick or step size"])
                continue
            }
            let minimum = symbol.filter("NOTIONAL")?.minNotional ?? symbol.filter("MIN_NOTIONAL")?.minNotional ?? .zero
            instruments.append(Instrument(
                symbol: name, base: symbol.baseAsset, quote: symbol.quoteAsset, kind: .spot,
                tickSize: tick, lotSize: step, minNotional: minimum.isNegative ? .zero : minimum))
            venueSymbols.append(symbol.symbol)
        }
        self.instruments = instruments
        self.venueSymbols = venueSymbols
        byVenueSymbol = Dictionary(uniqueKeysWithValues: zip(venueSymbols, instruments))
        venueSymbolOf = Dictionary(uniqueKeysWithValues: zip(instruments.map(\.symbol), venueSymbols))
    }

    /// The instrument Binance calls `venueSymbol`, if traded.
    func instrument(venueSymbol: String) -> Instrument? { byVenueSymbol[venueSymbol] }

    /// Binance's name of Breakwater's `symbol`, or UNKNOWN_SYMBOL.
    func venueSymbol(_ symbol: String) throws(VenueError) -> String {
        guard let venueSymbol = venueSymbolOf[symbol] else {
            throw .permanent(ServiceError(.unknownSymbol, reason: "unknown_symbol", "this Binance adapter does not trade '\(symbol)'"))
        }
        return venueSymbol
    }
}
