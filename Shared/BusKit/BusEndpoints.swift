import ZeroMQ

/// The bus's four endpoints (ARCHITECTURE.md): RPC ROUTER, event XSUB/XPUB, tap PUB.
public struct BusEndpoints: Sendable, Equatable {
    public var rpc: String
    public var eventsIn: String
    public var eventsOut: String
    public var tap: String
    /// The keys to prove who this peer is to an authenticated bus (CURVE); nil: plain text.
    public var credentials: BusCredentials?

    /// Endpoints on `host` at `basePort` (RPC), +1 (events in), +2 (events out), +3 (tap).
    public init(host: String, basePort: Int) {
        rpc = "tcp://\(host):\(basePort)"
        eventsIn = "tcp://\(host):\(basePort + 1)"
        eventsOut = "tcp://\(host):\(basePort + 2)"
        tap = "tcp://\(host):\(basePort + 3)"
    }

    /// The socket options of a client socket to these endpoints: CURVE with the credentials, or none.
    public var clientOptions: [SocketOption] {
        credentials.map { [$0.clientOption] } ?? []
    }

    /// The defaults: loopback, 5555–5558.
    public static let local = BusEndpoints(host: "127.0.0.1", basePort: 5555)
}

extension BusEndpoints {
    /// Explicit endpoints (e.g. a venue's RPC and stream, which has no tap).
    public init(rpc: String, eventsIn: String, eventsOut: String, tap: String) {
        self.rpc = rpc
        self.eventsIn = eventsIn
        self.eventsOut = eventsOut
        self.tap = tap
    }
}

/// venue-sim's two endpoints — its RPC ROUTER and its stream PUB (+1) — and the keys to
/// reach them (docs/security.md): like an exchange's API, off the bus.
public struct VenueEndpoints: Sendable, Equatable {
    public var rpc: String
    public var stream: String
    /// This peer's key pair with venue-sim's public key as the server key (CURVE); nil: plain text.
    public var credentials: BusCredentials?

    public init(rpc: String, stream: String, credentials: BusCredentials? = nil) {
        self.rpc = rpc
        self.stream = stream
        self.credentials = credentials
    }

    /// The endpoints on `host` at `port` (RPC) and `port + 1` (stream).
    public init(host: String, port: Int, credentials: BusCredentials? = nil) {
        self.init(rpc: "tcp://\(host):\(port)", stream: "tcp://\(host):\(port + 1)", credentials: credentials)
    }

    /// The endpoints a `BusConnection` to the venue uses: RPC and the stream as its events out.
    public var connection: BusEndpoints {
        var endpoints = BusEndpoints(rpc: rpc, eventsIn: "", eventsOut: stream, tap: "")
        endpoints.credentials = credentials
        return endpoints
    }
}
