import BusProtocol
import Foundation
import Logging
import Synchronization
import ZeroMQ

/// A process's connection to the bus: one DEALER on the RPC plane (as a client
/// and, when serving, as a worker), one PUB into the event plane and, when
/// subscribed, one SUB out of it. All sockets live on one `SocketLoop` thread.
public final class BusConnection: Sendable {
    /// Settings with their limits; every queue here is bounded.
    public struct Configuration: Sendable {
        public var endpoints: BusEndpoints
        /// `hostname:pid:start`, unique per replica.
        public var identity: String
        /// Event topic prefixes to receive (empty: no SUB socket).
        public var subscriptions: [String] = []
        /// Whether to open a PUB socket into `endpoints.eventsIn`.
        public var publishesEvents = true
        /// Requests this process may wait on at once before `request` refuses with OVERLOADED.
        public var maxPendingRequests = 10_000
        /// Requests this worker handles at once before replying OVERLOADED.
        public var maxConcurrentHandlers = 1_000
        /// Message types of the priority lane (B3): admitted beyond `maxConcurrentHandlers`,
        /// up to `priorityReserve` more, so a cancel is not refused behind bulk traffic.
        public var priorityTypes: Set<String> = ["order.cancel", "order.cancel_all", "risk.trip", "risk.reset"]
        /// Extra handler slots only the priority lane may use.
        public var priorityReserve = 64
        /// Events buffered for a slow consumer before the oldest are dropped (and counted).
        public var eventBufferLimit = 100_000
        /// Event topic prefixes (e.g. market ticks) conflated per topic while the event
        /// buffer is at least half full; see `EventConflator`. Never facts.
        public var conflatedTopicPrefixes: [String] = []
        public var heartbeatInterval: Duration = .seconds(1)
        /// How often the I/O thread checks request deadlines, heartbeats and queue gauges;
        /// a request's timeout fires up to this much late.
        public var tickInterval: Duration = .milliseconds(100)
        /// Missed heartbeats after which the bus is presumed gone and READY is sent again.
        public var liveness = 3

        public init(endpoints: BusEndpoints, identity: String) {
            self.endpoints = endpoints
            self.identity = identity
        }
    }

    /// A request delivered to this worker, with the route its reply must take.
    public struct IncomingRequest: Sendable {
        public var message: Message
        let route: [Data]
    }

    struct WorkerState {
        var service: String?
        var lastFromBusMs = 0
        /// When the bus was last heard from (0: never); unlike `lastFromBusMs` never reset.
        var lastHeardMs = 0
        var lastHeartbeatSentMs = 0
        var handlersRunning = 0
        var accepting = true
    }

    let configuration: Configuration
    let logger: Logger
    let ids: any IDGenerator
    let loop: SocketLoop
    let pending: PendingReplies
    let worker = Mutex(WorkerState())
    private let sockets = Mutex<(rpc: SocketLoop.SocketID?, pub: SocketLoop.SocketID?)>((nil, nil))
    private let requestStream: AsyncStream<IncomingRequest>
    let requestContinuation: AsyncStream<IncomingRequest>.Continuation
    /// Events from the subscribed topics, in arrival order.
    public let events: AsyncStream<Message>
    let eventContinuation: AsyncStream<Message>.Continuation
    /// Events dropped because the consumer was too slow (facts are replayed by seq).
    public let droppedEvents = Atomic<Int>(0)
    /// Saturation alarms of this connection's bounded queues (B2).
    let saturation: SaturationAlarms
    let conflator: EventConflator

    public init(configuration: Configuration, context: ZMQContext, logger: Logger, ids: any IDGenerator = SystemIDGenerator()) throws {
        self.configuration = configuration
        self.logger = logger
        self.ids = ids
        self.pending = PendingReplies(limit: configuration.maxPendingRequests)
        self.conflator = EventConflator(prefixes: configuration.conflatedTopicPrefixes, bufferLimit: configuration.eventBufferLimit)
        (requestStream, requestContinuation) = AsyncStream.makeStream(of: IncomingRequest.self, bufferingPolicy: .unbounded)
        let (buffered, continuation) = AsyncStream.makeStream(
            of: Message.self, bufferingPolicy: .bufferingNewest(configuration.eventBufferLimit))
        eventContinuation = continuation
        // With conflation on, the consumer pulls through a counter so the buffer's depth is exact.
        events = configuration.conflatedTopicPrefixes.isEmpty ? buffered : conflator.counting(buffered)
        loop = SocketLoop(name: configuration.identity, tickIntervalMs: max(1, configuration.tickInterval.wholeMilliseconds))
        saturation = SaturationAlarms(configuration: configuration, outboxLimit: loop.outboxLimit)
        try openSockets(context: context)
        loop.onTick { [weak self] in self?.onTick() }
        track()
    }

