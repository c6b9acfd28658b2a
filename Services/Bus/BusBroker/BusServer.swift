import BusKit
import Foundation
import Logging
import Metrics
import Observability
import Synchronization
import ZeroMQ

/// The bus process: binds the RPC ROUTER, the event XSUB/XPUB pair and the tap PUB,
/// and runs the `Broker` on its I/O thread.
public final class BusServer: Sendable {
    /// The bus's settings (see docs/configuration.md).
    public struct Configuration: Sendable {
        public var endpoints: BusEndpoints
        public var partitionCount = Partitioner.defaultCount
        public var heartbeatIntervalMs = 1_000
        public var liveness = 3
        /// CURVE on every socket, admitting only the listed peers; nil: plain text.
        public var security: Security?
        /// Per-key request rates and the handshake bounds (an authenticated bus).
        public var limits = BusLimits()

        public init(endpoints: BusEndpoints) { self.endpoints = endpoints }
    }

    /// An authenticated bus: its server key pair and the peers it admits (docs/security.md).
    public typealias Security = ServerSecurity

    /// The ZAP domain of the request socket: every listed key may call services.
    static let rpcDomain = "breakwater-bus"
    /// The ZAP domain of the event plane and the tap: services and operators only, so a
    /// strategy's key cannot watch other strategies' orders and fills (docs/security.md).
    static let eventsDomain = "breakwater-bus-events"


    private struct Sockets {
        var router: SocketLoop.SocketID
        var xsub: SocketLoop.SocketID
        var xpub: SocketLoop.SocketID
        var tap: SocketLoop.SocketID
    }

    private struct Confined: @unchecked Sendable {
        // Touched only on the I/O thread (handlers and ticks).
        let broker: Broker
    }

    private let loop: SocketLoop
    private let confined: Confined
    private let sockets = Mutex<Sockets?>(nil)
    private let lastHeartbeatMs = Mutex(0)
    private let heartbeatIntervalMs: Int
    private let logger: Logger
    /// Messages the ROUTER could not deliver (peer gone); counted, the sender retries.
    public let unroutable = Atomic<Int>(0)
    /// The topics someone subscribed to on the tap (an XPUB tells): while there are none,
    /// the tap costs nothing (no decode, redaction or hop frame per forwarded message).
    private let tapTopics = Mutex<Set<Data>>([])
    /// Decides who may connect, when the bus is authenticated.
    private let authenticator: ZAPHandler?
    /// The peers of an authenticated bus (nil: plain text), for the role of each sender.
    private let peers: BusPeerList?
    private let refusedPublications = Counter(label: "bw_bus_publications_refused_total")

    public init(configuration: Configuration, context: ZMQContext, logger: Logger) throws {
        self.logger = logger
        self.heartbeatIntervalMs = configuration.heartbeatIntervalMs
        let broker = Broker(
            partitioner: Partitioner(count: configuration.partitionCount),
            heartbeatIntervalMs: configuration.heartbeatIntervalMs, liveness: configuration.liveness,
            startMs: WallClock.nowNanos() / 1_000_000, ids: SystemIDGenerator(), limits: configuration.limits)
        confined = Confined(broker: broker)
        peers = configuration.security?.peers
        // Each listed key is admitted; every refusal within its address's budget is logged.
        let budget = HandshakeBudget(perSecond: configuration.limits.handshakeRefusalsPerSecond, burst: configuration.limits.handshakeRefusalBurst)
        authenticator = try configuration.security.map { security throws(ZMQError) in
            try security.authenticator(name: "bus", context: context, budget: budget, logger: logger) { peer, domain in
                domain == Self.rpcDomain || peer.isServiceOrOperator
            }
        }
        loop = SocketLoop(name: "bus", tickIntervalMs: 100)
        try bind(configuration.endpoints, security: configuration.security, limits: configuration.limits, context: context)
        loop.onTick { [weak self] in self?.onTick() }
        loop.onUnroutable { [weak self] _, _ in self?.unroutable.add(1, ordering: .relaxed) }
    }

