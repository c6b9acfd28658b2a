import Foundation
import Glibc
import Logging

/// The exclusive lock that makes one writer the only one (P1). A second instance
/// waits on it as a hot standby and takes over when the holder dies (the kernel
/// drops a dead process's lock, kill -9 included).
struct WriterLock: ~Copyable {
    private let fd: Int32

    /// Takes the lock at `path`, waiting (and saying so) while another writer holds it.
    init(path: String, logger: Logger) async throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ConfigurationLockError(path: path, errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            logger.notice("writer.standby", metadata: ["lock": "\(path)"])
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
                    continuation.resume()
                }
            }
            logger.notice("writer.takeover", metadata: ["lock": "\(path)"])
        }
        self.fd = fd
    }

    deinit { close(fd) }
}

/// The lock file could not be opened.
struct ConfigurationLockError: Error, CustomStringConvertible {
    var path: String
    var errno: Int32
    var description: String { "cannot open writer lock \(path): errno \(errno)" }
}