    private func openSockets(context: ZMQContext) throws {
        let hb = Int32(configuration.heartbeatInterval.wholeMilliseconds)
        // An authenticated bus: every socket handshakes with this peer's keys.
        let curve = configuration.endpoints.clientOptions
        let dealer = try ZMQSocket(context: context, type: .dealer, options: [
            .routingId(configuration.identity), .heartbeat(intervalMs: hb, timeoutMs: hb * 3, ttlMs: hb * 3),
            .reconnectIntervalMs(100), .reconnectIntervalMaxMs(1000), .maxMessageSize(1 << 20),
        ] + curve)
        try dealer.connect(configuration.endpoints.rpc)
        let rpc = loop.register(dealer, name: "rpc") { [weak self] frames in self?.onRPC(frames) }
        var pub: SocketLoop.SocketID?
        if configuration.publishesEvents {
            let publisher = try ZMQSocket(context: context, type: .pub, options: [.sendHighWaterMark(100_000)] + curve)
            try publisher.connect(configuration.endpoints.eventsIn)
            pub = loop.register(publisher, name: "events-in") { _ in }
        }
        if !configuration.subscriptions.isEmpty {
            let subscriber = try ZMQSocket(
                context: context, type: .sub,
                options: configuration.subscriptions.map { .subscribe($0) } + [.receiveHighWaterMark(100_000), .maxMessageSize(1 << 20)] + curve)
            try subscriber.connect(configuration.endpoints.eventsOut)
            _ = loop.register(subscriber, name: "events-out") { [weak self] frames in self?.onEvent(frames) }
        }
        sockets.withLock { $0 = (rpc, pub) }
    }

    /// Declares this process a worker of `service`. Before `start`, it registers on
    /// start; after, call `register()` once the process is ready to serve.
    public func serve(service: String) {
        worker.withLock { $0.service = service }
    }

    /// Registers with the bus as a worker (READY); heartbeats follow.
    public func register() {
        sendReady()
    }

    /// Starts the I/O thread and, for a worker, registers with the bus.
    public func start() {
        loop.start()
        sendReady()
    }

    /// Stops taking new requests: tells the bus, ends the request stream.
    public func stopAccepting() {
        let service = worker.withLock { state -> String? in
            defer { state.accepting = false }
            return state.accepting ? state.service : nil
        }
        guard let service else { return }
        sendToBus(type: BusCommand.disconnect, body: BusCommand.Registration(service: service, worker: configuration.identity))
        requestContinuation.finish()
    }

    /// Closes the sockets (after the last reply was queued) and ends the event stream.
    public func stop() {
        stopAccepting()
        requestContinuation.finish()
        loop.stop()
        // No reply and no deadline tick come after the loop: waiting requests end now.
        pending.stop()
        eventContinuation.finish()
    }

    /// Stops dead, without telling the bus (what a crash looks like to it).
    func halt() {
        worker.withLock { $0.accepting = false }
        requestContinuation.finish()
        loop.stop()
        pending.stop()
        eventContinuation.finish()
    }

    /// The requests routed to this worker; ends after `stopAccepting`.
    public var requests: AsyncStream<IncomingRequest> { requestStream }

