import BusKit
import BusProtocol
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TradingModel
import VenueKit
import ZeroMQ

/// The paper venue as a process: its own RPC ROUTER (an exchange's REST API) and a
/// stream PUB (market data and execution reports), like a real exchange's endpoints.
public struct VenueServer: Service {
    /// Settings of the paper venue.
    public struct Configuration: Sendable {
        public var rpc: String
        public var stream: String
        /// How often the market moves and resting orders are matched.
        public var tickInterval: Duration = .milliseconds(250)

        public init(rpc: String, stream: String) {
            self.rpc = rpc
            self.stream = stream
        }
    }

    private struct Request: Sendable {
        var route: [Data]
        var message: Message
    }

    private let context = ZMQContext()
    private let loop = SocketLoop(name: "venue-sim")
    private let rpcSocket: SocketLoop.SocketID
    private let streamSocket: SocketLoop.SocketID
    private let requests: AsyncStream<Request>
    private let exchange: VenueBook
    private let configuration: Configuration
    private let logger: Logger
    private let ids = SystemIDGenerator()

    public init(configuration: Configuration, exchange: PaperExchange, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.exchange = VenueBook(exchange)
        let (requests, continuation) = AsyncStream.makeStream(of: Request.self, bufferingPolicy: .bufferingOldest(100_000))
        self.requests = requests
        let router = try ZMQSocket(context: context, type: .router, options: [.routerMandatory, .maxMessageSize(1 << 20)])
        try router.bind(configuration.rpc)
        let publisher = try ZMQSocket(context: context, type: .pub, options: [.sendHighWaterMark(100_000)])
        try publisher.bind(configuration.stream)
        rpcSocket = loop.register(router, name: "rpc") { frames in
            guard frames.count == 4, frames[1].isEmpty,
                let message = try? WireCodec.decodeMessage(header: frames[2], body: frames[3])
            else { return }
            continuation.yield(Request(route: [frames[0]], message: message))
        }
        streamSocket = loop.register(publisher, name: "stream") { _ in }
    }

    public func run() async throws {
        loop.start()
        logger.info("venue.started", metadata: ["rpc": "\(configuration.rpc)", "stream": "\(configuration.stream)"])
        await withDiscardingTaskGroup { group in
            group.addTask { await marketLoop() }
            group.addTask {
                for await request in requests {
                    let result: Result<Data, ServiceError>
                    do throws(ServiceError) {
                        result = .success(try await exchange.handle(request.message, now: WallClock.nowNanos()))
                    } catch {
                        result = .failure(error)
                    }
                    reply(to: request, result)
                    if case .success = result, request.message.header.type == "venue.place" || request.message.header.type == "venue.cancel",
                        let order = try? WireCodec.decode(VenueOrder.self, from: result.successBody)
                    {
                        publish(order: order)
                    }
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        loop.stop()
        context.terminate()
    }

    private func marketLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.tickInterval)
            let step = await exchange.advance(now: WallClock.nowNanos())
            for tick in step.ticks { publish(topic: VenueTopic.tick + tick.symbol, type: "venue.tick", tick) }
            for fill in step.fills { publish(topic: VenueTopic.fill + fill.account, type: "venue.fill", fill) }
            for order in step.updates { publish(topic: VenueTopic.order + order.account, type: "venue.order", order) }
        }
    }

    private func publish(order: VenueOrder) {
        publish(topic: VenueTopic.order + order.account, type: "venue.order", order)
        for fill in order.fills { publish(topic: VenueTopic.fill + fill.account, type: "venue.fill", fill) }
    }

    private func publish(topic: String, type: String, _ body: some Encodable) {
        let header = Header(id: ids.messageId(), type: type, ts: WallClock.nowNanos())
        try? loop.send([Data(topic.utf8), WireCodec.encode(header), WireCodec.encode(body)], on: streamSocket)
    }

    private func reply(to request: Request, _ result: Result<Data, ServiceError>) {
        let type = request.message.header.type
        var header = Header(id: ids.messageId(), type: MessageType.ok(type), ts: WallClock.nowNanos(), replyTo: request.message.header.id)
        let body: Data
        switch result {
        case .success(let data): body = data
        case .failure(let error):
            header.type = MessageType.error
            body = WireCodec.encode(error)
        }
        try? loop.send(request.route + [Data(), WireCodec.encode(header), body], on: rpcSocket)
    }
}

extension Result where Success == Data {
    fileprivate var successBody: Data {
        if case .success(let data) = self { return data }
        return Data()
    }
}
