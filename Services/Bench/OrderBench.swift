import BusKit
import BusProtocol
import Foundation
import Logging
import TradingModel
import ZeroMQ

/// Order entry end to end through the real processes (client → bus → gateway → risk →
/// writer → venue-sim → writer → client) from many client connections: once at a fixed
/// offered rate (open loop; latency from each order's scheduled send time, so a stall is
/// not hidden) and once at saturation (closed loop, a fixed number in flight).
enum OrderBench {
    static func run() async throws {
        let orders = knob("BENCH_ORDERS", 2_000)
        let clients = knob("BENCH_CLIENTS", 8)
        let concurrency = knob("BENCH_CONCURRENCY", 32)
        let offeredRate = knob("BENCH_RATE", 100)
        let accounts = (1...8).map { "bench-\($0)" }
        let suite = try BenchSuite(environment: [
            "BW_ACCOUNTS": accounts.map { "\($0):USDT=1000000000" }.joined(separator: ";"),
            "BW_RATE_ACCOUNT_PER_SEC": "1000000", "BW_RATE_ACCOUNT_BURST": "1000000",
            "BW_RATE_VENUE_PER_SEC": "1000000", "BW_RATE_VENUE_BURST": "1000000",
        ])
        defer { suite.stop() }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let context = ZMQContext()
        let connections = try (0..<clients).map { i in
            try BusConnection(configuration: .init(endpoints: suite.endpoints, identity: "bench-\(getpid())-\(i)"), context: context, logger: logger)
        }
        connections.forEach { $0.start() }
        defer {
            connections.forEach { $0.stop() }
            context.terminate()
        }
        // Warm up: the gateway registers once it has market data.
        _ = try? await connections[0].call(
            service: GatewayAPI.service, type: GatewayAPI.get, key: accounts[0], body: OrderRef(account: accounts[0], clientOrderId: "warmup"),
            replyType: OrderReply.self, timeout: .seconds(60), attempts: 1)

        print("— order entry: \(clients) client connections, \(accounts.count) accounts, market orders on ETH/USDT")
        let fixed = await offered(orders: orders, rate: offeredRate, connections: connections, accounts: accounts, prefix: "fixed")
        print("fixed rate \(offeredRate)/s: \(fixed.acked)/\(orders) acknowledged by the venue, \(LatencySummary.rate(fixed.acked, over: fixed.elapsed)), \(fixed.latency.line)")
        let saturated = await closedLoop(orders: orders, concurrency: concurrency, connections: connections, accounts: accounts, prefix: "sat")
        print("saturation (\(concurrency) in flight): \(saturated.acked)/\(orders) acknowledged, \(LatencySummary.rate(saturated.acked, over: saturated.elapsed)), \(saturated.latency.line)")
    }

    struct Result {
        let acked: Int
        let elapsed: Duration
        let latency: LatencySummary
    }

    /// One market buy; whether the venue acknowledged it (accepted or filled), and its latency from `since`.
    private static func submit(_ index: Int, prefix: String, connections: [BusConnection], accounts: [String], since: ContinuousClock.Instant) async -> (Int64, Bool) {
        let account = accounts[index % accounts.count]
        let body = OrderSubmit(clientOrderId: "\(prefix)-\(index)", account: account, symbol: "ETH/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!)
        let reply = try? await connections[index % connections.count].call(
            service: GatewayAPI.service, type: GatewayAPI.submit, key: account, body: body, replyType: OrderReply.self, timeout: .seconds(30), attempts: 1)
        let acked = [.accepted, .partiallyFilled, .filled].contains(reply?.order.state)
        return ((ContinuousClock.now - since).wholeNanoseconds, acked)
    }

    private static func offered(orders: Int, rate: Int, connections: [BusConnection], accounts: [String], prefix: String) async -> Result {
        let start = ContinuousClock.now
        let interval = Duration.nanoseconds(1_000_000_000 / max(rate, 1))
        let results = await withTaskGroup(of: (Int64, Bool).self) { group in
            for i in 0..<orders {
                let scheduled = start + interval * i
                try? await Task.sleep(until: scheduled, clock: .continuous)
                group.addTask { await submit(i, prefix: prefix, connections: connections, accounts: accounts, since: scheduled) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        return Result(acked: results.filter(\.1).count, elapsed: ContinuousClock.now - start, latency: LatencySummary(results.map(\.0)))
    }

    private static func closedLoop(orders: Int, concurrency: Int, connections: [BusConnection], accounts: [String], prefix: String) async -> Result {
        let start = ContinuousClock.now
        let results = await withTaskGroup(of: (Int64, Bool).self) { group in
            var next = 0, results: [(Int64, Bool)] = []
            func launch() {
                let i = next
                next += 1
                group.addTask { await submit(i, prefix: prefix, connections: connections, accounts: accounts, since: .now) }
            }
            while next < min(concurrency, orders) { launch() }
            for await result in group {
                results.append(result)
                if next < orders { launch() }
            }
            return results
        }
        return Result(acked: results.filter(\.1).count, elapsed: ContinuousClock.now - start, latency: LatencySummary(results.map(\.0)))
    }
}
