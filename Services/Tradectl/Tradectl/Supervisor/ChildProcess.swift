import Dispatch
import Foundation
import Glibc
import Synchronization

/// One running instance of a supervised program: a process group of its own, one pipe carrying its stdout and
/// stderr, and two dedicated threads — one forwards its output line by line, one waits for it to end.
///
/// Blocking `read` and `waitid` run on threads of their own, not on the cooperative pool nor on dispatch workers,
/// so a quiet child blocks nothing else and a chatty one is drained as fast as it writes.
final class ChildProcess: Sendable {
    /// How long, once the child has ended, its last output is waited for before the exit is reported. Usually
    /// the pipe closes at once; a descendant that left the group (setsid) may keep it open, and must not delay us.
    static let outputDrainTimeout: Duration = .milliseconds(500)
    /// Bytes read from the pipe at once.
    static let readChunkBytes = 64 * 1024

    /// Process id, also the id of the child's process group.
    let pid: pid_t
    /// True once the pid has been reaped: it may then belong to another process, so it is never signalled again.
    private let reaped = Mutex(false)

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Spawns `process`, forwards each line it prints to `emit`, and calls `onExit` once it has ended, its output
    /// has been flushed (partial last line included) and it has been reaped.
    static func start(
        _ process: SupervisedProcess,
        orphanGuard: OrphanGuard?,
        emit: @escaping @Sendable (String) -> Void,
        onExit: @escaping @Sendable (_ pid: pid_t, _ status: ChildExitStatus) -> Void
    ) throws(SpawnError) -> ChildProcess {
        let pipe = try ProcessSpawner.makePipe()
        let pid: pid_t
        do {
            pid = try ProcessSpawner.spawn(
                executable: process.executable,
                arguments: process.arguments,
                environment: ProcessSpawner.environment(inheriting: process.environment),
                input: nil,
                output: pipe.write
            )
        } catch {
            close(pipe.read)
            close(pipe.write)
            throw error
        }
        close(pipe.write)  // the child holds it now: end-of-file comes when its group has closed it
        orphanGuard?.watch(pid)

        let child = ChildProcess(pid: pid)
        let outputClosed = DispatchSemaphore(value: 0)
        startThread(named: "\(process.name).out") {
            forwardLines(from: pipe.read, to: emit)
            outputClosed.signal()
        }
        startThread(named: "\(process.name).wait") {
            let status = child.awaitExit(outputClosed: outputClosed, orphanGuard: orphanGuard)
            onExit(pid, status)
        }
        return child
    }

    /// Sends `signal` to the child's whole process group, unless the child has already been reaped.
    func signalGroup(_ signal: Int32) {
        reaped.withLock { reaped in
            guard !reaped else { return }
            _ = kill(-pid, signal)
        }
    }

    private func awaitExit(outputClosed: DispatchSemaphore, orphanGuard: OrphanGuard?) -> ChildExitStatus {
        // WNOWAIT leaves a zombie: until it is reaped the pid, hence the group id, cannot be reused.
        var info = siginfo_t()
        var waited: Int32
        repeat { waited = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) } while waited == -1 && errno == EINTR
        if waited == 0 {
            // What its group still holds (a shell's background job) dies with it rather than be orphaned.
            _ = kill(-pid, SIGKILL)
            _ = outputClosed.wait(timeout: .now() + Self.outputDrainTimeout.dispatchInterval)
        }
        orphanGuard?.forget(pid)
        return reaped.withLock { reaped in
            var status: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(pid, &status, 0) } while result == -1 && errno == EINTR
            reaped = true
            return result == pid ? ChildExitStatus(waitStatus: status) : .unknown
        }
    }

    private static func forwardLines(from descriptor: Int32, to emit: (String) -> Void) {
        var splitter = LineSplitter()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readChunkBytes, alignment: 1)
        defer {
            buffer.deallocate()
            close(descriptor)
        }
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count > 0 {
                splitter.append(UnsafeRawBufferPointer(rebasing: buffer[..<count]), emit: emit)
            } else if count == -1 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        splitter.finish(emit: emit)
    }

    private static func startThread(named name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }
}
