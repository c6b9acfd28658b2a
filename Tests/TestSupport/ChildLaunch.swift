import Dispatch
import Foundation
import Synchronization

/// Starts the tests' child processes one at a time across the whole test binary, and waits
/// for a killed one with a bound.
///
/// Foundation's `Process.run()` learns of a child's exit through a socket pair whose far end
/// only that child may hold: when the child ends, the end closes and Foundation reaps it,
/// runs the termination handler and lets `waitUntilExit` return. It closes the child's other
/// descriptors by number, up to the highest one open when it looks. A `run()` on another
/// thread at that moment makes a pair (or a `Pipe`) the first child then inherits, and the
/// second child's exit goes unseen until the first child ends as well. Tests start services
/// in parallel: a suite's teardown once waited, without bound and on one of the two
/// cooperative threads, for a child whose end was held by a sibling it would stop next, and
/// the whole run hung. So every child starts here, under one lock, and the pipes given to a
/// child are made under the same lock.
public enum ChildLaunch {
    private static let lock = Mutex(())

    /// `process.run()`, with no other child starting meanwhile.
    public static func run(_ process: Process) throws {
        try lock.withLock { _ in try process.run() }
    }

    /// A pipe for a child's output, made while no child is starting.
    public static func pipe() -> Pipe {
        lock.withLock { _ in Pipe() }
    }

    /// After SIGKILL: waits for `exited` (signalled by the process's termination handler) for at
    /// most `timeout`. The kernel ends a killed process at once; if Foundation has not seen it by
    /// then, the test goes on rather than block a thread of the cooperative pool for good.
    public static func awaitKilled(_ process: Process, exited: DispatchSemaphore?, timeout: Duration = .seconds(15)) {
        guard let exited else { return }
        let milliseconds = Int(timeout.components.seconds * 1_000)
        if exited.wait(timeout: .now() + .milliseconds(milliseconds)) == .timedOut {
            FileHandle.standardError.write(Data(
                "ChildLaunch: pid \(process.processIdentifier) not seen to exit \(milliseconds) ms after SIGKILL; going on\n".utf8))
        }
    }
}