    /// Runs `handler` for each request, many at once (bounded), and replies.
    /// Returns once `stopAccepting` was called and every started handler has replied.
    public func handleRequests(_ handler: @escaping @Sendable (Message) async throws(ServiceError) -> Data) async {
        let service = worker.withLock { $0.service } ?? "client"
        await withDiscardingTaskGroup { group in
            for await request in requestStream {
                group.addTask {
                    let started = ContinuousClock.now
                    self.traceRequest(request.message)
                    let reply = await self.handleTraced(request.message, handler)
                    self.reply(to: request, with: reply)
                    BusMetrics.handled(
                        service: service, type: request.message.header.type, outcome: reply.map { _ in () },
                        duration: ContinuousClock.now - started)
                    self.worker.withLock { $0.handlersRunning -= 1 }
                }
            }
        }
    }

    /// Sends the reply to a request back along its route.
    public func reply(to request: IncomingRequest, with result: Result<Data, ServiceError>) {
        let header = request.message.header
        var replyHeader = Header(
            id: ids.messageId(), type: header.type, ts: WallClock.nowNanos(),
            traceparent: header.traceparent, replyTo: header.id)
        var body: Data
        switch result {
        case .success(let data):
            replyHeader.type = MessageType.ok(header.type)
            body = data
        case .failure(let error):
            replyHeader.type = MessageType.error
            body = WireCodec.encode(error)
        }
        var headerFrame = WireCodec.encode(replyHeader)
        if headerFrame.count + body.count > WireCodec.maxMessageBytes {
            // The receiver would refuse it: say so here, where the bug is, and answer an error.
            BusMetrics.tooLarge(direction: "sent")
            logger.error("bus.reply.too_large", metadata: [
                "type": "\(replyHeader.type)", "bytes": "\(headerFrame.count + body.count)", "limit": "\(WireCodec.maxMessageBytes)"])
            replyHeader.type = MessageType.error
            headerFrame = WireCodec.encode(replyHeader)
            body = WireCodec.encode(ServiceError(.internal, reason: "reply_too_large",
                "the reply to \(header.type) was over the \(WireCodec.maxMessageBytes)-byte limit"))
        }
        sendRPC(request.route + [Data(), headerFrame, body])
    }

    // MARK: Events

    /// Publishes an event (fact, alert, tick, span) under `topic`. Lossy by design on
    /// the wire; returns false when the outbox is full (the caller counts the drop).
    @discardableResult
    public func publish(topic: String, header: Header, body: Data) -> Bool {
        guard let pub = sockets.withLock({ $0.pub }) else { return false }
        do {
            try loop.send([Data(topic.utf8), WireCodec.encode(header), body], on: pub)
            BusMetrics.published(sent: true)
            return true
        } catch {
            BusMetrics.published(sent: false)
            return false
        }
    }

    /// A new header for a message this process originates.
    public func makeHeader(type: String, service: String? = nil, key: String? = nil, traceparent: String? = nil) -> Header {
        Header(
            id: ids.messageId(), type: type, service: service, key: key, ts: WallClock.nowNanos(),
            traceparent: outgoingTraceparent(traceparent))
    }

    /// At trace level, logs each request with its body (the log handler redacts secrets).
    func traceRequest(_ message: Message) {
        guard logger.logLevel <= .trace else { return }
        logger.trace("bus.request", metadata: [
            "type": "\(message.header.type)", "key": "\(message.header.key ?? "-")", "id": "\(message.header.id)",
            "body": "\(String(decoding: message.body.prefix(4_096), as: UTF8.self))",
        ])
    }

    /// Samples queue depths into gauges (called on the I/O tick).
    func sampleMetrics() {
        let (rpc, pub) = sockets.withLock { $0 }
        var outboxes: [(socket: String, depth: Int)] = []
        if let rpc { outboxes.append(("rpc", loop.outboxDepth(rpc))) }
        if let pub { outboxes.append(("events", loop.outboxDepth(pub))) }
        let handlers = worker.withLock { $0.handlersRunning }
        BusMetrics.sample(pending: pending.count, handlers: handlers, outboxes: outboxes)
        saturation.observe(pending: pending.count, handlers: handlers, outboxes: outboxes, bus: self)
    }

    func sendRPC(_ frames: [Data]) {
        guard let rpc = sockets.withLock({ $0.rpc }) else { return }
        do {
            try loop.send(frames, on: rpc)
        } catch {
            logger.warning("bus.send.refused", metadata: ["reason": "\(error)"])
        }
    }
}
