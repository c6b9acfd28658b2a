import BusKit
import ServiceRuntime

/// What the bus grants each authenticated peer and each unknown address (issue 16 step 5,
/// docs/security.md "Limits"): a flood of requests from one key, or of handshakes from one
/// address, is bounded so it cannot starve the suite's own traffic.
public struct BusLimits: Sendable, Equatable {
    /// Requests per second a client or operator key may send (token refill rate).
    public var peerRequestsPerSecond: Int64 = 1_000
    /// Requests a client or operator key may send at once (bucket size).
    public var peerRequestBurst: Int64 = 2_000
    /// Refused handshakes per second from one source address that are logged one by one.
    public var handshakeRefusalsPerSecond = HandshakeBudget.defaultPerSecond
    /// Refused handshakes one address may have at once before it is throttled.
    public var handshakeRefusalBurst = HandshakeBudget.defaultBurst
    /// How long a connection may take to finish its handshake before the bus drops it (ZMQ_HANDSHAKE_IVL).
    public var handshakeTimeoutMs = ServerSecurity.defaultHandshakeTimeoutMs

    public init() {}

    /// The limits from BW_BUS_PEER_RATE_PER_SEC, BW_BUS_PEER_RATE_BURST,
    /// BW_BUS_HANDSHAKE_REFUSALS_PER_SEC, BW_BUS_HANDSHAKE_REFUSALS_BURST and
    /// BW_BUS_HANDSHAKE_TIMEOUT_MS (docs/configuration.md); a value out of range stops the bus.
    public init(settings: Settings) throws {
        let defaults = BusLimits()
        peerRequestsPerSecond = Int64(try settings.int("BW_BUS_PEER_RATE_PER_SEC", default: Int(defaults.peerRequestsPerSecond), in: 1...1_000_000))
        peerRequestBurst = Int64(try settings.int("BW_BUS_PEER_RATE_BURST", default: Int(defaults.peerRequestBurst), in: 1...1_000_000))
        handshakeRefusalsPerSecond = Int64(try settings.int(
            "BW_BUS_HANDSHAKE_REFUSALS_PER_SEC", default: Int(defaults.handshakeRefusalsPerSecond), in: 1...100_000))
        handshakeRefusalBurst = Int64(try settings.int(
            "BW_BUS_HANDSHAKE_REFUSALS_BURST", default: Int(defaults.handshakeRefusalBurst), in: 1...100_000))
        handshakeTimeoutMs = Int32(try settings.int("BW_BUS_HANDSHAKE_TIMEOUT_MS", default: Int(defaults.handshakeTimeoutMs), in: 100...300_000))
    }
}

extension BusServer.Configuration {
    /// The bus's whole configuration from its settings: endpoints (BW_BUS_BIND_HOST, else
    /// BW_BUS_HOST; BW_BUS_PORT), heartbeats, keys and limits. A bad value stops the bus.
    public init(settings: Settings) throws {
        let port = try settings.int("BW_BUS_PORT", default: 5555, in: 1...65532)
        let host = settings.string("BW_BUS_BIND_HOST", default: settings.string("BW_BUS_HOST", default: "127.0.0.1"))
        self.init(endpoints: .init(host: host, basePort: port))
        heartbeatIntervalMs = try settings.int("BW_HEARTBEAT_MS", default: 1_000, in: 50...60_000)
        liveness = try settings.int("BW_LIVENESS", default: 3, in: 2...100)
        security = try BusService.security(settings)
        limits = try BusLimits(settings: settings)
    }
}
