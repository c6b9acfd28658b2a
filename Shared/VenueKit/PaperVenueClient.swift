import BusKit
import BusProtocol
import Foundation
import Logging
import TradingModel
import ZeroMQ

/// The `Venue` for the paper venue-sim, over its own ZeroMQ endpoints (RPC ROUTER +
/// stream PUB). Paper mode reaches only these endpoints: no live venue is reachable.
public final class PaperVenueClient: Venue {
    public let name = "paper"
    private let connection: BusConnection
    private let timeout: Duration
    public let stream: AsyncStream<VenueEvent>

    /// - Parameters:
    ///   - venue: the venue's endpoints, with the keys of an authenticated venue-sim.
    ///   - subscribe: stream topics to follow (e.g. ticks and fills), or none.
    public init(venue: VenueEndpoints, subscribe: [String], context: ZMQContext, logger: Logger, timeout: Duration = .seconds(2)) throws {
        var configuration = BusConnection.Configuration(
            endpoints: venue.connection,
            identity: "venue-client:\(getpid()):\(SystemIDGenerator().hex(bytes: 4))")
        configuration.subscriptions = subscribe
        configuration.publishesEvents = false
        // B2: a lagging consumer gets the newest tick per symbol, never a backlog of stale ones.
        configuration.conflatedTopicPrefixes = [VenueTopic.tick]
        connection = try BusConnection(configuration: configuration, context: context, logger: logger)
        self.timeout = timeout
        // Pull-driven (no second buffer): the connection's bounded buffer is where a slow
        // consumer's pressure shows, so ticks are conflated there and fills are kept.
        let events = EventPuller(connection.events)
        stream = AsyncStream(unfolding: { await events.nextVenueEvent() })
        connection.start()
    }

    public func stop() { connection.stop() }

    static func decodeEvent(_ message: Message) -> VenueEvent? {
        switch message.header.type {
        case "venue.tick": (try? message.decode(VenueTick.self)).map(VenueEvent.tick)
        case "venue.fill": (try? message.decode(VenueFill.self)).map(VenueEvent.fill)
        case "venue.order": (try? message.decode(VenueOrder.self)).map(VenueEvent.order)
        default: nil
        }
    }

    private func call<Reply: Decodable>(
        _ type: String, _ body: some Encodable, _ reply: Reply.Type, sent: (@Sendable () -> Void)? = nil
    ) async throws(VenueError) -> Reply {
        // The venue adapter's span (B5): the call's header carries it to the venue.
        let result: Result<Reply, VenueError> = await connection.withClientSpan(type) {
            do throws(ServiceError) {
                // One attempt: a resend after a timeout is the gateway's decision (it asks first).
                return .success(try await connection.call(
                    service: "venue", type: type, body: body, replyType: reply, timeout: timeout, attempts: 1, sent: sent))
            } catch {
                return .failure(VenueError.classify(error))
            }
        }
        return try result.get()
    }

    public func instruments() async throws(VenueError) -> [Instrument] {
        try await call("venue.instruments", [String: String](), VenueInstruments.self).instruments
    }

    public func place(_ order: VenuePlace) async throws(VenueError) -> VenueOrder {
        try await call("venue.place", order, VenueOrder.self)
    }

    /// `place`; `sent` is called as soon as the request is handed to the socket.
    public func place(_ order: VenuePlace, sent: @escaping @Sendable () -> Void) async throws(VenueError) -> VenueOrder {
        defer { sent() }  // also when the request never left (a full pending map)
        return try await call("venue.place", order, VenueOrder.self, sent: sent)
    }

    public func order(account: String, clientOrderId: String) async throws(VenueError) -> VenueOrder? {
        do {
            return try await call("venue.order", VenueOrderRef(account: account, clientOrderId: clientOrderId), VenueOrder.self)
        } catch .permanent(let error) where error.code == .notFound {
            return nil
        }
    }

    public func cancel(account: String, clientOrderId: String) async throws(VenueError) -> VenueOrder {
        try await call("venue.cancel", VenueOrderRef(account: account, clientOrderId: clientOrderId), VenueOrder.self)
    }

    /// Every open order of the account, page after page.
    public func openOrders(account: String) async throws(VenueError) -> [VenueOrder] {
        var all: [VenueOrder] = []
        var query = VenueOpenOrdersQuery(account: account)
        for _ in 0..<Self.maxPages {
            let page = try await call("venue.open_orders", query, VenueOrders.self)
            all += page.orders
            guard let next = page.nextAfter, !page.orders.isEmpty else { return all }
            query.afterVenueOrderId = next
        }
        return all  // 100,000 open orders: more is not an account this suite trades
    }

    /// The most pages one listing reads.
    static let maxPages = 1_000

    public func fills(account: String, afterTradeSeq: Int64?) async throws(VenueError) -> [VenueFill] {
        try await call("venue.fills", VenueFillsQuery(account: account, afterTradeSeq: afterTradeSeq), VenueFills.self).fills
    }

    public func balances(account: String) async throws(VenueError) -> VenueBalances {
        try await call("venue.balances", VenueAccountRef(account: account), VenueBalances.self)
    }

    /// The account's net positions (`venue.positions`).
    public func positions(account: String) async throws(VenueError) -> [String: Quantity] {
        try await call("venue.positions", VenueAccountRef(account: account), VenuePositions.self).positions
    }

    /// The account's fills at or after venue time `sinceTs` (first page).
    public func fills(account: String, sinceTs: Int64) async throws(VenueError) -> [VenueFill] {
        try await call("venue.fills", VenueFillsQuery(account: account, sinceTs: sinceTs), VenueFills.self).fills
    }

    /// Sets the venue's fault injection; returns the faults now in force.
    public func setFaults(_ faults: VenueFaults) async throws(VenueError) -> VenueFaults {
        try await call("venue.faults", faults, VenueFaults.self)
    }
}

/// The single consumer's iterator over a connection's events, decoding venue events.
private final class EventPuller: @unchecked Sendable {
    // Only the one task iterating `stream` calls `nextVenueEvent`, one call at a time.
    private var iterator: AsyncStream<Message>.AsyncIterator

    init(_ events: AsyncStream<Message>) {
        iterator = events.makeAsyncIterator()
    }

    func nextVenueEvent() async -> VenueEvent? {
        while let message = await iterator.next() {
            if let event = PaperVenueClient.decodeEvent(message) { return event }
        }
        return nil
    }
}
