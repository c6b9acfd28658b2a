/// The type of an order; wire spelling `market` / `limit`.
public enum OrderType: String, Codable, Sendable, CaseIterable {
    /// Execute against the book now; sent to the venue as an IOC limit capped for slippage (G7).
    case market
    /// Execute at the given price or better.
    case limit
}
