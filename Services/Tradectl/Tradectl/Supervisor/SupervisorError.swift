import Glibc

/// Why `Supervisor.run()` failed instead of returning a status.
public enum SupervisorError: Error, Equatable, CustomStringConvertible {
    /// A process could not be started at all (missing or non-executable program, out of processes …); the
    /// processes already started were stopped. `errno` is the system error.
    case startFailed(process: String, errno: Int32)

    /// Stable code for scripts and logs.
    public var code: String {
        switch self {
        case .startFailed: "SUPERVISOR_START_FAILED"
        }
    }

    /// A sentence for the person at the terminal.
    public var description: String {
        switch self {
        case .startFailed(let process, let errno):
            "\(process) could not be started: \(String(cString: strerror(errno)))"
        }
    }
}
