/// What kind of contract an instrument is (M3); wire spelling `spot` / `linear_perpetual`.
public enum InstrumentKind: String, Codable, Sendable, CaseIterable {
    /// A spot pair: buying delivers the base asset.
    case spot
    /// A linear (quote-margined) perpetual future.
    case linearPerpetual = "linear_perpetual"
}
