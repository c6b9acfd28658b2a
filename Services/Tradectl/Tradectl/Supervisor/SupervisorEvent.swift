import Glibc

/// What the supervision loop reacts to; posted to its mailbox from child threads, signal sources and timers.
enum SupervisorEvent: Sendable {
    /// Why a stop was asked for.
    enum StopCause: Sendable, Equatable {
        /// `Supervisor.stop()`, or the cancellation of `run()`.
        case call
        /// One of the stop signals reached the supervisor.
        case signal(Int32)
    }

    /// Stop everything.
    case stopRequested(StopCause)
    /// The child started as `pid` in `slot` ended, its output flushed and its pid reaped.
    case exited(slot: Int, pid: pid_t, status: ChildExitStatus)
    /// The backoff after a crash of `slot` is over.
    case restartDue(slot: Int)
    /// The grace given to the `step`-th process signalled during a stop is over: signal the next one.
    case drainStepElapsed(step: Int)
    /// The stop timeout is over: SIGKILL whatever still runs.
    case drainDeadline
    /// Whatever survived SIGKILL this long is left behind.
    case killDeadline
}
