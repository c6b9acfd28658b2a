import Dispatch

extension Duration {
    /// Whole milliseconds, rounded down; enough resolution for timers and messages.
    var supervisionMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }

    /// "1s", "30s", "250ms": the short form used in the supervisor's messages.
    var supervisionDescription: String {
        let milliseconds = supervisionMilliseconds
        return milliseconds % 1_000 == 0 ? "\(milliseconds / 1_000)s" : "\(milliseconds)ms"
    }

    /// The same span for `DispatchQueue.asyncAfter`.
    var dispatchInterval: DispatchTimeInterval {
        .milliseconds(Int(clamping: max(0, supervisionMilliseconds)))
    }
}
