import CZeroMQ
import Glibc

/// A libzmq failure, mapped to what the caller should do about it.
public enum ZMQError: Error, Sendable, Equatable, CustomStringConvertible {
    /// EAGAIN: the peer or queue is full (or nothing to read): back-pressure, try later.
    case wouldBlock
    /// EINTR: a signal interrupted the call; retry it.
    case interrupted
    /// ETERM: the context is shutting down; the socket must be closed.
    case terminated
    /// EHOSTUNREACH: a ROUTER with ROUTER_MANDATORY has no peer with that routing id.
    case unroutable
    /// Any other errno, with libzmq's text.
    case other(code: Int32, message: String)

    /// The error for the current `zmq_errno()`.
    static func current() -> ZMQError {
        let code = zmq_errno()
        switch code {
        case EAGAIN: return .wouldBlock
        case EINTR: return .interrupted
        case ETERM: return .terminated
        case EHOSTUNREACH: return .unroutable
        default: return .other(code: code, message: String(cString: zmq_strerror(code)))
        }
    }

    public var description: String {
        switch self {
        case .wouldBlock: "EAGAIN (would block)"
        case .interrupted: "EINTR (interrupted)"
        case .terminated: "ETERM (context terminated)"
        case .unroutable: "EHOSTUNREACH (unroutable)"
        case .other(let code, let message): "zmq error \(code): \(message)"
        }
    }
}
