import Glibc
import Synchronization

/// Where the supervisor's lines go: each child output line with its name prefix, and the supervisor's own messages.
///
/// `write` receives one whole line without its newline, from several threads at once (one per child), so it must
/// be thread-safe. Tests inject a sink that records lines; `tradectl up` uses `standardOutput`.
public struct LineSink: Sendable {
    /// Whether name prefixes get ANSI colors.
    public let usesColor: Bool
    private let writeLine: @Sendable (String) -> Void

    /// A sink calling `write` for every line; `usesColor` asks for colored name prefixes.
    public init(usesColor: Bool = false, write: @escaping @Sendable (String) -> Void) {
        self.usesColor = usesColor
        self.writeLine = write
    }

    /// Delivers one line (no trailing newline).
    public func write(_ line: String) {
        writeLine(line)
    }

    /// The process's standard output, colored when it is a terminal (and NO_COLOR is unset, TERM is not "dumb").
    public static var standardOutput: LineSink {
        LineSink(usesColor: StandardOutput.isColorTerminal) { StandardOutput.shared.writeLine($0) }
    }
}

/// Line-atomic writes to file descriptor 1: lines from different children never interleave mid-line.
final class StandardOutput: Sendable {
    /// The one writer for descriptor 1, so that every sink on stdout shares its lock.
    static let shared = StandardOutput()
    private let lock = Mutex(())

    /// Whether stdout is a terminal that wants colors.
    static var isColorTerminal: Bool {
        guard isatty(STDOUT_FILENO) == 1, getenv("NO_COLOR") == nil else { return false }
        guard let term = getenv("TERM") else { return true }
        return String(cString: term) != "dumb"
    }

    /// Writes `line` and a newline in one locked sequence of writes; failures are dropped.
    func writeLine(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written == -1 && errno == EINTR {
                        continue
                    } else {
                        return  // stdout closed (EPIPE) or broken: the children must keep running regardless
                    }
                }
            }
        }
    }
}
