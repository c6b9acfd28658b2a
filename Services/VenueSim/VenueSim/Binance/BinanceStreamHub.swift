import BinanceWire
import Foundation

/// The Binance front's open WebSocket connections and their user data stream
/// subscriptions. Everything a connection is sent (replies and events) goes through its one
/// queue, in order: a subscribe's reply always comes before the subscription's first event.
actor BinanceStreamHub {
    private struct Connection {
        var outbound: AsyncStream<String>.Continuation
        /// Subscription id → the paper account it follows.
        var subscriptions: [Int: String] = [:]
        var nextSubscription = 0
    }

    private var connections: [Int: Connection] = [:]
    private var nextConnection = 0

    /// The most messages queued for one slow connection (the oldest are dropped, as a
    /// venue drops a consumer that does not keep up; the client's catch-up repairs it).
    static let queueLimit = 10_000

    /// A new connection: its id and the queue of what it is to be sent.
    func open() -> (id: Int, outbound: AsyncStream<String>) {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(Self.queueLimit))
        nextConnection += 1
        connections[nextConnection] = Connection(outbound: continuation)
        return (nextConnection, stream)
    }

    /// Forgets a connection and its subscriptions.
    func close(_ connection: Int) {
        connections.removeValue(forKey: connection)?.outbound.finish()
    }

    /// Queues `text` for `connection`.
    func send(_ text: String, to connection: Int) {
        connections[connection]?.outbound.yield(text)
    }

    /// Subscribes `connection` to `account`'s events and queues the reply `reply(id)`; with
    /// `terminated` (the fault), the subscription ends at once after its reply.
    func subscribe(_ connection: Int, account: String, terminated: Bool, nowMillis: Int64, reply: (Int) -> String) {
        guard var open = connections[connection] else { return }
        let id = open.nextSubscription
        open.nextSubscription += 1
        open.outbound.yield(reply(id))
        if terminated {
            open.outbound.yield(Self.wrap(subscription: id, event: Self.terminatedEvent(nowMillis)))
        } else {
            open.subscriptions[id] = account
        }
        connections[connection] = open
    }

    /// Ends `connection`'s subscription `id` (every one when nil).
    func unsubscribe(_ connection: Int, id: Int?) {
        guard var open = connections[connection] else { return }
        if let id { open.subscriptions[id] = nil } else { open.subscriptions.removeAll() }
        connections[connection] = open
    }

    /// `connection`'s subscriptions, by id.
    func subscriptions(_ connection: Int) -> [Int] {
        connections[connection]?.subscriptions.keys.sorted() ?? []
    }

    /// Whether anyone follows `account` (events are only built when someone listens).
    func isFollowed(_ account: String) -> Bool {
        connections.values.contains { $0.subscriptions.values.contains(account) }
    }

    /// Queues `events` (each one event's JSON) to every subscription following `account`.
    func publish(_ events: [Data], account: String) {
        for open in connections.values {
            for (id, followed) in open.subscriptions.sorted(by: { $0.key < $1.key }) where followed == account {
                for event in events { open.outbound.yield(Self.wrap(subscription: id, event: event)) }
            }
        }
    }

    /// Ends every subscription with `eventStreamTerminated` (the fault, when it is set).
    func terminateAll(nowMillis: Int64) {
        let event = Self.terminatedEvent(nowMillis)
        for (key, var open) in connections {
            for id in open.subscriptions.keys.sorted() { open.outbound.yield(Self.wrap(subscription: id, event: event)) }
            open.subscriptions.removeAll()
            connections[key] = open
        }
    }

    private static func terminatedEvent(_ nowMillis: Int64) -> Data {
        BinanceFront.json(BinanceStreamTerminated(eventTime: nowMillis))
    }

    /// `{"subscriptionId":id,"event":…}`, as the WebSocket API wraps a subscription's events.
    static func wrap(subscription id: Int, event: Data) -> String {
        "{\"subscriptionId\":\(id),\"event\":\(String(decoding: event, as: UTF8.self))}"
    }
}
