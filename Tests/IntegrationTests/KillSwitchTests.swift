import BusKit
import BusProtocol
import Foundation
import GRDB
import Testing
import TestSupport
import TradingModel
import VenueKit

/// The kill switch against the real executables: it cancels past the venue's 100-order
/// page, reports exact counts, and halts the account (journaled: a restart keeps the halt)
/// until an operator resumes it.
@Suite("kill switch through the real services", .serialized, .timeLimit(.minutes(5)))
struct KillSwitchTests {
    /// Enough tokens for 250 orders at once; the default bucket holds 100.
    static let environment = ["BW_RATE_ACCOUNT_BURST": "1000", "BW_RATE_ACCOUNT_PER_SEC": "1000"]

    private func started() async throws -> (Suite, SuiteClientConnection) {
        let suite = try Suite()
        suite.environment = Self.environment
        try suite.start()
        // As the operator: the kill switch's resume is an operator's control.
        let client = try suite.client(as: "operator")
        #expect(try await client.waitUntilReady())
        return (suite, client)
    }

    /// Places `count` resting buys far below the market, `parallel` at a time.
    static func placeResting(_ client: SuiteClientConnection, count: Int, prefix: String, parallel: Int = 10) async throws {
        for start in stride(from: 0, to: count, by: parallel) {
            try await withThrowingTaskGroup(of: OrderView.self) { group in
                for i in start..<min(start + parallel, count) {
                    group.addTask { try await client.submit(restingBuy("\(prefix)-\(i)", qty: "0.001", price: "10000"), timeout: .seconds(30)) }
                }
                for try await order in group { #expect(order.state == .accepted, "\(order.clientOrderId): \(order.state)") }
            }
        }
    }

    static func cancelAll(_ client: SuiteClientConnection, account: String = "acct-1", timeout: Duration = .seconds(60)) async throws(ServiceError) -> CancelAllReply {
        try await client.bus.call(
            service: GatewayAPI.service, type: GatewayAPI.cancelAll, key: account, body: AccountRef(account: account),
            replyType: CancelAllReply.self, timeout: timeout, attempts: 1)
    }

    static func states(_ suite: Suite, account: String = "acct-1") throws -> [String: Int] {
        let db = try DatabaseQueue(path: suite.databasePath, configuration: { var c = Configuration(); c.readonly = true; return c }())
        return try db.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM orders WHERE account = ? GROUP BY state", arguments: [account])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["state"] as String, $0["n"] as Int) })
        }
    }

    static func submitError(_ client: SuiteClientConnection, _ order: OrderSubmit) async throws -> ServiceError? {
        do {
            _ = try await client.submit(order, timeout: .seconds(20))
            return nil
        } catch {
            return error
        }
    }

    @Test("250 resting orders: cancel-all leaves 0 open with exact counts; new orders get TRADING_HALTED, also after a gateway restart, until resume")
    func cancelsEverythingAndHalts() async throws {
        let (suite, client) = try await started()
        defer { client.close(); suite.tearDown() }
        try await Self.placeResting(client, count: 250, prefix: "ks")
        let probe = try VenueProbe(suite)
        defer { probe.close() }
        #expect(try await probe.venue.openOrders(account: "acct-1").count == 250, "more than one of the venue's pages")

        let reply = try await Self.cancelAll(client)
        #expect(reply.canceled == 250 && reply.failed == 0 && reply.stillOpen == 0 && reply.halted, "\(reply)")
        #expect(try await probe.venue.openOrders(account: "acct-1").isEmpty)
        #expect(try Self.states(suite) == ["canceled": 250])

        let halted = try await Self.submitError(client, restingBuy("ks-after"))
        #expect(halted?.code == .tradingHalted, "\(String(describing: halted))")
        #expect(halted?.code.isRetryable == false)
        // Another account is not halted.
        #expect(try await client.submit(restingBuy("ks-other", account: "acct-2")).state == .accepted)

        // The halt is in the journal, not in the gateway's memory.
        suite.kill("order-gateway")
        try suite.start("order-gateway")
        #expect(try await client.waitUntilReady())
        #expect(try await Self.submitError(client, restingBuy("ks-after-restart"))?.code == .tradingHalted)

        let resumed = try await client.bus.call(
            service: GatewayAPI.service, type: GatewayAPI.resume, key: "acct-1", body: AccountRef(account: "acct-1"),
            replyType: ResumeReply.self, attempts: 1)
        #expect(resumed == ResumeReply(account: "acct-1", halted: false))
        #expect(try await client.submit(restingBuy("ks-resumed")).state == .accepted)
        #expect(try await probe.venue.openOrders(account: "acct-1").map(\.clientOrderId) == ["ks-resumed"])
        // Nothing refused by the halt reached the venue or stayed reserved in the journal.
        #expect(try Self.states(suite) == ["canceled": 250, "accepted": 1])
    }

