import BusKit
import BusProtocol
import Foundation
import Logging
import ServiceLifecycle
import TradingModel
import VenueKit
import ZeroMQ

/// The paper venue as a process: its own RPC ROUTER (an exchange's REST API) and a
/// stream PUB (market data and execution reports), like a real exchange's endpoints.
///
/// Every stream message carries a venue-wide sequence number in `header.seq`, so a
/// follower can tell a gap (a dropped message) from silence; a duplicate repeats it.
public struct VenueServer: Service {
    /// Settings of the paper venue.
    public struct Configuration: Sendable {
        public var rpc: String
        public var stream: String
        /// How often the market moves and resting orders are matched.
        public var tickInterval: Duration = .milliseconds(250)
        /// The faults in force at start (changed at runtime with `venue.faults`).
        public var faults = VenueFaults()
        /// The seed of the fault injector's decisions.
        public var seed: UInt64 = 42
        /// Where the book is saved (BW_VENUE_STATE_PATH); nil keeps it in memory only.
        public var statePath: String?
        /// The Binance Spot front (BW_VENUE_BINANCE_PORT); nil serves none.
        public var binance: BinanceFront.Configuration?
        /// How long ended orders and fills are kept (BW_VENUE_HISTORY_MINUTES); nil: for ever.
        public var historyWindow: Duration?
        /// CURVE on both endpoints, admitting the services' and the operator's keys of the
        /// peer list (BW_VENUE_KEY_FILE, BW_VENUE_PEERS_FILE); nil: plain text.
        public var security: ServerSecurity?

        public init(rpc: String, stream: String) {
            self.rpc = rpc
            self.stream = stream
        }
    }

    /// One RPC request and where to answer it.
    struct Request: Sendable {
        var route: [Data]
        var message: Message
    }

    /// What arrived on the RPC socket: a request, or frames that are not one (answered with
    /// the error, `reply_to` the request id when the header has one, else "").
    enum Incoming: Sendable {
        case request(Request)
        case refused(route: [Data], replyTo: String?, ServiceError)
    }

    /// The I/O thread of both sockets.
    let loop = SocketLoop(name: "venue-sim")
    /// The RPC ROUTER.
    let rpcSocket: SocketLoop.SocketID
    /// The stream PUB.
    let streamSocket: SocketLoop.SocketID
    /// The book, faults and state file.
    let exchange: VenueBook
    /// Service log.
    let logger: Logger
    /// Message ids.
    let ids = SystemIDGenerator()
    /// Late frames (delay faults).
    let delayed = DelayedSends()
    /// Frames waiting for the save of the book.
    let outbox = Outbox()
    private let context = ZMQContext()
    /// Decides who may connect, when the venue is authenticated.
    private let authenticator: ZAPHandler?
    private let requests: AsyncStream<Incoming>
    private let configuration: Configuration

    /// - Parameter lastEventSeq: the last change in the saved book `exchange` came from (see `VenueSettings.exchange`).
    public init(configuration: Configuration, exchange: PaperExchange, lastEventSeq: Int64 = 0, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.exchange = VenueBook(
            exchange, faults: configuration.faults, seed: configuration.seed,
            stateFile: configuration.statePath.map(VenueStateFile.init(path:)), lastEventSeq: lastEventSeq)
        let (requests, continuation) = AsyncStream.makeStream(of: Incoming.self, bufferingPolicy: .bufferingOldest(100_000))
        self.requests = requests
        authenticator = try configuration.security.map { [context] security throws(ZMQError) in
            try security.authenticator(
                name: "venue", context: context,
                budget: HandshakeBudget(perSecond: HandshakeBudget.defaultPerSecond, burst: HandshakeBudget.defaultBurst),
                logger: logger, admits: Self.admits)
        }
        let handshake: [SocketOption] = [.handshakeTimeoutMs(ServerSecurity.defaultHandshakeTimeoutMs)]
            + (configuration.security?.serverOptions(domain: Self.zapDomain) ?? [])
        let router = try ZMQSocket(
            context: context, type: .router, options: [.routerMandatory, .routerHandover, .maxMessageSize(1 << 20)] + handshake)
        try router.bind(configuration.rpc)
        let publisher = try ZMQSocket(context: context, type: .pub, options: [.sendHighWaterMark(100_000)] + handshake)
        try publisher.bind(configuration.stream)
        rpcSocket = loop.register(router, name: "rpc") { frames in
            // Bad input gets an error reply, never silence: a client must not wait out its timeout.
            guard let peer = frames.first, !peer.isEmpty else { return }
            guard frames.count == 4, frames[1].isEmpty else {
                continuation.yield(.refused(route: [peer], replyTo: nil, ServiceError(
                    .invalidRequest, reason: "malformed_frames", "expected frames: empty delimiter, header, body")))
                return
            }
            do throws(ServiceError) {
                continuation.yield(.request(Request(route: [peer], message: try WireCodec.decodeMessage(header: frames[2], body: frames[3]))))
            } catch {
                continuation.yield(.refused(route: [peer], replyTo: WireCodec.requestId(inRejectedHeader: frames[2]), error))
            }
        }
        streamSocket = loop.register(publisher, name: "stream") { _ in }
    }

    public func run() async throws {
        loop.start()
        logger.info("venue.started", metadata: ["rpc": "\(configuration.rpc)", "stream": "\(configuration.stream)"])
        let front = configuration.binance.map {
            BinanceFront(configuration: $0, book: exchange, saved: { await outbox.waitForSave() }, logger: logger)
        }
        var frontError: (any Error)?
        await withDiscardingTaskGroup { group in
            group.addTask { await marketLoop() }
            group.addTask { await delayed.run(loop) }
            group.addTask { await flushLoop() }
            group.addTask {
                for await incoming in requests {
                    switch incoming {
                    case .request(let request): await serve(request)
                    case .refused(let route, let replyTo, let error): await refuse(route: route, replyTo: replyTo, error)
                    }
                }
            }
            if let front {
                let changes = await exchange.followChanges()
                group.addTask { await front.followBook(changes) }
                // Ends by itself on graceful shutdown (Hummingbird follows the service group),
                // after its requests in flight, which wait for the flush loop still running here.
                do {
                    try await front.run()
                } catch {
                    logger.critical("venue.binance.failed", metadata: ["error": "\(error)"])
                    frontError = error
                }
            } else {
                try? await gracefulShutdown()
            }
            group.cancelAll()
        }
        if let error = await exchange.persist() { logger.error("venue.state.save_failed", metadata: ["error": "\(error)"]) }
        loop.stop()
        authenticator?.stop()
        context.terminate()
        if let frontError { throw frontError }
    }

    /// The ZAP domain of venue-sim's sockets.
    static let zapDomain = "breakwater-venue"

    /// Who may reach the paper venue: the suite's services (the gateway places, risk follows
    /// the ticks, the reconciler asks) and the operator (`tradectl venue faults`); never a
    /// strategy's client key, which trades through the gateway only.
    @Sendable static func admits(_ peer: BusPeer, domain _: String) -> Bool {
        peer.isServiceOrOperator
    }

    private func marketLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.tickInterval)
            // Published through the outbox: the fills are on disk before anyone hears of them.
            let step = await exchange.advance(now: WallClock.nowNanos())
            for tick in step.ticks { await publish(topic: VenueTopic.tick + tick.symbol, type: "venue.tick", kind: .tick, tick) }
            for fill in step.fills { await publish(topic: VenueTopic.fill + fill.account, type: "venue.fill", kind: .fill, fill) }
            for order in step.updates { await publish(topic: VenueTopic.order + order.account, type: "venue.order", kind: .order, order) }
        }
    }
}
