/// A tradable instrument with the venue's trading rules (M2, M3).
public struct Instrument: Codable, Sendable, Equatable {
    /// The symbol as clients and venues spell it, e.g. `BTC/USDT`.
    public var symbol: String
    /// The asset being bought or sold, e.g. `BTC`.
    public var base: String
    /// The asset prices are quoted in, e.g. `USDT`.
    public var quote: String
    /// Spot pair or linear perpetual.
    public var kind: InstrumentKind
    /// Every price must be a multiple of this.
    public var tickSize: Price
    /// Every quantity must be a multiple of this.
    public var lotSize: Quantity
    /// The smallest allowed order value, `qty × price`, in the quote asset.
    public var minNotional: Money

    /// Creates an instrument.
    ///
    /// - Precondition: `tickSize` and `lotSize` are positive, `minNotional` is not negative.
    public init(
        symbol: String, base: String, quote: String, kind: InstrumentKind,
        tickSize: Price, lotSize: Quantity, minNotional: Money
    ) {
        precondition(tickSize.isPositive && lotSize.isPositive, "tick and lot sizes must be positive")
        precondition(!minNotional.isNegative, "min notional must not be negative")
        self.symbol = symbol
        self.base = base
        self.quote = quote
        self.kind = kind
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.minNotional = minNotional
    }

    /// Decodes an instrument, refusing non-positive tick or lot sizes and a negative
    /// min notional (bad reference data must fail loudly at load, not at the first order).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let tickSize = try c.decode(Price.self, forKey: .tickSize)
        let lotSize = try c.decode(Quantity.self, forKey: .lotSize)
        let minNotional = try c.decode(Money.self, forKey: .minNotional)
        guard tickSize.isPositive, lotSize.isPositive, !minNotional.isNegative else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: c.codingPath,
                debugDescription: "tick_size and lot_size must be positive, min_notional not negative"))
        }
        self.init(
            symbol: try c.decode(String.self, forKey: .symbol), base: try c.decode(String.self, forKey: .base),
            quote: try c.decode(String.self, forKey: .quote), kind: try c.decode(InstrumentKind.self, forKey: .kind),
            tickSize: tickSize, lotSize: lotSize, minNotional: minNotional)
    }

    /// The wire key names (snake_case, PROTOCOL.md).
    enum CodingKeys: String, CodingKey {
        case symbol, base, quote, kind
        case tickSize = "tick_size"
        case lotSize = "lot_size"
        case minNotional = "min_notional"
    }
}
