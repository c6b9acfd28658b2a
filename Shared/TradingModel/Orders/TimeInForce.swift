/// How long an order stays working at the venue; wire spelling `GTC` / `IOC` / `FOK`.
public enum TimeInForce: String, Codable, Sendable, CaseIterable {
    /// Good till canceled: rests on the book until filled or canceled.
    case gtc = "GTC"
    /// Immediate or cancel: fills what it can at once, the rest is canceled.
    case ioc = "IOC"
    /// Fill or kill: fills entirely at once or not at all.
    case fok = "FOK"
}
