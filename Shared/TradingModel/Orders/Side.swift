/// The side of an order or a fill; wire spelling `buy` / `sell`.
public enum Side: String, Codable, Sendable, CaseIterable {
    /// Buy the base asset, paying the quote asset.
    case buy
    /// Sell the base asset, receiving the quote asset.
    case sell
}
