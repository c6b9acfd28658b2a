import Glibc

/// How a child ended, decoded from its wait status.
enum ChildExitStatus: Sendable, Equatable, CustomStringConvertible {
    /// It called exit with this status.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)
    /// Somebody else reaped it first, so its status is lost.
    case unknown

    /// Decodes a status from `waitpid` (the WIFEXITED / WTERMSIG macros, which Swift does not import).
    init(waitStatus: Int32) {
        let low = waitStatus & 0x7f
        if low == 0 {
            self = .exited((waitStatus >> 8) & 0xff)
        } else if low != 0x7f {
            self = .signaled(low)
        } else {
            self = .unknown  // stopped, not ended: never reported, since we wait with WEXITED only
        }
    }

    /// "exited with status 1", "was killed by signal 9 (SIGKILL)".
    var description: String {
        switch self {
        case .exited(let status): "exited with status \(status)"
        case .signaled(let signal): "was killed by signal \(signal) (\(Self.name(ofSignal: signal)))"
        case .unknown: "exited with an unknown status"
        }
    }

    /// "SIGTERM" for SIGTERM; "SIG<n>" for a signal without a well-known name.
    static func name(ofSignal signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
            SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
            SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
        ]
        return names[signal] ?? "SIG\(signal)"
    }
}
