import Dispatch
import Glibc

/// Delivers chosen process signals to a handler instead of their default action, for the time of a run.
///
/// Each signal is set to SIG_IGN (as dispatch sources require) and watched by a dispatch source; `cancel()`
/// restores the disposition found at start. Children do not inherit the SIG_IGN: `ProcessSpawner` resets every
/// disposition to its default in them. One trap per signal at a time in a process: traps that overlap would
/// restore each other's SIG_IGN.
final class SignalTrap {
    private var sources: [any DispatchSourceSignal] = []
    private var previous: [(signal: Int32, action: sigaction)] = []

    /// Starts routing `signals` to `handler`, which runs on a dispatch queue.
    init(signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        for signalNumber in Set(signals) {
            var action = sigaction()
            sigaction(signalNumber, nil, &action)
            previous.append((signalNumber, action))
            _ = signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { handler(signalNumber) }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops watching and puts the previous dispositions back.
    func cancel() {
        for source in sources { source.cancel() }
        sources.removeAll()
        for (signalNumber, action) in previous {
            var action = action
            sigaction(signalNumber, &action, nil)
        }
        previous.removeAll()
    }
}
