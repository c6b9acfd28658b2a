/// An account's equity baselines for one UTC day (R3, R4): the day's open and high and the
/// initial capital that drawdown, daily loss and profit mode are measured from.
///
/// Risk-service journals a mark whenever they move (a new day at once, a new high at most
/// once a second), and restores them from the journal after a restart. Without it a
/// restart would take the current equity as the day's high: the drawdown would read 0,
/// the governor could step down and the daily-loss trigger would start blind.
public struct EquityMark: Codable, Sendable, Equatable {
    /// The UTC day number (days since 1970-01-01).
    public var day: Int64
    /// The first equity valued that day.
    public var open: ExactDecimal
    /// The highest equity valued that day so far.
    public var high: ExactDecimal
    /// The capital profit mode and, past the day's high, drawdown are measured from.
    public var initialCapital: ExactDecimal
    /// When it was valued, unix nanoseconds.
    public var at: Int64

    /// Creates a mark.
    public init(day: Int64, open: ExactDecimal, high: ExactDecimal, initialCapital: ExactDecimal, at: Int64) {
        self.day = day
        self.open = open
        self.high = high
        self.initialCapital = initialCapital
        self.at = at
    }

    /// The deterministic fact id of an account's mark valued at `at`.
    public static func factId(account: String, at: Int64) -> String { "equity:\(account):\(at)" }

    enum CodingKeys: String, CodingKey {
        case day, open, high, at
        case initialCapital = "initial_capital"
    }
}
