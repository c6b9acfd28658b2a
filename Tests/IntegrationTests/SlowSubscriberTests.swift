import BusKit
import BusProtocol
import Foundation
import Testing
import TestSupport
import TradingModel
import ZeroMQ

/// B2 against the real suite: subscribers that never read (event plane and tap) cannot
/// slow the order path — the bus drops for them (PUB semantics), it never waits.
@Suite("slow subscribers and the order path", .serialized)
struct SlowSubscriberTests {
    @Test("order latency with stalled event and tap subscribers stays close to without; every order completes")
    func stalledSubscribersDoNotSlowOrders() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        suite.environment = ["BW_RATE_ACCOUNT_PER_SEC": "100000", "BW_RATE_ACCOUNT_BURST": "100000"]
        try suite.start()
        let client = try suite.client()
        defer { client.close() }
        #expect(try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            (try? await Self.order(client, id: "warmup-\(UUID().uuidString.prefix(6))")) != nil
        })

        let without = try await Self.latencies(client, prefix: "free", count: 40)
        // Two subscribers that never read: one on every event topic, one on the tap.
        let context = ZMQContext()
        defer { context.terminate() }
        var stalled: [ZMQSocket] = []
        for endpoint in [suite.endpoints.eventsOut, suite.endpoints.tap] {
            let socket = try ZMQSocket(context: context, type: .sub, options: [.subscribe(""), .receiveHighWaterMark(10), .lingerMs(0)] + suite.endpoints.clientOptions)
            try socket.connect(endpoint)
            stalled.append(socket)
        }
        let with = try await Self.latencies(client, prefix: "stalled", count: 40)
        for socket in stalled { socket.close() }

        let medianWithout = without.sorted()[without.count / 2], medianWith = with.sorted()[with.count / 2]
        print("order latency p50 without stalled subscribers: \(medianWithout), with: \(medianWith)")
        #expect(with.count == 40 && without.count == 40)
        // A loose bound (a shared CI machine is noisy); a bus that waited on a stalled
        // subscriber would block outright and time the orders out.
        #expect(medianWith < medianWithout * 3 + .milliseconds(20))
    }

    static func order(_ client: SuiteClientConnection, id: String) async throws(ServiceError) -> OrderReply {
        let order = OrderSubmit(clientOrderId: id, account: "acct-1", symbol: "ETH/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!)
        return try await client.bus.call(
            service: "order-gateway", type: "order.submit", key: "acct-1", body: order, replyType: OrderReply.self,
            timeout: .seconds(5), attempts: 1)
    }

    /// Submits `count` orders one after another and returns each one's round trip.
    static func latencies(_ client: SuiteClientConnection, prefix: String, count: Int) async throws -> [Duration] {
        let clock = ContinuousClock()
        var result: [Duration] = []
        for n in 0..<count {
            let started = clock.now
            _ = try await order(client, id: "\(prefix)-\(n)")
            result.append(clock.now - started)
        }
        return result
    }
}
