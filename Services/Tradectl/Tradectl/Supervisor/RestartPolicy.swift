/// When to restart a process that exited on its own, and when to stop trying.
///
/// Every exit while the suite runs counts as a crash, status 0 included: the suite's processes are services that
/// should never end by themselves. Crashes are counted per process over a sliding window; the n-th crash inside the
/// window is followed by a restart after `initialDelay × 2^(n-1)`, capped at `maxDelay`. One crash more than
/// `maxCrashes` inside the window is a crash loop: the supervisor stops everything and `run()` returns
/// `Supervisor.crashLoopStatus`, because restarting forever would only hide a failure that needs a person.
public struct RestartPolicy: Sendable, Equatable {
    /// Delay before the restart that follows the first crash in the window.
    public var initialDelay: Duration
    /// Upper bound of the doubling delay.
    public var maxDelay: Duration
    /// Crashes of one process tolerated inside `crashWindow`; one more stops the suite.
    public var maxCrashes: Int
    /// Sliding window over which crashes are counted.
    public var crashWindow: Duration

    /// 1 s, 2 s, 4 s … at most 30 s; more than 5 crashes within 60 s is a crash loop.
    public static let `default` = RestartPolicy(
        initialDelay: .seconds(1), maxDelay: .seconds(30), maxCrashes: 5, crashWindow: .seconds(60)
    )

    /// A policy; delays must be positive, `maxCrashes` at least 0.
    public init(initialDelay: Duration, maxDelay: Duration, maxCrashes: Int, crashWindow: Duration) {
        precondition(initialDelay > .zero && maxDelay >= initialDelay, "restart delays must be positive and ordered")
        precondition(maxCrashes >= 0 && crashWindow > .zero, "crash limits must not be negative")
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxCrashes = maxCrashes
        self.crashWindow = crashWindow
    }

    /// Delay before restarting after the `crashCount`-th crash inside the window (1 for the first).
    public func delay(afterCrashes crashCount: Int) -> Duration {
        precondition(crashCount >= 1, "a restart follows at least one crash")
        var delay = initialDelay
        for _ in 1..<crashCount {
            delay *= 2
            if delay >= maxDelay { return maxDelay }
        }
        return min(delay, maxDelay)
    }
}