    @Test("cancel-all and resume of an unknown account are UNKNOWN_ACCOUNT; a garbage body is INVALID_REQUEST")
    func badInput() async throws {
        let (suite, client) = try await started()
        defer { client.close(); suite.tearDown() }
        for type in [GatewayAPI.cancelAll, GatewayAPI.resume] {
            #expect(try await client.errorCode(type, key: "nobody", body: WireCodec.encode(AccountRef(account: "nobody"))) == .unknownAccount)
            #expect(try await client.errorCode(type, key: "acct-1", body: Data("{nope".utf8)) == .invalidRequest)
        }
        // The gateway keeps serving.
        #expect(try await client.submit(restingBuy("bad-input-after")).state == .accepted)
    }
}

/// The kill switch in the operation log: a gateway killed in the middle of a sweep leaves
/// the operation `in_progress`, and the next gateway to start finishes it.
@Suite("kill switch in the operation log", .serialized, .timeLimit(.minutes(5)))
struct KillSwitchOperationTests {
    static func operation(_ suite: Suite) throws -> (id: String, state: String, detail: String)? {
        let db = try DatabaseQueue(path: suite.databasePath, configuration: { var c = Configuration(); c.readonly = true; return c }())
        return try db.read { db in
            try Row.fetchOne(db, sql: "SELECT id, state, payload FROM operations WHERE kind = 'cancel_all' AND account = 'acct-1'")
                .map { ($0["id"], $0["state"], $0["payload"]) }
        }
    }

    @Test("kill -9 of the gateway in the middle of a 250-order cancel-all: after restart the operation completes and nothing is open")
    func restartedGatewayFinishesTheSweep() async throws {
        let suite = try Suite()
        suite.environment = KillSwitchTests.environment
        try suite.start()
        let client = try suite.client()
        defer { client.close(); suite.tearDown() }
        #expect(try await client.waitUntilReady())
        try await KillSwitchTests.placeResting(client, count: 250, prefix: "op")
        let probe = try VenueProbe(suite)
        defer { probe.close() }
        // Slow acks (not frozen, below the gateway's 2 s venue timeout): 8 cancels in flight
        // at 0.5 s each make the sweep last about 15 s, so the kill lands in its middle even
        // when the machine is slow to notice the first cancels.
        var slow = VenueFaults()
        slow.ackDelayMillis = 500
        _ = try await probe.venue.setFaults(slow)

        async let interrupted = try? KillSwitchTests.cancelAll(client, timeout: .seconds(5))
        #expect(try await eventually(timeout: .seconds(60)) { (try KillSwitchTests.states(suite)["canceled"] ?? 0) >= 8 })
        suite.kill("order-gateway")
        let left = try #require(try Self.operation(suite))
        #expect(left.state == "in_progress")
        #expect((try KillSwitchTests.states(suite)["canceled"] ?? 0) < 250, "the kill came before the sweep ended")
        _ = await interrupted

        _ = try await probe.venue.setFaults(VenueFaults())
        try suite.start("order-gateway")
        #expect(try await eventually(timeout: .seconds(60), every: .milliseconds(100)) { try Self.operation(suite)?.state == "completed" })
        #expect(try await probe.venue.openOrders(account: "acct-1").isEmpty)
        #expect(try await eventually { try KillSwitchTests.states(suite) == ["canceled": 250] })
        #expect(try Self.operation(suite)?.detail.contains(#""still_open":0"#) == true)
        // Still halted: only an operator lifts it.
        #expect(try await client.waitUntilReady())
        #expect(try await KillSwitchTests.submitError(client, restingBuy("op-after"))?.code == .tradingHalted)
    }
}
