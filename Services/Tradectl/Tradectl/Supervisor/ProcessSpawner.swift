import Foundation
import Glibc

/// A system call that failed while starting a process, with its errno.
struct SpawnError: Error, Equatable, CustomStringConvertible {
    /// What was being done: "pipe", "posix_spawn /usr/bin/x".
    let operation: String
    /// The errno value.
    let code: Int32

    /// "posix_spawn /x: No such file or directory".
    var description: String {
        "\(operation): \(String(cString: strerror(code)))"
    }
}

/// posix_spawn, set up the way the supervisor starts every program.
///
/// The child leads a process group of its own (so that a signal reaches a shell script's children too, and so
/// that the terminal's Ctrl-C reaches the supervisor only, which then stops the children in order); every signal
/// disposition is reset to its default and the signal mask is emptied (the supervisor ignores SIGINT/SIGTERM/SIGHUP
/// to receive them through dispatch, and ignored dispositions would otherwise be inherited across exec); every
/// descriptor above 2 is closed. posix_spawn is used rather than Foundation's `Process` to control all of this, and
/// rather than fork, which is unsafe in a multi-threaded Swift process.
enum ProcessSpawner {
    /// Starts `executable` with `arguments` and exactly `environment`; `input` and `output` become descriptor 0
    /// and descriptors 1+2 (nil: /dev/null). Returns the pid, which is also the new process group's id.
    static func spawn(
        executable: String,
        arguments: [String],
        environment: [String: String],
        input: Int32?,
        output: Int32?
    ) throws(SpawnError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input {
            posix_spawn_file_actions_adddup2(&actions, input, STDIN_FILENO)
        } else {
            posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        }
        if let output {
            posix_spawn_file_actions_adddup2(&actions, output, STDOUT_FILENO)
            posix_spawn_file_actions_adddup2(&actions, output, STDERR_FILENO)
        } else {
            posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO)
        }
        // Last: the actions run in order, and the dup2 sources above are descriptors > 2.
        _ = GNULibC.addCloseFrom?(&actions, STDERR_FILENO + 1)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        )
        posix_spawnattr_setpgroup(&attributes, 0)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)

        let argv = cStrings([executable] + arguments)
        let envp = cStrings(environment.map { "\($0.key)=\($0.value)" })
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SpawnError(operation: "posix_spawn \(executable)", code: result) }
        return pid
    }

    /// A pipe whose two ends are close-on-exec from birth, so no other child started meanwhile (by us, or by a
    /// `Process` elsewhere in the program) inherits an end and holds it open.
    static func makePipe() throws(SpawnError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        if let pipe2 = GNULibC.pipe2 {
            guard pipe2(&fds, O_CLOEXEC) == 0 else { throw SpawnError(operation: "pipe2", code: errno) }
        } else {
            guard pipe(&fds) == 0 else { throw SpawnError(operation: "pipe", code: errno) }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        }
        return (fds[0], fds[1])
    }

    /// The supervisor's environment with `overrides` applied.
    static func environment(inheriting overrides: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(overrides) { _, override in override }
    }
}

/// glibc functions that Swift's Glibc module leaves out (they are declared under _GNU_SOURCE), looked up at run
/// time; nil where the C library lacks them (then `makePipe` falls back to pipe + fcntl).
enum GNULibC {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    static let pipe2: Pipe2? = lookUp("pipe2")
    static let addCloseFrom: AddCloseFrom? = lookUp("posix_spawn_file_actions_addclosefrom_np")

    private static func lookUp<Function>(_ name: String) -> Function? {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, name) else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }
}

/// A NULL-terminated `char *[]` for exec; the caller frees each element.
private func cStrings(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] {
    strings.map { strdup($0) } + [nil]
}
