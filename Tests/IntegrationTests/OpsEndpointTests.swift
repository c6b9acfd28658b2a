import BusKit
import BusProtocol
import Foundation
import GRDB
import Testing
import TestSupport
import TradingModel

/// S2 against the real executables: each serves `/health` and `/metrics` on its
/// BW_HTTP_PORT, health follows readiness, and the metrics count real traffic.
@Suite("ops endpoints of the real services", .serialized)
struct OpsEndpointTests {
    /// A suite whose services each get their own BW_HTTP_PORT.
    static func suiteWithHTTP() throws -> (Suite, [String: Int]) {
        let suite = try Suite()
        let base = FreePorts.block(of: Suite.serviceOrder.count)
        var ports: [String: Int] = [:]
        for (offset, name) in Suite.serviceOrder.enumerated() {
            ports[name] = base + offset
            suite.serviceEnvironment[name, default: [:]]["BW_HTTP_PORT"] = "\(base + offset)"
        }
        return (suite, ports)
    }

    @Test("/health is 503 with a reason until the service is registered on the bus, then 200; /metrics counts requests")
    func healthAndMetrics() async throws {
        let (suite, ports) = try Self.suiteWithHTTP()
        defer { suite.tearDown() }
        let writerPort = try #require(ports["persistence-writer"])

        // The writer alone, without a bus: alive, not ready, and it says why.
        try suite.start("persistence-writer")
        // (Before its bus connection exists the reason is `no_bus_connection`.)
        #expect(try await eventually {
            let health = await HTTPProbe.get(port: writerPort, path: "/health")
            return health?.status == 503 && health?.body.contains(#""bus":"not_registered""#) == true
        })
        let waiting = try #require(await HTTPProbe.get(port: writerPort, path: "/health"))
        #expect(waiting.status == 503 && waiting.body.contains(#""status":"unavailable""#))

        try suite.start(Suite.serviceOrder.filter { $0 != "persistence-writer" })
        for (name, port) in ports {
            let ready = try await eventually(timeout: .seconds(60)) { await HTTPProbe.get(port: port, path: "/health")?.status == 200 }
            let last = await HTTPProbe.get(port: port, path: "/health")?.body ?? "no answer"
            #expect(ready, "\(name) never became healthy: \(last)")
        }

