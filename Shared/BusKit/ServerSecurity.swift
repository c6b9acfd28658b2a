import Dispatch
import Logging
import Metrics
import ZeroMQ

/// What makes a CURVE server of the suite (the bus, venue-sim): its key pair and the peers
/// it admits (docs/security.md).
public struct ServerSecurity: Sendable {
    public var serverKeys: CurveKeyPair
    public var peers: BusPeerList

    /// How long a connection may take to finish its handshake, unless configured otherwise
    /// (libzmq's own default, 30 s, lets a silent peer hold a descriptor that long).
    public static let defaultHandshakeTimeoutMs: Int32 = 10_000

    public init(serverKeys: CurveKeyPair, peers: BusPeerList) {
        self.serverKeys = serverKeys
        self.peers = peers
    }

    /// The socket options of each of the server's sockets: CURVE with its keys, every
    /// handshake asked of the context's ZAP handler under `domain`.
    public func serverOptions(domain: String) -> [SocketOption] {
        [.curveServer(secretKey: serverKeys.secretKey), .zapDomain(domain)]
    }

    /// The ZAP handler of the server's context: a listed key that `admits` on the socket's
    /// ZAP domain is admitted under
    /// its peer's name (every message it sends carries it), anything else is refused at the
    /// handshake, counted (`bw_<name>_handshakes_refused_total`) and logged with the key's
    /// fingerprint (`<name>.handshake.refused`) — within its address's `budget`: past it the
    /// refusals are only counted (`bw_<name>_handshakes_throttled_total`) and the address is
    /// logged once per flood (`<name>.handshake.throttled`), so a flood of unknown connections
    /// costs no log line per attempt.
    public func authenticator(
        name: String, context: ZMQContext, budget: HandshakeBudget, logger: Logger,
        admits: @escaping @Sendable (_ peer: BusPeer, _ domain: String) -> Bool = { _, _ in true }
    ) throws(ZMQError) -> ZAPHandler {
        let peers = peers
        let refusals = Counter(label: "bw_\(name)_handshakes_refused_total")
        let throttled = Counter(label: "bw_\(name)_handshakes_throttled_total")
        return try ZAPHandler(
            context: context,
            decide: { domain, key in peers.peer(for: key).flatMap { admits($0, domain) ? $0.name : nil } },
            refused: { _, key, address in
                refusals.increment()
                switch budget.spend(address: address, nowNanos: Int64(DispatchTime.now().uptimeNanoseconds)) {
                case .withinBudget:
                    logger.warning("\(name).handshake.refused", metadata: [
                        "key": "\(key?.fingerprint ?? "none (no CURVE)")", "address": "\(address)",
                    ])
                case .overBudget(let first):
                    throttled.increment()
                    if first { logger.warning("\(name).handshake.throttled", metadata: ["address": "\(address)"]) }
                }
            })
    }
}
