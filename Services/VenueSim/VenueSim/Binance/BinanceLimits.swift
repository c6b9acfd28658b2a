import Synchronization

/// The Binance front's rate limits, counted as Binance counts them: request weight per
/// minute (fixed windows on the minute, reported in `X-MBX-USED-WEIGHT-1M`) and new orders
/// per 10 seconds and per day (`X-MBX-ORDER-COUNT-10S`, `-1D`). Over a limit the request is
/// refused with 429 and `Retry-After` (seconds to the window's end).
final class BinanceLimits: Sendable {
    /// A request refused for a limit: which one, and seconds until it resets.
    enum Breach: Error, Equatable {
        case weight(retryAfterSeconds: Int)
        case orders(window: String, limit: Int, retryAfterSeconds: Int)
    }

    private struct Window {
        var start: Int64 = -1
        var used = 0

        mutating func roll(to start: Int64) {
            if start != self.start {
                self.start = start
                used = 0
            }
        }
    }

    private struct State {
        var weight = Window()
        var orders10s = Window()
        var ordersDay = Window()
    }

    let limits: BinanceFront.Limits
    private let state = Mutex(State())

    init(_ limits: BinanceFront.Limits) {
        self.limits = limits
    }

    /// Charges `weight` at `nowMillis`; the weight used in this minute, or the breach.
    func charge(weight: Int, nowMillis: Int64) -> Result<Int, Breach> {
        state.withLock { state in
            state.weight.roll(to: nowMillis / 60_000)
            state.weight.used += weight
            guard state.weight.used <= limits.weightPerMinute else {
                return .failure(.weight(retryAfterSeconds: Self.secondsLeft(nowMillis, window: 60_000)))
            }
            return .success(state.weight.used)
        }
    }

    /// The weight used in this minute.
    func usedWeight(nowMillis: Int64) -> Int {
        state.withLock { state in
            state.weight.roll(to: nowMillis / 60_000)
            return state.weight.used
        }
    }

    /// Counts one new order; the order counts (10 s, day), or the breach.
    func countOrder(nowMillis: Int64) -> Result<(tenSeconds: Int, day: Int), Breach> {
        state.withLock { state in
            state.orders10s.roll(to: nowMillis / 10_000)
            state.ordersDay.roll(to: nowMillis / 86_400_000)
            guard state.orders10s.used < limits.ordersPer10s else {
                return .failure(.orders(window: "10 SECOND", limit: limits.ordersPer10s, retryAfterSeconds: Self.secondsLeft(nowMillis, window: 10_000)))
            }
            guard state.ordersDay.used < limits.ordersPerDay else {
                return .failure(.orders(window: "1 DAY", limit: limits.ordersPerDay, retryAfterSeconds: Self.secondsLeft(nowMillis, window: 86_400_000)))
            }
            state.orders10s.used += 1
            state.ordersDay.used += 1
            return .success((state.orders10s.used, state.ordersDay.used))
        }
    }

    private static func secondsLeft(_ nowMillis: Int64, window: Int64) -> Int {
        Int((window - nowMillis % window + 999) / 1_000)
    }
}