        let client = try suite.client()
        defer { client.close() }
        let order = OrderSubmit(clientOrderId: "ops-1", account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!)
        let submitted = try await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            let reply = try? await client.bus.call(
                service: "order-gateway", type: "order.submit", key: "acct-1", body: order, replyType: OrderReply.self,
                timeout: .seconds(5), attempts: 1)
            return reply != nil
        }
        #expect(submitted)
        let garbage = try await client.bus.request(service: "order-gateway", type: "order.submit", key: "acct-1", body: Data("{x".utf8), attempts: 1)
        #expect(garbage.errorBody().code == .invalidRequest)

        let gatewayPort = try #require(ports["order-gateway"])
        let gateway = try #require(await HTTPProbe.get(port: gatewayPort, path: "/metrics"))
        #expect(gateway.status == 200)
        #expect((HTTPProbe.sample(gateway.body, metric: "bw_messages_handled_total", labels: ["type": "order.submit", "outcome": "ok"]) ?? 0) >= 1)
        #expect((HTTPProbe.sample(gateway.body, metric: "bw_messages_handled_total", labels: ["type": "order.submit", "outcome": "invalid_request"]) ?? 0) >= 1)
        #expect(HTTPProbe.sample(gateway.body, metric: "bw_message_handle_duration_count", labels: ["type": "order.submit"]) != nil)

        let riskPort = try #require(ports["risk-service"])
        let risk = try #require(await HTTPProbe.get(port: riskPort, path: "/metrics"))
        #expect((HTTPProbe.sample(risk.body, metric: "bw_messages_handled_total", labels: ["type": "risk.authorize", "outcome": "ok"]) ?? 0) >= 1)

        let writer = try #require(await HTTPProbe.get(port: writerPort, path: "/metrics"))
        #expect((HTTPProbe.sample(writer.body, metric: "bw_writer_batch_size_count") ?? 0) >= 1)
        #expect((HTTPProbe.sample(writer.body, metric: "bw_writer_commit_duration_count") ?? 0) >= 1)
        #expect(writer.body.contains("bw_outbox_depth"))
    }

    @Test("risk-service's bw_breaker_state follows a trip over the bus, is rebuilt by the replay after kill -9, and a reset; bw_governor_level per account")
    func breakerAndGovernorGauges() async throws {
        let (suite, ports) = try Self.suiteWithHTTP()
        defer { suite.tearDown() }
        let riskPort = try #require(ports["risk-service"])
        // Without a reconciler no account is ever reconciled (C1): risk on its own here.
        suite.environment = ["BW_RISK_REQUIRE_RECON": "false"]
        try suite.start(["bus", "persistence-writer", "venue-sim", "risk-service"])
        // As the operator: trip and reset are an operator's controls.
        let client = try suite.client(as: "operator")
        defer { client.close() }
        let gauge = { (metric: String, scope: String) async -> Int? in
            guard let scrape = await HTTPProbe.get(port: riskPort, path: "/metrics") else { return nil }
            return HTTPProbe.sample(scrape.body, metric: metric, labels: ["scope": scope])
        }
        // Ready means the journal is replayed and every scope's gauge is set.
        #expect(try await eventually(timeout: .seconds(60)) { await HTTPProbe.get(port: riskPort, path: "/health")?.status == 200 })
        #expect(await gauge("bw_breaker_state", "acct-1") == 0)
        #expect(await gauge("bw_breaker_state", "*") == 0)
        #expect(await gauge("bw_governor_level", "acct-1") == 0)

        let tripped = try await client.bus.call(
            service: RiskAPI.service, type: RiskAPI.trip, key: "acct-1", body: RiskTrip(account: "acct-1", reason: "gauge drill"),
            replyType: BreakerView.self, timeout: .seconds(5), attempts: 1)
        #expect(tripped.state == .open)
        #expect(await gauge("bw_breaker_state", "acct-1") == 3)  // open
        #expect(await gauge("bw_breaker_state", "*") == 0)

        // The transition is journaled after the reply: wait for it, then kill -9 and restart.
        #expect(try await eventually(timeout: .seconds(10)) {
            var configuration = Configuration()
            configuration.readonly = true
            return try await DatabaseQueue(path: suite.databasePath, configuration: configuration).read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal WHERE msg_id = 'breaker:acct-1:1'") == 1
            }
        })
        suite.kill("risk-service")
        try suite.start("risk-service")
        #expect(try await eventually(timeout: .seconds(60)) { await HTTPProbe.get(port: riskPort, path: "/health")?.status == 200 })
        #expect(await gauge("bw_breaker_state", "acct-1") == 3)
        #expect(await gauge("bw_governor_level", "acct-1") == 0)

        // Until the bus declares the killed worker dead, a request may still be routed to it: retry (a reset is idempotent).
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            let reset = try? await client.bus.call(
                service: RiskAPI.service, type: RiskAPI.reset, key: "acct-1", body: RiskReset(account: "acct-1"),
                replyType: BreakerView.self, timeout: .seconds(2), attempts: 1)
            return reset?.state == .closed
        })
        #expect(await gauge("bw_breaker_state", "acct-1") == 0)
    }

    @Test("risk-service is not ready while it cannot rebuild its ledger from the journal (no writer), ready after")
    func readinessWaitsForTheJournal() async throws {
        let (suite, ports) = try Self.suiteWithHTTP()
        defer { suite.tearDown() }
        let riskPort = try #require(ports["risk-service"])
        try suite.start(["bus", "risk-service"])
        // A read with no writer is answered UNAVAILABLE after its retries (15 s at the defaults).
        #expect(try await eventually(timeout: .seconds(40)) {
            let health = await HTTPProbe.get(port: riskPort, path: "/health")
            // Says it is catching up, how far it has come, and why it cannot go on (no writer).
            return health?.status == 503 && health?.body.contains(#""facts":"catching_up: applied seq 0"#) == true
                && health?.body.contains("last read failed") == true
        })
        let waiting = try #require(await HTTPProbe.get(port: riskPort, path: "/health"))
        #expect(waiting.body.contains(#""bus":"not_registered""#))

        try suite.start("persistence-writer")
        #expect(try await eventually(timeout: .seconds(30)) { await HTTPProbe.get(port: riskPort, path: "/health")?.status == 200 })
    }
}
