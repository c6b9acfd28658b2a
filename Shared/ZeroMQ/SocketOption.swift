import CZeroMQ

/// The socket kinds Breakwater uses.
public enum SocketType: Sendable {
    case pair, pub, sub, req, rep, dealer, router, pull, push, xpub, xsub

    var raw: Int32 {
        switch self {
        case .pair: ZMQ_PAIR
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .req: ZMQ_REQ
        case .rep: ZMQ_REP
        case .dealer: ZMQ_DEALER
        case .router: ZMQ_ROUTER
        case .pull: ZMQ_PULL
        case .push: ZMQ_PUSH
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        }
    }
}

/// A socket option, applied when the socket is created (before bind or connect).
public enum SocketOption: Sendable {
    /// How long close waits to flush pending messages (ms); bounds shutdown.
    case lingerMs(Int32)
    case sendHighWaterMark(Int32)
    case receiveHighWaterMark(Int32)
    /// The routing id a DEALER announces to a ROUTER.
    case routingId(String)
    /// A ROUTER fails with EHOSTUNREACH instead of silently dropping to an unknown peer.
    case routerMandatory
    /// A ROUTER gives a routing id to the newest connection that claims it. Without it, a peer
    /// that reconnects under its fixed id (after a freeze longer than the heartbeat timeout)
    /// is refused while the old, dead connection still holds the id, and never hears again.
    case routerHandover
    /// ZMTP heartbeats: interval, timeout and the TTL asked of the peer (ms).
    case heartbeat(intervalMs: Int32, timeoutMs: Int32, ttlMs: Int32)
    /// Messages larger than this disconnect the peer (a hard DoS bound).
    case maxMessageSize(Int64)
    case subscribe(String)
    case reconnectIntervalMs(Int32)
    case reconnectIntervalMaxMs(Int32)
    /// Queue only to completed connections.
    case immediate
    case sendTimeoutMs(Int32)
    case receiveTimeoutMs(Int32)
    /// CURVE server: peers must handshake with this secret key's public half as their
    /// server key; the ZAP handler of the context decides who is admitted (`zapDomain`).
    case curveServer(secretKey: CurveKey)
    /// CURVE client: its own key pair and the server's public key.
    case curveClient(publicKey: CurveKey, secretKey: CurveKey, serverKey: CurveKey)
    /// The ZAP domain asked of the context's authentication handler (`ZAPHandler`).
    case zapDomain(String)
    /// How long a new connection may take to finish its ZMTP handshake (CURVE included)
    /// before it is dropped (ZMQ_HANDSHAKE_IVL; libzmq's default is 30 s).
    case handshakeTimeoutMs(Int32)
}

extension ZMQSocket {
    func apply(_ option: SocketOption) throws(ZMQError) {
        switch option {
        case .lingerMs(let v): try set(ZMQ_LINGER, v)
        case .sendHighWaterMark(let v): try set(ZMQ_SNDHWM, v)
        case .receiveHighWaterMark(let v): try set(ZMQ_RCVHWM, v)
        case .routingId(let id): try set(ZMQ_ROUTING_ID, bytes: Array(id.utf8))
        case .routerMandatory: try set(ZMQ_ROUTER_MANDATORY, Int32(1))
        case .routerHandover: try set(ZMQ_ROUTER_HANDOVER, Int32(1))
        case .heartbeat(let interval, let timeout, let ttl):
            try set(ZMQ_HEARTBEAT_IVL, interval)
            try set(ZMQ_HEARTBEAT_TIMEOUT, timeout)
            try set(ZMQ_HEARTBEAT_TTL, ttl)
        case .maxMessageSize(let v): try set(ZMQ_MAXMSGSIZE, v)
        case .subscribe(let prefix): try set(ZMQ_SUBSCRIBE, bytes: Array(prefix.utf8))
        case .reconnectIntervalMs(let v): try set(ZMQ_RECONNECT_IVL, v)
        case .reconnectIntervalMaxMs(let v): try set(ZMQ_RECONNECT_IVL_MAX, v)
        case .immediate: try set(ZMQ_IMMEDIATE, Int32(1))
        case .sendTimeoutMs(let v): try set(ZMQ_SNDTIMEO, v)
        case .receiveTimeoutMs(let v): try set(ZMQ_RCVTIMEO, v)
        case .curveServer(let secret):
            try set(ZMQ_CURVE_SERVER, Int32(1))
            try set(ZMQ_CURVE_SECRETKEY, bytes: Array(secret.z85.utf8))
        case .curveClient(let publicKey, let secretKey, let serverKey):
            try set(ZMQ_CURVE_SERVERKEY, bytes: Array(serverKey.z85.utf8))
            try set(ZMQ_CURVE_PUBLICKEY, bytes: Array(publicKey.z85.utf8))
            try set(ZMQ_CURVE_SECRETKEY, bytes: Array(secretKey.z85.utf8))
        case .zapDomain(let domain): try set(ZMQ_ZAP_DOMAIN, bytes: Array(domain.utf8))
        case .handshakeTimeoutMs(let v): try set(ZMQ_HANDSHAKE_IVL, v)
        }
    }

    private func set(_ name: Int32, _ value: Int32) throws(ZMQError) {
        var v = value
        guard zmq_setsockopt(handle, name, &v, MemoryLayout<Int32>.size) == 0 else { throw .current() }
    }

    private func set(_ name: Int32, _ value: Int64) throws(ZMQError) {
        var v = value
        guard zmq_setsockopt(handle, name, &v, MemoryLayout<Int64>.size) == 0 else { throw .current() }
    }

    private func set(_ name: Int32, bytes: [UInt8]) throws(ZMQError) {
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, name, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw .current() }
    }
}
