import TradingModel

/// Breakwater's symbols (`BTC/USDT`) and Binance's (`BTCUSDT`), and the order enums.
public enum BinanceSymbols {
    /// Binance's name of the pair: base and quote asset, no separator.
    public static func venueSymbol(base: String, quote: String) -> String { base + quote }

    /// `BUY` / `SELL`.
    public static func side(_ side: Side) -> String { side == .buy ? "BUY" : "SELL" }

    /// The side named `text` (`BUY` / `SELL`), if it is one.
    public static func side(_ text: String) -> Side? {
        switch text {
        case "BUY": .buy
        case "SELL": .sell
        default: nil
        }
    }

    /// `LIMIT` / `MARKET`.
    public static func type(_ type: OrderType) -> String { type == .limit ? "LIMIT" : "MARKET" }

    /// The order type named `text`, if this suite trades it.
    public static func type(_ text: String) -> OrderType? {
        switch text {
        case "LIMIT": .limit
        case "MARKET": .market
        default: nil
        }
    }
}
