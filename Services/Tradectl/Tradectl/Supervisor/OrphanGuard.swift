import Foundation
import Glibc
import Synchronization

/// A tiny /bin/sh process that stops the children if the supervisor dies without stopping them (SIGKILL, a crash).
///
/// Why not prctl(PR_SET_PDEATHSIG)? It has to run in the child between fork and exec: posix_spawn cannot do that,
/// nor can Foundation's `Process`; fork in a multi-threaded Swift process is unsafe (and Swift cannot even call the
/// variadic prctl); there is no exec wrapper to rely on. PDEATHSIG also fires when the *thread* that spawned the
/// child ends, which dispatch and the cooperative pool do at will, so it would kill healthy children.
///
/// How: the guard reads a "lifeline" pipe whose only write end the supervisor holds (close-on-exec, so no child
/// inherits it). The supervisor writes `+<pgid>` when a child starts and `-<pgid>` just before it reaps one. When the
/// pipe reaches end-of-file — the supervisor closed it, or the kernel did because the supervisor died — the guard
/// sends SIGTERM to every process group still listed, waits `graceSeconds`, then sends SIGKILL. In a clean shutdown
/// the list is empty and the guard simply exits. The guard ignores SIGINT, SIGTERM, SIGHUP and SIGQUIT and leads a
/// process group of its own, so neither Ctrl-C nor a signal to the supervisor's group takes it down too.
///
/// Limits: a child that dies in the instant between posix_spawn and its `+` line escapes; so does one that leaves its
/// process group (setsid), and everything if the guard itself is SIGKILLed.
final class OrphanGuard: Sendable {
    /// Seconds between the guard's SIGTERM and SIGKILL to the orphans.
    static let graceSeconds = 2

    // Dash-compatible: the listed groups live in one space-separated string.
    private static let script = """
        trap '' INT TERM HUP QUIT
        groups=' '
        while IFS= read -r line; do
          case $line in
            +*) groups="$groups${line#+} " ;;
            -*) kept=' '
                for group in $groups; do [ "$group" = "${line#-}" ] || kept="$kept$group "; done
                groups=$kept ;;
          esac
        done
        [ -z "${groups# }" ] && exit 0
        for group in $groups; do kill -s TERM -- "-$group" 2>/dev/null; done
        sleep "$1"
        for group in $groups; do kill -s KILL -- "-$group" 2>/dev/null; done
        """

    /// The guard's pid, reaped after `close()`.
    let pid: pid_t
    private let lifeline: Mutex<Int32?>

    private init(pid: pid_t, lifeline: Int32) {
        self.pid = pid
        self.lifeline = Mutex(lifeline)
    }

    /// Starts a guard with an empty list.
    static func start(graceSeconds: Int = graceSeconds) throws(SpawnError) -> OrphanGuard {
        // A dead guard must make our writes fail with EPIPE, not end the supervisor.
        _ = signal(SIGPIPE, SIG_IGN)
        let pipe = try ProcessSpawner.makePipe()
        let pid: pid_t
        do {
            pid = try ProcessSpawner.spawn(
                executable: "/bin/sh",
                arguments: ["-c", script, "breakwater-orphan-guard", String(graceSeconds)],
                environment: ProcessSpawner.environment(inheriting: [:]),
                input: pipe.read,
                output: nil
            )
        } catch {
            Glibc.close(pipe.read)
            Glibc.close(pipe.write)
            throw error
        }
        Glibc.close(pipe.read)
        // Never block a waiter thread on a stuck guard: a line that does not fit is dropped.
        _ = fcntl(pipe.write, F_SETFL, O_NONBLOCK)
        return OrphanGuard(pid: pid, lifeline: pipe.write)
    }

    /// Lists a child's process group: it is stopped if the supervisor dies.
    func watch(_ processGroup: pid_t) {
        send("+\(processGroup)\n")
    }

    /// Unlists a process group; called before reaping its leader, while the id cannot yet be reused.
    func forget(_ processGroup: pid_t) {
        send("-\(processGroup)\n")
    }

    /// Closes the lifeline: groups still listed are stopped, then the guard exits and is reaped in the background.
    func close() {
        let descriptor = lifeline.withLock { descriptor in
            defer { descriptor = nil }
            return descriptor
        }
        guard let descriptor else { return }
        _ = Glibc.close(descriptor)
        let pid = self.pid
        let reaper = Thread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        }
        reaper.name = "orphan-guard.wait"
        reaper.start()
    }

    private func send(_ line: String) {
        let bytes = Array(line.utf8)  // far below PIPE_BUF: one atomic write
        lifeline.withLock { descriptor in
            guard let descriptor else { return }
            _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        }
    }
}
