import BusKit
import BusProtocol
import Foundation
import Testing
import TestSupport
import TradingModel

/// `tradectl tap` against the real bus: one line per forwarded message, filtered.
@Suite("tradectl tap", .serialized)
struct TapCommandTests {
    private func waitUntilGatewayAnswers(_ client: SuiteClientConnection) async throws -> Bool {
        try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            let reply = try? await client.bus.request(
                service: "order-gateway", type: "order.get", key: "acct-1",
                body: WireCodec.encode(OrderRef(account: "acct-1", clientOrderId: "probe")), timeout: .seconds(2), attempts: 1)
            return reply.map { !$0.header.isError || $0.errorBody().code == .notFound } ?? false
        }
    }

    @Test("filters by account and service, shows replies under their request's account, exits after --count")
    func accountAndTypeFilter() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try suite.start()
        let client = try suite.client()
        defer { client.close() }
        #expect(try await waitUntilGatewayAnswers(client))
        let tap = try TapProcess(suite: suite, arguments: ["--account", "acct-2", "--service", "order-gateway", "--count", "4"])
        defer { tap.stop() }

        // Traffic for both accounts until the tap has printed its 4 lines (it joins a moment after starting).
        var n = 0
        let done = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
            n += 1
            for account in ["acct-1", "acct-2"] {
                _ = try? await client.bus.request(
                    service: "order-gateway", type: "order.get", key: account,
                    body: WireCodec.encode(OrderRef(account: account, clientOrderId: "tap-\(n)")), timeout: .seconds(2), attempts: 1)
            }
            return tap.hasExited
        }
        #expect(done)
        let lines = tap.output().split(separator: "\n")
        #expect(lines.count == 4)
        for line in lines {
            #expect(line.contains("acct-2") && line.contains("order-gateway"))
            #expect(!line.contains("acct-1"))
        }
        #expect(lines.contains { $0.contains("request") } && lines.contains { $0.contains("reply") })
    }

    @Test("filters by trace id: exactly the hops of that trace")
    func traceFilter() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try suite.start()
        let client = try suite.client()
        defer { client.close() }
        #expect(try await waitUntilGatewayAnswers(client))
        let traceId = SystemIDGenerator().hex(bytes: 16)
        let tap = try TapProcess(suite: suite, arguments: ["--trace", traceId, "--count", "2"])
        defer { tap.stop() }

        let done = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
            _ = try? await client.bus.request(
                service: "order-gateway", type: "order.get", key: "acct-1",
                body: WireCodec.encode(OrderRef(account: "acct-1", clientOrderId: "traced")),
                traceparent: "00-\(traceId)-\(SystemIDGenerator().hex(bytes: 8))-01", timeout: .seconds(2), attempts: 1)
            _ = try? await client.bus.request(
                service: "order-gateway", type: "order.get", key: "acct-1",
                body: WireCodec.encode(OrderRef(account: "acct-1", clientOrderId: "untraced")), timeout: .seconds(2), attempts: 1)
            return tap.hasExited
        }
        #expect(done)
        let lines = tap.output().split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.contains("trace=\(traceId)") })
    }

    @Test("filters by type prefix: only that type's messages (the prefix is also the tap subscription)")
    func typeFilter() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try suite.start()
        let client = try suite.client()
        defer { client.close() }
        #expect(try await waitUntilGatewayAnswers(client))
        let tap = try TapProcess(suite: suite, arguments: ["--type", "risk.sh", "--count", "3"])
        defer { tap.stop() }

        let done = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
            _ = try? await client.bus.request(
                service: "order-gateway", type: "order.get", key: "acct-1",
                body: WireCodec.encode(OrderRef(account: "acct-1", clientOrderId: "typed")), timeout: .seconds(2), attempts: 1)
            _ = try? await client.bus.request(
                service: "risk-service", type: "risk.show", key: "acct-1", body: WireCodec.encode(AccountRef(account: "acct-1")),
                timeout: .seconds(2), attempts: 1)
            return tap.hasExited
        }
        #expect(done)
        let lines = tap.output().split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.contains("risk.show") })
        #expect(lines.contains { $0.contains("risk.show.ok") })
    }
}
