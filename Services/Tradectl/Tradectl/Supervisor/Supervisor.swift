import Glibc
import Synchronization

/// Runs the suite's processes on this machine, as `tradectl up` does: starts them in order, forwards their output
/// line by line behind a padded name, restarts one that exits on its own (with backoff, up to a crash loop), and
/// stops them all in reverse order on SIGINT, SIGTERM, SIGHUP, `stop()` or cancellation of `run()`.
///
/// Process model (Linux only):
/// - Each child is started with posix_spawn (see `ProcessSpawner`) as the leader of its own process group, with
///   stdin on /dev/null and stdout+stderr on one pipe read by a thread of its own; signals go to the whole group,
///   so a shell script's own children stop with it, and leftovers of a group die with its leader.
/// - Ctrl-C: the terminal signals its foreground process group, which holds the supervisor but not the children
///   (they have groups of their own), so the stop is always the ordered one below and never a burst of "crashes".
///   A child's exit while a stop is under way is never a crash and never restarted.
/// - Stop: SIGTERM to the last-started child, and to each earlier one once the later ones have exited or their share
///   of `stopTimeout` has passed; SIGKILL to all that remain when `stopTimeout` is over; `run()` returns at most
///   ~1 s later even if something survives SIGKILL. A second stop signal during the stop sends SIGKILL at once.
/// - Orphans: if the supervisor is killed outright (SIGKILL), an `OrphanGuard` process stops the children.
/// - Process-wide side effects while running: SIGPIPE is ignored (for good); the stop signals are routed to the
///   supervisor and restored when `run()` returns.
public final class Supervisor: Sendable {
    /// What `run()` returns after a stop asked for by `stop()`, a signal or cancellation.
    public static let cleanStopStatus: Int32 = 0
    /// What `run()` returns after giving up on a crash-looping process (see `RestartPolicy`).
    public static let crashLoopStatus: Int32 = 1
    /// The signals that stop the supervisor by default.
    public static let defaultStopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    /// How long children still alive after SIGKILL are waited for before `run()` returns anyway.
    static let killGrace: Duration = .seconds(1)

    /// The processes, in start order.
    public let processes: [SupervisedProcess]
    /// Total time a stop gives the children between the first SIGTERM and SIGKILL.
    public let stopTimeout: Duration
    /// When to restart a process that exited on its own.
    public let restartPolicy: RestartPolicy
    /// Signals that make the supervisor stop (an empty list: only `stop()` does).
    public let stopSignals: [Int32]
    private let output: LineSink
    private let control = Mutex(Control())

    private struct Control: Sendable {
        var hasRun = false
        var stopRequested = false
        var mailbox: Mailbox<SupervisorEvent>?
    }

    /// A supervisor for `processes`, started in list order. Names must be unique and non-empty, executables
    /// absolute paths, and `stopTimeout` positive.
    public init(
        processes: [SupervisedProcess],
        output: LineSink = .standardOutput,
        stopTimeout: Duration = .seconds(5),
        restartPolicy: RestartPolicy = .default,
        stopSignals: [Int32] = Supervisor.defaultStopSignals
    ) {
        precondition(Set(processes.map(\.name)).count == processes.count, "supervised process names must be unique")
        precondition(processes.allSatisfy { !$0.name.isEmpty }, "a supervised process needs a name")
        precondition(processes.allSatisfy { $0.executable.hasPrefix("/") }, "executables must be absolute paths")
        precondition(stopTimeout > .zero, "stopTimeout must be positive")
        self.processes = processes
        self.output = output
        self.stopTimeout = stopTimeout
        self.restartPolicy = restartPolicy
        self.stopSignals = stopSignals
    }

    /// Starts the processes and supervises them until stopped; call once.
    ///
    /// Returns `cleanStopStatus` (0) after a requested stop, `crashLoopStatus` after a crash loop. Throws
    /// `SupervisorError.startFailed` if a process cannot be started at all, after stopping those already started.
    /// Cancelling the calling task is a `stop()`: it still returns only once the children are gone.
    public func run() async throws -> Int32 {
        let mailbox = Mailbox<SupervisorEvent>()
        control.withLock { control in
            precondition(!control.hasRun, "Supervisor.run() may be called once")
            control.hasRun = true
            control.mailbox = mailbox
            if control.stopRequested { mailbox.send(.stopRequested(.call)) }
        }
        return try await withTaskCancellationHandler {
            try await supervise(mailbox)
        } onCancel: {
            stop()
        }
    }

    /// Asks for a stop; returns at once (the stop itself ends `run()`). Idempotent, callable from any thread, also
    /// before `run()` (which then starts nothing) and after it (no effect).
    public func stop() {
        let mailbox = control.withLock { control in
            control.stopRequested = true
            return control.mailbox
        }
        mailbox?.send(.stopRequested(.call))
    }

    private func supervise(_ mailbox: Mailbox<SupervisorEvent>) async throws -> Int32 {
        let labels = LineLabels(names: processes.map(\.name), colors: output.usesColor)
        _ = signal(SIGPIPE, SIG_IGN)  // a closed stdout must not kill the supervisor and orphan the suite
        let trap = SignalTrap(signals: stopSignals) { mailbox.send(.stopRequested(.signal($0))) }
        let orphanGuard: OrphanGuard?
        do {
            orphanGuard = try OrphanGuard.start()
        } catch {
            let consequence = "children will outlive a supervisor that is killed"
            output.write(labels.supervisor + "cannot start the orphan guard (\(error)): \(consequence)")
            orphanGuard = nil
        }
        defer {
            trap.cancel()
            control.withLock { $0.mailbox = nil }
            mailbox.close()
            orphanGuard?.close()
        }

        var loop = SupervisionLoop(
            processes: processes,
            labels: labels,
            output: output,
            stopTimeout: stopTimeout,
            killGrace: Self.killGrace,
            restartPolicy: restartPolicy,
            orphanGuard: orphanGuard,
            mailbox: mailbox
        )
        loop.startAll { control.withLock { $0.stopRequested } }
        while !loop.isFinished, let event = await mailbox.next() {
            loop.handle(event)
        }
        if let startFailure = loop.startFailure { throw startFailure }
        return loop.exitStatus
    }
}
