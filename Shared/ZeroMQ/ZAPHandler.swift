import CZeroMQ
import Foundation

/// The authentication handler of one context (ZAP, ZeroMQ RFC 27): every CURVE handshake
/// on a socket of the context with a `zapDomain` is asked of it, and only a peer it names
/// is admitted. `decide` maps the peer's public key to a user id (which every message of
/// that peer then carries, `ZMQSocket.lastUserId`) or nil to refuse it at the handshake.
///
/// It must be started before the context's server sockets bind. It answers on its own
/// thread; `decide` runs there and must be quick and thread-safe.
public final class ZAPHandler: @unchecked Sendable {
    /// The peer's ZAP domain and public key → its user id, or nil (refused).
    public typealias Decide = @Sendable (_ domain: String, _ publicKey: CurveKey) -> String?
    /// Called once per refused handshake: the domain, the key (nil: not a CURVE handshake) and the peer's address.
    public typealias Refused = @Sendable (_ domain: String, _ publicKey: CurveKey?, _ address: String) -> Void

    /// The endpoint libzmq asks (fixed by RFC 27).
    static let endpoint = "inproc://zeromq.zap.01"

    private let socket: ZMQSocket
    private let decide: Decide
    private let refused: Refused
    private let stopped = NSLock()
    private var stopRequested = false
    private var thread: Thread?

    /// Binds the handler's socket in `context` and starts answering.
    public init(context: ZMQContext, decide: @escaping Decide, refused: @escaping Refused) throws(ZMQError) {
        socket = try ZMQSocket(context: context, type: .rep, options: [.receiveTimeoutMs(100), .lingerMs(0)])
        try socket.bind(Self.endpoint)
        self.decide = decide
        self.refused = refused
        let thread = Thread { [self] in self.serve() }
        thread.name = "zap"
        self.thread = thread
        thread.start()
    }

    /// Stops answering (call before the context terminates).
    public func stop() {
        stopped.withLock { stopRequested = true }
    }

    private var isStopping: Bool { stopped.withLock { stopRequested } }

    private func serve() {
        defer { socket.close() }
        while !isStopping {
            let frames: [Data]
            do {
                frames = try socket.receive()
            } catch .wouldBlock {
                continue
            } catch {
                return  // the context is terminating
            }
            let reply = answer(frames)
            do { try socket.send(reply) } catch { return }
        }
    }

    /// The reply to one request: version, request id, status, text, user id, metadata.
    func answer(_ frames: [Data]) -> [Data] {
        let text = { (index: Int) in frames.indices.contains(index) ? String(decoding: frames[index], as: UTF8.self) : "" }
        let version = text(0), requestId = frames.indices.contains(1) ? frames[1] : Data()
        func reply(_ status: String, _ message: String, user: String = "") -> [Data] {
            [Data(version.utf8), requestId, Data(status.utf8), Data(message.utf8), Data(user.utf8), Data()]
        }
        guard version == "1.0", frames.count >= 6 else { return reply("500", "malformed ZAP request") }
        let domain = text(2), address = text(3), mechanism = text(5)
        guard mechanism == "CURVE", frames.count >= 7, let key = CurveKey(raw: Array(frames[6])) else {
            refused(domain, nil, address)
            return reply("400", "CURVE required")
        }
        guard let user = decide(domain, key) else {
            refused(domain, key, address)
            return reply("400", "unknown key")
        }
        return reply("200", "OK", user: user)
    }
}
