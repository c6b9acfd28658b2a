import BusKit
import BusProtocol
import Foundation
import Logging
import TradingModel
import ZeroMQ

/// `risk.authorize` alone through the real processes (client → bus → risk-service →
/// persistence-writer commit → risk-service → client): the checks, the reservation and
/// the intent's journal write, without the gateway or the venue call. Closed loop, a
/// fixed number in flight, spread over accounts (each account is one partition).
enum RiskBench {
    static func run() async throws {
        let orders = knob("BENCH_RISK_ORDERS", 2_000)
        let concurrency = knob("BENCH_RISK_CONCURRENCY", 32)
        let accounts = (1...8).map { "riskbench-\($0)" }
        let suite = try BenchSuite(
            busPort: 46_655, venuePort: 46_670, services: ["bus", "persistence-writer", "venue-sim", "risk-service"],
            environment: [
                "BW_ACCOUNTS": accounts.map { "\($0):USDT=1000000000" }.joined(separator: ";"),
                "BW_RISK_LIMITS": "*:max_open_orders=1000000",
                // risk.authorize alone: no reconciler runs here, so the accounts are not gated on it.
                "BW_RISK_REQUIRE_RECON": "false",
            ])
        defer { suite.stop() }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let context = ZMQContext()
        let bus = try BusConnection(configuration: .init(endpoints: suite.endpoints, identity: "riskbench-\(getpid())"), context: context, logger: logger)
        bus.start()
        defer {
            bus.stop()
            context.terminate()
        }
        // Warm up: risk registers once it has replayed the (empty) journal.
        _ = try? await bus.call(
            service: RiskAPI.service, type: RiskAPI.show, key: accounts[0], body: AccountRef(account: accounts[0]),
            replyType: AccountRisk.self, timeout: .seconds(60), attempts: 1)

        let start = ContinuousClock.now
        let results = await withTaskGroup(of: (Int64, Bool).self) { group in
            var next = 0, results: [(Int64, Bool)] = []
            func launch() {
                let i = next
                next += 1
                group.addTask { await authorize(i, bus: bus, accounts: accounts) }
            }
            while next < min(concurrency, orders) { launch() }
            for await result in group {
                results.append(result)
                if next < orders { launch() }
            }
            return results
        }
        let elapsed = ContinuousClock.now - start
        let approved = results.filter(\.1).count
        print("— risk.authorize (checks + reservation + journal commit), \(concurrency) in flight, \(accounts.count) accounts: "
            + "\(approved)/\(orders) approved, \(LatencySummary.rate(approved, over: elapsed)), \(LatencySummary(results.map(\.0)).line)")
    }

    private static func authorize(_ index: Int, bus: BusConnection, accounts: [String]) async -> (Int64, Bool) {
        let account = accounts[index % accounts.count]
        let request = RiskAuthorize(
            account: account, clientOrderId: "rb-\(index)", symbol: "ETH/USDT", base: "ETH", quote: "USDT", side: .buy,
            type: .limit, qty: ExactDecimal("0.01")!, price: ExactDecimal("3000")!, timeInForce: .ioc)
        let start = ContinuousClock.now
        let decision = try? await bus.call(
            service: RiskAPI.service, type: RiskAPI.authorize, key: account, body: request, replyType: RiskDecision.self,
            timeout: .seconds(30), attempts: 1)
        return ((ContinuousClock.now - start).wholeNanoseconds, decision?.approved == true)
    }
}
