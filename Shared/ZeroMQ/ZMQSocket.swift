import CZeroMQ
import Foundation

/// One libzmq socket. Not thread-safe: it lives on the thread that uses it
/// (in services: the process's I/O thread, see `SocketLoop`).
public final class ZMQSocket {
    let handle: UnsafeMutableRawPointer
    /// Receive storage reused for every frame, so libzmq never sees a moved `zmq_msg_t`.
    private let message: UnsafeMutablePointer<zmq_msg_t>
    private var closed = false
    public let type: SocketType
    /// The ZAP user id of the last message received (the authenticated peer of a CURVE
    /// socket, as the context's `ZAPHandler` named it); nil on a socket without ZAP.
    public private(set) var lastUserId: String?

    /// Creates a socket with every option applied before any bind or connect.
    /// A socket always gets a finite linger (default 200 ms) so shutdown cannot hang.
    public init(context: ZMQContext, type: SocketType, options: [SocketOption] = []) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, type.raw) else { throw .current() }
        self.handle = handle
        self.type = type
        self.message = .allocate(capacity: 1)
        do {
            try apply(.lingerMs(200))
            for option in options { try apply(option) }
        } catch {
            zmq_close(handle)
            message.deallocate()
            throw error
        }
    }

    deinit {
        close()
        message.deallocate()
    }

    public func bind(_ endpoint: String) throws(ZMQError) {
        guard zmq_bind(handle, endpoint) == 0 else { throw .current() }
    }

    public func connect(_ endpoint: String) throws(ZMQError) {
        guard zmq_connect(handle, endpoint) == 0 else { throw .current() }
    }

    /// The endpoint the socket last bound, with the real port for a `:*` wildcard bind.
    public var lastEndpoint: String {
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Closes the socket; pending outgoing messages are kept for at most the linger.
    public func close() {
        guard !closed else { return }
        closed = true
        zmq_close(handle)
    }

    /// Sends all frames as one multipart message. With `dontWait`, a full queue
    /// throws `.wouldBlock` before the first frame (libzmq sends multipart atomically).
    public func send(_ frames: [Data], dontWait: Bool = false) throws(ZMQError) {
        precondition(!frames.isEmpty, "a message has at least one frame")
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            if dontWait { flags |= ZMQ_DONTWAIT }
            try sendFrame(frame, flags: flags)
        }
    }

    private func sendFrame(_ frame: Data, flags: Int32) throws(ZMQError) {
        while true {
            let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            if rc >= 0 { return }
            let error = ZMQError.current()
            if error != .interrupted { throw error }
        }
    }

    /// Receives one whole multipart message. With `dontWait`, throws `.wouldBlock` when none is queued.
    public func receive(dontWait: Bool = false) throws(ZMQError) -> [Data] {
        var frames: [Data] = []
        lastUserId = nil
        repeat {
            frames.append(try receiveFrame(flags: dontWait && frames.isEmpty ? ZMQ_DONTWAIT : 0))
        } while hasMore
        return frames
    }

    private func receiveFrame(flags: Int32) throws(ZMQError) -> Data {
        zmq_msg_init(message)
        defer { zmq_msg_close(message) }
        while zmq_msg_recv(message, handle, flags) < 0 {
            let error = ZMQError.current()
            if error != .interrupted { throw error }
        }
        // The frames a peer sent carry its ZAP user id (a ROUTER's routing-id frame may not).
        if lastUserId == nil { lastUserId = zmq_msg_gets(message, "User-Id").map { String(cString: $0) } }
        let size = zmq_msg_size(message)
        guard size > 0, let data = zmq_msg_data(message) else { return Data() }
        return Data(bytes: data, count: size)
    }

    private var hasMore: Bool {
        var more: Int32 = 0
        var size = MemoryLayout<Int32>.size
        zmq_getsockopt(handle, ZMQ_RCVMORE, &more, &size)
        return more != 0
    }
}