    private func bind(_ endpoints: BusEndpoints, security: Security?, limits: BusLimits, context: ZMQContext) throws {
        let hb = Int32(heartbeatIntervalMs)
        // An authenticated bus: CURVE on every socket, each handshake asked of the ZAP handler.
        // Any bus: a connection that does not finish its handshake in time is dropped (its descriptor freed).
        func handshake(_ domain: String) -> [SocketOption] {
            [.handshakeTimeoutMs(limits.handshakeTimeoutMs)] + (security?.serverOptions(domain: domain) ?? [])
        }
        let router = try ZMQSocket(context: context, type: .router, options: [
            .routerMandatory, .routerHandover, .heartbeat(intervalMs: hb, timeoutMs: hb * 3, ttlMs: hb * 3),
            .sendHighWaterMark(100_000), .receiveHighWaterMark(100_000), .maxMessageSize(1 << 20),
        ] + handshake(Self.rpcDomain))
        try router.bind(endpoints.rpc)
        let xsub = try ZMQSocket(context: context, type: .xsub, options: [.receiveHighWaterMark(100_000)] + handshake(Self.eventsDomain))
        try xsub.bind(endpoints.eventsIn)
        let xpub = try ZMQSocket(context: context, type: .xpub, options: [.sendHighWaterMark(100_000)] + handshake(Self.eventsDomain))
        try xpub.bind(endpoints.eventsOut)
        let tap = try ZMQSocket(context: context, type: .xpub, options: [.sendHighWaterMark(10_000)] + handshake(Self.eventsDomain))
        try tap.bind(endpoints.tap)

        let routerID = loop.register(router, name: "rpc", onReceiveFrom: { [weak self] in self?.onRouter($0, from: $1) })
        let xsubID = loop.register(xsub, name: "events-in", onReceiveFrom: { [weak self] in self?.onPublished($0, from: $1) })
        let xpubID = loop.register(xpub, name: "events-out") { [weak self] in self?.forward($0, to: \.xsub) }
        let tapID = loop.register(tap, name: "tap") { [weak self] in self?.onTapSubscription($0) }
        sockets.withLock { $0 = Sockets(router: routerID, xsub: xsubID, xpub: xpubID, tap: tapID) }
    }

    public func start() {
        loop.start()
        logger.info("bus.started")
    }

    public func stop() {
        loop.stop()
        authenticator?.stop()
        logger.info("bus.stopped")
    }

    private func onRouter(_ frames: [Data], from userId: String?) {
        let outgoing = confined.broker.handle(frames, nowMs: Self.nowMs(), caller: caller(userId))
        send(outgoing)
    }

    /// An event into the plane: forwarded unless its sender may not publish its topic
    /// (dropped and counted; a PUB gets no reply).
    private func onPublished(_ frames: [Data], from userId: String?) {
        let topic = frames.first.map { String(decoding: $0.prefix(64), as: UTF8.self) } ?? ""
        if let refusal = BusPolicy.publicationRefusal(caller(userId), topic: topic) {
            refusedPublications.increment()
            logger.warning("bus.publication.refused", metadata: ["topic": "\(topic)", "reason": "\(refusal.reason)"])
            return
        }
        forward(frames, to: \.xpub)
    }

    /// Who sent a message: anyone on a plain-text bus, else the listed peer of its ZAP user id.
    private func caller(_ userId: String?) -> BusPolicy.Caller {
        guard let peers else { return .anyone }
        guard let userId, let peer = peers.peer(named: userId), let role = BusPolicy.Role(peer) else {
            return .unlisted(name: userId ?? "?")
        }
        return .peer(name: peer.name, role)
    }

    private func onTick() {
        let now = Self.nowMs()
        let due = lastHeartbeatMs.withLock { last -> Bool in
            guard now - last >= heartbeatIntervalMs else { return false }
            last = now
            return true
        }
        send(confined.broker.tick(nowMs: now, heartbeatDue: due))
    }

    private func send(_ outgoing: [Broker.Outgoing]) {
        guard let sockets = sockets.withLock({ $0 }) else { return }
        for item in outgoing {
            do {
                try loop.send(item.frames, on: sockets.router)
            } catch {
                logger.warning("bus.outbox.full", metadata: ["socket": "rpc"])
            }
            if let tap = item.tap, tapWatched {
                let depth = loop.outboxDepth(sockets.router)
                let topic = (try? JSONDecoder.wire.decode(TypeOnly.self, from: tap.header).type) ?? "?"
                // S1: the tap never shows a secret, whatever a client put in a header.
                let header = Redactor.shared.redact(tap.header)
                try? loop.send([Data(topic.utf8), header, tap.hopFrame(depth: depth)], on: sockets.tap)
            }
        }
    }

    /// Whether anyone subscribes to the tap.
    private var tapWatched: Bool { !tapTopics.withLock { $0.isEmpty } }

    /// A tap (un)subscription: `1`/`0` then the topic. The XPUB passes each topic's first
    /// subscription and its last unsubscription (also when a subscriber disconnects), so a
    /// set of topics is exact.
    private func onTapSubscription(_ frames: [Data]) {
        guard frames.count == 1, let flag = frames[0].first else { return }
        let topic = Data(frames[0].dropFirst())
        tapTopics.withLock { topics -> Void in
            if flag == 1 { topics.insert(topic) } else if flag == 0 { topics.remove(topic) }
        }
    }

    private func forward(_ frames: [Data], to target: KeyPath<Sockets, SocketLoop.SocketID>) {
        guard let id = sockets.withLock({ $0?[keyPath: target] }) else { return }
        try? loop.send(frames, on: id)
    }

    private static func nowMs() -> Int { Int(WallClock.nowNanos() / 1_000_000) }

    private struct TypeOnly: Decodable { var type: String }
}
