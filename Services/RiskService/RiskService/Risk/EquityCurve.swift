import TradingModel

/// One account's equity over the day: the day's open and high, initial capital, and
/// the drawdown and daily loss that the governor and the breaker act on.
///
/// The day is the UTC day: it starts at 00:00:00 UTC of the injected clock, when the
/// open and the high are reset to the first equity valued that day. Profit mode
/// (R4): with equity above initial capital × factor, the drawdown is measured from
/// initial capital instead of the day's high.
public struct EquityCurve: Sendable, Equatable {
    /// Nanoseconds in a UTC day.
    static let nanosPerDay: Int64 = 86_400_000_000_000

    /// Initial capital: configured, or else the first equity ever valued (in memory).
    public private(set) var initialCapital: ExactDecimal?
    /// The UTC day number of the last valuation.
    public private(set) var day: Int64 = -1
    /// The first equity valued this UTC day.
    public private(set) var dayOpen: ExactDecimal?
    /// The highest equity valued this UTC day.
    public private(set) var dayHigh: ExactDecimal?
    /// The latest equity.
    public private(set) var equity: ExactDecimal?

    /// A curve with a configured initial capital, or nil to take the first valuation.
    public init(initialCapital: ExactDecimal?) {
        self.initialCapital = initialCapital
    }

    /// The UTC day number of a unix-nanosecond time.
    public static func utcDay(_ nanos: Int64) -> Int64 {
        nanos >= 0 ? nanos / nanosPerDay : (nanos - nanosPerDay + 1) / nanosPerDay
    }

    /// Takes a new valuation in.
    public mutating func observe(equity value: ExactDecimal, now: Int64) {
        if initialCapital == nil { initialCapital = value }
        let today = Self.utcDay(now)
        if today != day {
            day = today
            dayOpen = value
            dayHigh = value
        }
        if let high = dayHigh, value > high { dayHigh = value }
        equity = value
    }

    /// The baselines to journal, once there has been a valuation.
    public func mark(at now: Int64) -> EquityMark? {
        guard let dayOpen, let dayHigh, let initialCapital else { return nil }
        return EquityMark(day: day, open: dayOpen, high: dayHigh, initialCapital: initialCapital, at: now)
    }

    /// Takes journaled baselines back (replay after a restart). A later day replaces the
    /// day; the same day keeps the higher high; an earlier day changes nothing. A
    /// configured initial capital is kept.
    public mutating func restore(_ mark: EquityMark) {
        if initialCapital == nil { initialCapital = mark.initialCapital }
        if mark.day > day {
            day = mark.day
            dayOpen = mark.open
            dayHigh = mark.high
        } else if mark.day == day, let high = dayHigh, mark.high > high {
            dayHigh = mark.high
        }
    }

    /// Whether the drawdown is measured from initial capital (equity above capital × factor).
    public func inProfitMode(factor: ExactDecimal) -> Bool {
        guard let equity, let capital = initialCapital else { return false }
        return equity > capital.multiplied(by: factor, rounding: .up)
    }

    /// The fraction below the reference (0 when at or above it); nil before any valuation.
    public func drawdown(profitFactor: ExactDecimal) -> ExactDecimal? {
        guard let equity, let high = dayHigh else { return nil }
        let reference = inProfitMode(factor: profitFactor) ? (initialCapital ?? high) : high
        return Self.fractionBelow(equity, reference)
    }

    /// The day's loss as a fraction of the day's open (0 when up); nil before any valuation.
    public var dailyLoss: ExactDecimal? {
        guard let equity, let open = dayOpen else { return nil }
        return Self.fractionBelow(equity, open)
    }

    /// equity − day open.
    public var dailyPnl: ExactDecimal? {
        guard let equity, let open = dayOpen else { return nil }
        return equity - open
    }

    /// (reference − value) / reference when below, else 0.
    static func fractionBelow(_ value: ExactDecimal, _ reference: ExactDecimal) -> ExactDecimal {
        guard reference.isPositive, value < reference else { return .zero }
        return (reference - value).divided(by: reference, rounding: .up)
    }
}
