import BusKit
import BusProtocol
import Foundation
import GRDB
import Testing
import TestSupport
import TradingModel

/// B5 against the real suite: one order yields spans from every hop under one trace
/// id with intact parent links, stored by the writer and drawn by `tradectl trace`.
@Suite("tracing one order", .serialized)
struct TracingTests {
    struct StoredSpan: Equatable {
        var spanId: String
        var parentSpanId: String?
        var service: String
        var name: String
    }

    @Test("a traced order has spans from gateway, risk, writer, venue adapter and reconciler, one trace, parents intact; tradectl trace draws them")
    func orderTrace() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try suite.start()
        let client = try suite.client()
        defer { client.close() }
        #expect(try await client.waitUntilReady())
        // The client marks the order sampled (head sampling records ~1 % of the rest). Each try
        // is its own trace: a refused try (no quote yet) records its spans too, and must not
        // share the trace of the order that passed (found below by its journaled intent).
        let order = OrderSubmit(clientOrderId: "traced-1", account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!)
        let accepted = try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            (try? await client.bus.call(
                service: "order-gateway", type: "order.submit", key: "acct-1", body: order, replyType: OrderReply.self,
                traceparent: TraceContext.newRoot(using: SystemIDGenerator(), sampled: true), timeout: .seconds(5), attempts: 1)) != nil
        }
        #expect(accepted)

        let db = try DatabaseQueue(path: suite.databasePath, configuration: { var c = Configuration(); c.readonly = true; return c }())
        let traceId = try #require(try await db.read { db in
            try String.fetchOne(db, sql: "SELECT trace FROM journal WHERE msg_id = 'intent:acct-1:traced-1'")
        }.flatMap(TraceContext.traceId))
        let wanted: Set<String> = [
            "order-gateway/order.submit", "risk-service/risk.authorize", "persistence-writer/journal.append",
            "order-gateway/venue.place", "reconciler/fact.order.intent", "risk-service/fact.order.intent",
        ]
        var spans: [StoredSpan] = []
        let complete = try await eventually(timeout: .seconds(15), every: .milliseconds(100)) {
            spans = try await db.read { db in
                try Row.fetchAll(db, sql: "SELECT span_id, parent_span_id, service, name FROM spans WHERE trace_id = ?", arguments: [traceId])
                    .map { StoredSpan(spanId: $0["span_id"], parentSpanId: $0["parent_span_id"], service: $0["service"], name: $0["name"]) }
            }
            return wanted.isSubset(of: Set(spans.map { "\($0.service)/\($0.name)" }))
        }
        #expect(complete, "spans seen: \(spans.map { "\($0.service)/\($0.name)" })")

        // Parent links: exactly one span (the gateway's, child of the client's unrecorded span)
        // has a parent outside the trace; every other span's parent is a stored span.
        let ids = Set(spans.map(\.spanId))
        let orphans = spans.filter { $0.parentSpanId.map { !ids.contains($0) } ?? true }
        #expect(orphans.map(\.name) == ["order.submit"])
        let submit = try #require(spans.first { $0.name == "order.submit" })
        let authorize = try #require(spans.first { $0.name == "risk.authorize" })
        #expect(authorize.parentSpanId == submit.spanId)
        #expect(spans.first { $0.name == "venue.place" }?.parentSpanId == submit.spanId)
        #expect(spans.contains { $0.name == "journal.append" && $0.parentSpanId == authorize.spanId })

        let output = try Self.tradectl(["trace", "traced-1", "--db", suite.databasePath])
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.first?.contains("trace \(traceId)") == true)
        let body = lines.dropFirst(2)
        #expect(body.first?.contains("order.submit") == true)
        let position = { (name: String) in body.firstIndex { $0.contains(name) } ?? Int.max }
        #expect(position("order.submit") < position("risk.authorize"))
        #expect(position("risk.authorize") < position("journal.append"))
        #expect(position("venue.place") != Int.max)
        #expect(body.allSatisfy { $0.contains("ms") })
    }

    /// Runs tradectl to completion and returns its stdout.
    static func tradectl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Suite.binDirectory + "/tradectl")
        process.arguments = arguments
        let pipe = ChildLaunch.pipe()
        process.standardOutput = pipe
        try ChildLaunch.run(process)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
