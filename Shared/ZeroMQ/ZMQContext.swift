import CZeroMQ

/// The one libzmq context of a process.
///
/// Shutdown is ordered so it cannot hang: every socket is created with a finite
/// linger, `zmq_ctx_shutdown` first makes blocking calls return ETERM, and only
/// then `zmq_ctx_term` waits for the sockets to be closed.
public final class ZMQContext: @unchecked Sendable {
    // libzmq contexts are thread-safe; the pointer is only freed in `terminate`.
    let handle: UnsafeMutableRawPointer
    private var terminated = false

    /// Creates a context with `ioThreads` libzmq I/O threads.
    public init(ioThreads: Int32 = 1) {
        guard let handle = zmq_ctx_new() else { preconditionFailure("zmq_ctx_new failed: \(ZMQError.current())") }
        zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads)
        self.handle = handle
    }

    /// Makes every blocking call on this context's sockets return ETERM.
    public func shutdown() {
        zmq_ctx_shutdown(handle)
    }

    /// Shuts the context down and frees it once every socket is closed.
    /// Call it after the sockets are closed (their linger bounds the wait).
    public func terminate() {
        guard !terminated else { return }
        terminated = true
        zmq_ctx_shutdown(handle)
        while zmq_ctx_term(handle) != 0, ZMQError.current() == .interrupted {}
    }

    /// The libzmq version, e.g. "4.3.4".
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
