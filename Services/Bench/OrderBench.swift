import Synchronization
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
        let offeredRates = (ProcessInfo.processInfo.environment["BENCH_RATES"] ?? "100,500,2000").split(separator: ",").compactMap { Int($0) }
        let accounts = (1...max(1, knob("BENCH_ACCOUNTS", 16))).map { "bench-\($0)" }
        let suite = try BenchSuite(environment: environment(accounts))
        defer { suite.stop() }
        let bench = try Connections(suite, clients: clients)
        defer { bench.stop() }
        await bench.warmUp(account: accounts[0])
        let connections = bench.connections

        // Baseline from the same run: a bare request/reply through the same bus to an echo
        // worker in this process — the transport's floor under the order path.
        let baseline = await echo(connections, count: orders, concurrency: concurrency)
        print("— baseline: bus round trip to an echo worker, \(concurrency) in flight: \(LatencySummary.rate(baseline.acked, over: baseline.elapsed)), \(baseline.latency.line)")
        // One at a time (closed loop, 1 in flight): what each hop costs with nothing queued.
        let single = knob("BENCH_SINGLE_ORDERS", 300)
        let echoOne = await echo(connections, count: single, concurrency: 1)
        print("— baseline: bus round trip to an echo worker, 1 in flight: \(LatencySummary.rate(echoOne.acked, over: echoOne.elapsed)), \(echoOne.latency.line), min \(LatencySummary.milliseconds(echoOne.latency.at(perMille: 0)))")

        print("— order entry: \(clients) client connections, \(accounts.count) accounts × \(symbols.count) symbols (\(symbols.map(\.symbol).joined(separator: ", "))), market buys")
        let one = await closedLoop(orders: single, concurrency: 1) { i in
            await submit(i, prefix: "one", connections: connections, accounts: accounts, since: .now)
        }
        print("one order at a time (1 in flight): \(one.acked)/\(single) acknowledged, \(LatencySummary.rate(one.acked, over: one.elapsed)), \(one.latency.line), min \(LatencySummary.milliseconds(one.latency.at(perMille: 0))); not acknowledged: \(takeRefusals())")
        for rate in offeredRates {
            let fixed = await offered(orders: orders, rate: rate, connections: connections, accounts: accounts, prefix: "fixed\(rate)")
            print("fixed rate \(rate)/s: \(fixed.acked)/\(orders) acknowledged by the venue, \(LatencySummary.rate(fixed.acked, over: fixed.elapsed)), \(fixed.latency.line); not acknowledged: \(takeRefusals())")
        }
        let saturated = await closedLoop(orders: orders, concurrency: concurrency) { i in
            await submit(i, prefix: "sat", connections: connections, accounts: accounts, since: .now)
        }
        saturationPerSecond.withLock { $0 = BenchSupport.perSecond(saturated.acked, saturated.elapsed.wholeNanoseconds) }
        print("saturation (\(concurrency) in flight): \(saturated.acked)/\(orders) acknowledged, \(LatencySummary.rate(saturated.acked, over: saturated.elapsed)), \(saturated.latency.line); not acknowledged: \(takeRefusals())")
    }

    /// What CURVE costs (issue 16): the echo round trip and orders, one at a time and at
    /// saturation, on the plain-text bus and then on the authenticated one (CURVE on every
    /// socket of the bus and venue-sim, the roles, the writer's per-fact rights), with the same
    /// processes and knobs, one after the other in one run.
    static func runCurve() async throws {
        let orders = knob("BENCH_CURVE_ORDERS", 1_000), single = knob("BENCH_SINGLE_ORDERS", 300)
        let clients = knob("BENCH_CLIENTS", 8), concurrency = knob("BENCH_CONCURRENCY", 32)
        let accounts = (1...max(1, knob("BENCH_ACCOUNTS", 16))).map { "bench-\($0)" }
        print("— the authenticated bus against plain text: \(clients) client connections, \(accounts.count) accounts, market buys")
        for secure in [false, true] {
            let label = secure ? "CURVE" : "plain text"
            let suite = try BenchSuite(busPort: 46_655, venuePort: 46_670, secure: secure, environment: environment(accounts))
            defer { suite.stop() }
            let bench = try Connections(suite, clients: clients)
            defer { bench.stop() }
            await bench.warmUp(account: accounts[0])
            let connections = bench.connections
            let echoOne = await echo(connections, count: single, concurrency: 1)
            let echoMany = await echo(connections, count: orders, concurrency: concurrency)
            print("\(label): echo 1 in flight \(LatencySummary.rate(echoOne.acked, over: echoOne.elapsed)), \(echoOne.latency.line); \(concurrency) in flight \(LatencySummary.rate(echoMany.acked, over: echoMany.elapsed))")
            let one = await closedLoop(orders: single, concurrency: 1) { i in
                await submit(i, prefix: "one", connections: connections, accounts: accounts, since: .now)
            }
            let saturated = await closedLoop(orders: orders, concurrency: concurrency) { i in
                await submit(i, prefix: "sat", connections: connections, accounts: accounts, since: .now)
            }
            print("\(label): orders 1 in flight \(one.acked)/\(single), \(LatencySummary.rate(one.acked, over: one.elapsed)), \(one.latency.line); \(concurrency) in flight \(saturated.acked)/\(orders), \(LatencySummary.rate(saturated.acked, over: saturated.elapsed)), \(saturated.latency.line); not acknowledged: \(takeRefusals())")
        }
    }

    /// The suite's settings for the order sections: `accounts` funded, no rate limit in the way.
    private static func environment(_ accounts: [String]) -> [String: String] {
        [
            "BW_ACCOUNTS": accounts.map { "\($0):USDT=1000000000" }.joined(separator: ";"),
            "BW_RATE_ACCOUNT_PER_SEC": "1000000", "BW_RATE_ACCOUNT_BURST": "1000000",
            "BW_RATE_VENUE_PER_SEC": "1000000", "BW_RATE_VENUE_BURST": "1000000",
        ]
    }

    /// The bench's client connections to a suite's bus and an echo worker beside them, on one context.
    private final class Connections {
        let context = ZMQContext()
        let connections: [BusConnection]
        private let echo: BusConnection
        private let echoTask: Task<Void, Never>

        init(_ suite: BenchSuite, clients: Int) throws {
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            connections = try (0..<clients).map { [context] i in
                try BusConnection(configuration: .init(endpoints: suite.endpoints, identity: "bench-\(getpid())-\(i)"), context: context, logger: logger)
            }
            connections.forEach { $0.start() }
            echo = try BusConnection(configuration: .init(endpoints: suite.endpoints, identity: "bench-echo-\(getpid())"), context: context, logger: logger)
            echo.serve(service: BenchSuite.echoService)
            echo.start()
            echoTask = Task { [echo] in await echo.handleRequests { message throws(ServiceError) in message.body } }
        }

        /// Waits until the gateway answers (it registers once it has market data).
        func warmUp(account: String) async {
            _ = try? await connections[0].call(
                service: GatewayAPI.service, type: GatewayAPI.get, key: account, body: OrderRef(account: account, clientOrderId: "warmup"),
                replyType: OrderReply.self, timeout: .seconds(60), attempts: 1)
        }

        func stop() {
            echo.stop()
            echoTask.cancel()
            connections.forEach { $0.stop() }
            context.terminate()
        }
    }

    /// `count` round trips to the echo worker, `concurrency` in flight.
    private static func echo(_ connections: [BusConnection], count: Int, concurrency: Int) async -> Result {
        await closedLoop(orders: count, concurrency: concurrency) { i in
            await timed(connections[i % connections.count]) { bus in
                (try? await bus.request(service: BenchSuite.echoService, type: "bench.echo", body: Data("{}".utf8), timeout: .seconds(30), attempts: 1))
                    .map { !$0.header.isError } ?? false
            }
        }
    }

    /// The symbols orders alternate over, each with a quantity worth a few tens of USDT.
    static let symbols: [(symbol: String, qty: ExactDecimal)] = [("ETH/USDT", ExactDecimal("0.01")!), ("BTC/USDT", ExactDecimal("0.001")!)]

    /// Acknowledged orders per second at saturation, for the peer section's ratio (nil: not run).
    static let saturationPerSecond = Mutex<Int64?>(nil)

    /// Why orders were not acknowledged (error code/reason, or the order's state), over the section.
    static let refusals = Mutex<[String: Int]>([:])

    /// The refusals so far as `CODE/reason×n`, and resets them.
    static func takeRefusals() -> String {
        let all = refusals.withLock { list in defer { list = [:] }; return list }
        return all.isEmpty ? "none" : all.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", ")
    }

    struct Result {
        let acked: Int
        let elapsed: Duration
        let latency: LatencySummary
    }

    /// One market buy; whether the venue acknowledged it (accepted or filled), and its latency from `since`.
    private static func submit(_ index: Int, prefix: String, connections: [BusConnection], accounts: [String], since: ContinuousClock.Instant) async -> (Int64, Bool) {
        // Every (account, symbol) key in turn: order i goes to account i mod A, symbol (i / A) mod S.
        let account = accounts[index % accounts.count]
        let (symbol, qty) = symbols[(index / accounts.count) % symbols.count]
        let body = OrderSubmit(clientOrderId: "\(prefix)-\(index)", account: account, symbol: symbol, side: .buy, type: .market, qty: qty)
        let acked: Bool
        do {
            let reply = try await connections[index % connections.count].call(
                service: GatewayAPI.service, type: GatewayAPI.submit, key: account, body: body, replyType: OrderReply.self, timeout: .seconds(30), attempts: 1)
            acked = [.accepted, .partiallyFilled, .filled].contains(reply.order.state)
            if !acked { refusals.withLock { $0["state_\(reply.order.state.rawValue)", default: 0] += 1 } }
        } catch {
            acked = false
            refusals.withLock { $0["\(error.code.rawValue)/\(error.reason)", default: 0] += 1 }
        }
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

    /// Runs `body` and says how long it took and whether it succeeded.
    private static func timed(_ bus: BusConnection, _ body: (BusConnection) async -> Bool) async -> (Int64, Bool) {
        let start = ContinuousClock.now
        let ok = await body(bus)
        return ((ContinuousClock.now - start).wholeNanoseconds, ok)
    }

    /// `count` calls of `call`, `concurrency` in flight at once.
    private static func closedLoop(orders count: Int, concurrency: Int, _ call: @escaping @Sendable (Int) async -> (Int64, Bool)) async -> Result {
        let start = ContinuousClock.now
        let results = await withTaskGroup(of: (Int64, Bool).self) { group in
            var next = 0, results: [(Int64, Bool)] = []
            func launch() {
                let i = next
                next += 1
                group.addTask { await call(i) }
            }
            while next < min(concurrency, count) { launch() }
            for await result in group {
                results.append(result)
                if next < count { launch() }
            }
            return results
        }
        return Result(acked: results.filter(\.1).count, elapsed: ContinuousClock.now - start, latency: LatencySummary(results.map(\.0)))
    }
}
