import BusKit
import BusProtocol
import Foundation
import GRDB
import Synchronization
import Testing
import TestSupport
import TradingModel
import VenueKit

/// The reconciler repairing what crashes and outsiders leave behind (issue 6), all real processes.
@Suite("reconciler recovery", .serialized)
struct ReconcilerRecoveryTests {
    private static let fastRecon = ["BW_RECON_INTERVAL_MS": "1000", "BW_RECON_GRACE_MS": "1000", "BW_VENUE_TICK_MS": "20"]

    private func state(_ harness: FaultyVenueHarness, _ id: String) async throws -> String? {
        try await harness.database().read { db in
            try String.fetchOne(db, sql: "SELECT state FROM orders WHERE account = 'acct-1' AND client_order_id = ?", arguments: [id])
        }
    }

    @Test("kill -9 of the gateway between intent and venue call, and between venue call and ack: after restart every intent is resolved")
    func interruptedIntentsAreResolved() async throws {
        let harness = try await FaultyVenueHarness(environment: Self.fastRecon)
        defer { harness.tearDown() }
        #expect(try await harness.waitUntilReady())
        #expect(try await eventually { harness.tick("BTC/USDT") != nil })
        // Well above the touch: marketable whatever the market did since the last tick (fills at once at the venue).
        let ask = try #require(harness.tick("BTC/USDT")).ask + ExactDecimal(50)
        harness.suite.kill("order-gateway")
        harness.suite.kill("reconciler")
        // What a gateway killed right after the intent leaves: the intent (and its reservation), no venue order.
        _ = try await harness.suite.authorizeAsGateway("crash-before-venue", price: ask)
        // Killed after the venue call, before the ack was journaled: the intent, and the order at the venue.
        _ = try await harness.suite.authorizeAsGateway("crash-after-venue", price: ask)
        let placed = try await harness.venue.place(VenuePlace(
            account: "acct-1", clientOrderId: "crash-after-venue", symbol: "BTC/USDT", side: .buy, type: .limit,
            qty: ExactDecimal("0.001")!, price: ask, timeInForce: .gtc))
        try harness.suite.start("order-gateway")
        try harness.suite.start("reconciler")
        #expect(try await eventually(timeout: .seconds(20)) { try await state(harness, "crash-before-venue") == "rejected" })
        #expect(placed.status == .filled)
        #expect(try await eventually(timeout: .seconds(20)) { try await state(harness, "crash-after-venue") == "filled" })
        try await harness.database().read { db in
            let reason = try String.fetchOne(db, sql: "SELECT reason FROM orders WHERE client_order_id = 'crash-before-venue'")
            #expect(reason == "not_at_venue")
            let held = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reservations WHERE account = 'acct-1' AND state = 'held'")
            #expect(held == 0)
        }
        #expect(try await eventually(timeout: .seconds(5)) {
            let status = try await harness.reconStatus()
            return status.adopted >= 1 && status.failedIntents == 1
        })
        #expect(try await eventually(timeout: .seconds(5)) {
            let risk = try await harness.client.bus.call(
                service: RiskAPI.service, type: RiskAPI.show, key: "acct-1", body: AccountRef(account: "acct-1"),
                replyType: AccountRisk.self, timeout: .seconds(5), attempts: 1)
            return risk.balances.allSatisfy { $0.reserved.isZero }
        })
    }

    @Test("an order placed at the venue behind the suite's back is adopted as an external order (a mismatch alert on the bus), and its end journaled")
    func externalOrderIsAdopted() async throws {
        let harness = try await FaultyVenueHarness(environment: Self.fastRecon)
        defer { harness.tearDown() }
        // Subscribed long before the mismatch (readiness takes seconds): no slow-joiner loss.
        let alerts = try harness.suite.client(subscriptions: [Alert.topicPrefix + "reconciliation_mismatch"])
        defer { alerts.close() }
        let received = AlertInbox()
        let collector = Task {
            for await message in alerts.bus.events {
                if let alert = try? message.decode(Alert.self) { received.list.withLock { $0.append(alert) } }
            }
        }
        defer { collector.cancel() }
        #expect(try await harness.waitUntilReady())
        #expect(try await eventually { harness.tick("BTC/USDT") != nil })
        // A bid far below the market: it rests, as an outsider's order would.
        let price = try #require(harness.tick("BTC/USDT")).bid - ExactDecimal(100)
        let order = try await harness.venue.place(VenuePlace(
            account: "acct-1", clientOrderId: "outside-1", symbol: "BTC/USDT", side: .buy, type: .limit,
            qty: ExactDecimal("0.001")!, price: price, timeInForce: .gtc))
        #expect(order.status == .new)
        #expect(try await eventually(timeout: .seconds(10)) { try await state(harness, "outside-1") == "accepted" })
        let adopted = try await harness.database().read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal WHERE msg_id = 'external:acct-1:outside-1'")
        }
        #expect(adopted == 1)
        // The statistics count the adoption once the pass has its acks: a moment after the fact.
        #expect(try await eventually(timeout: .seconds(5)) { try await harness.reconStatus().externalOrders == 1 })
        #expect(try await eventually(timeout: .seconds(5)) {
            received.list.withLock { list in
                list.contains { $0.kind == "reconciliation_mismatch" && $0.fields["mismatch"] == "external_order" && $0.fields["subject"] == "outside-1" }
            }
        })
        let alert = try #require(received.list.withLock { $0.first { $0.fields["subject"] == "outside-1" } })
        #expect(alert.severity == .warning && alert.fields["account"] == "acct-1" && alert.fields["action"] == "adopted")
        #expect(alert.source.hasPrefix("reconciler"))
        // Canceled at the venue, again behind the suite's back: the journal follows, the reservation is released.
        _ = try await harness.venue.cancel(account: "acct-1", clientOrderId: "outside-1")
        #expect(try await eventually(timeout: .seconds(10)) { try await state(harness, "outside-1") == "canceled" })
        #expect(try await eventually(timeout: .seconds(5)) {
            let risk = try await harness.client.bus.call(
                service: RiskAPI.service, type: RiskAPI.show, key: "acct-1", body: AccountRef(account: "acct-1"),
                replyType: AccountRisk.self, timeout: .seconds(5), attempts: 1)
            return risk.balances.allSatisfy { $0.reserved.isZero }
        })
        #expect(try await harness.ledgerMatchesVenue("acct-1"))
    }

    @Test("a stale position whose first close the venue rejects is closed by a later attempt: flat at the venue, every attempt journaled")
    func staleCloseIsRetriedUntilFlat() async throws {
        var environment = Self.fastRecon
        environment["BW_RECON_MAX_HOLD_SECONDS"] = "2"
        let harness = try await FaultyVenueHarness(environment: environment)
        defer { harness.tearDown() }
        #expect(try await harness.waitUntilReady())
        let opened = try await harness.submit(OrderSubmit(
            clientOrderId: "hold-r", account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.001")!))
        #expect(opened.state == .filled)
        var rejecting = VenueFaults()
        rejecting.reject = ExactDecimal(1)
        _ = try await harness.venue.setFaults(rejecting)
        // The first close is refused by the venue, and journaled as an attempt.
        #expect(try await eventually(timeout: .seconds(20)) {
            try await harness.database().read { db in
                try String.fetchOne(db, sql: "SELECT json_extract(payload, '$.outcome') FROM journal WHERE type = 'position.force_close_attempt' ORDER BY seq LIMIT 1")
            } == "rejected"
        })
        _ = try await harness.venue.setFaults(VenueFaults())
        #expect(try await eventually(timeout: .seconds(30)) { try await harness.venue.positions(account: "acct-1")["BTC/USDT"] == nil })
        #expect(try await eventually(timeout: .seconds(10)) {
            try await harness.database().read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal WHERE type = 'position.force_closed'") } == 1
        })
        try await harness.database().read { db in
            let attempts = try Row.fetchAll(db, sql: """
                SELECT json_extract(payload, '$.attempt') AS attempt, json_extract(payload, '$.outcome') AS outcome,
                       json_extract(payload, '$.client_order_id') AS id
                FROM journal WHERE type = 'position.force_close_attempt' ORDER BY seq
                """)
            #expect(attempts.count >= 2)
            let outcomes: [String] = attempts.map { $0["outcome"] }
            #expect(outcomes.first == "rejected" && outcomes.last == "filled")
            let ids: [String] = attempts.map { $0["id"] }
            #expect(Set(ids).count == ids.count)  // a new order per attempt
            let closedBy = try String.fetchOne(db, sql: "SELECT json_extract(payload, '$.client_order_id') FROM journal WHERE type = 'position.force_closed'")
            #expect(closedBy == ids.last)
        }
    }

    @Test("a position held longer than max_hold_seconds is force-closed through the gateway, with a position.force_closed fact")
    func stalePositionIsForceClosed() async throws {
        var environment = Self.fastRecon
        environment["BW_RECON_MAX_HOLD_SECONDS"] = "1"
        let harness = try await FaultyVenueHarness(environment: environment)
        defer { harness.tearDown() }
        #expect(try await harness.waitUntilReady())
        let opened = try await harness.submit(OrderSubmit(
            clientOrderId: "hold-1", account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.001")!))
        #expect(opened.state == .filled)
        #expect(try await eventually(timeout: .seconds(15)) { try await harness.venue.positions(account: "acct-1")["BTC/USDT"] == nil })
        #expect(try await eventually(timeout: .seconds(5)) {
            try await harness.database().read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal WHERE type = 'position.force_closed'") } == 1
        })
        try await harness.database().read { db in
            let fact = try Row.fetchOne(db, sql: "SELECT json_extract(payload, '$.client_order_id') AS id, json_extract(payload, '$.qty') AS qty FROM journal WHERE type = 'position.force_closed'")
            let id: String? = fact?["id"]
            #expect(id?.hasPrefix("fc:acct-1:BTC-USDT:") == true)
            #expect(fact?["qty"] == "0.001")
            let closing = try String.fetchOne(db, sql: "SELECT state FROM orders WHERE client_order_id = ?", arguments: [id ?? ""])
            #expect(closing == "filled")
        }
    }

    @Test("orders for an account are refused with ACCOUNT_NOT_RECONCILED until its startup reconciliation")
    func ordersWaitForReconciliation() async throws {
        let harness = try await FaultyVenueHarness(environment: Self.fastRecon, start: ["bus", "persistence-writer", "venue-sim", "risk-service", "order-gateway"])
        defer { harness.tearDown() }
        let order = OrderSubmit(clientOrderId: "early-1", account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.001")!)
        var refusal: ServiceError?
        #expect(try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            do {
                _ = try await harness.submit(order)
            } catch {
                refusal = error as? ServiceError
            }
            return refusal?.code == .accountNotReconciled
        })
        try harness.suite.start("reconciler")
        #expect(try await harness.waitUntilReady())
        #expect(try await harness.submit(order).state == .filled)
    }

    /// The fills watermark a pass journaled (`recon.fills_checked`), highest first.
    private func fillsChecked(_ harness: FaultyVenueHarness) async throws -> [Int64] {
        try await harness.database().read { db in
            try Int64.fetchAll(db, sql: """
                SELECT json_extract(payload, '$.trade_seq') FROM journal
                WHERE type = 'recon.fills_checked' AND account = 'acct-1' ORDER BY seq DESC
                """)
        }
    }

    @Test("a pass journals its fills watermark; a reconciler restarted from it still recovers an order and fill it never saw")
    func restartFromJournaledWatermark() async throws {
        let harness = try await FaultyVenueHarness(environment: Self.fastRecon)
        defer { harness.tearDown() }
        #expect(try await harness.waitUntilReady())
        let first = try await harness.submit(OrderSubmit(
            clientOrderId: "before-restart", account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.001")!))
        #expect(first.state == .filled)
        let firstSeq = try #require(try await harness.venue.allFills(account: "acct-1", afterTradeSeq: nil).last?.tradeSeq)
        #expect(try await eventually(timeout: .seconds(20)) { try await fillsChecked(harness).first == firstSeq })

        // While no reconciler runs: an intent whose order reached the venue, with no answer journaled.
        harness.suite.kill("reconciler")
        harness.suite.kill("order-gateway")
        #expect(try await eventually { harness.tick("BTC/USDT") != nil })
        let ask = try #require(harness.tick("BTC/USDT")).ask + ExactDecimal(50)
        _ = try await harness.suite.authorizeAsGateway("while-down", price: ask)
        let placed = try await harness.venue.place(VenuePlace(
            account: "acct-1", clientOrderId: "while-down", symbol: "BTC/USDT", side: .buy, type: .limit,
            qty: ExactDecimal("0.001")!, price: ask, timeInForce: .gtc))
        #expect(placed.status == .filled)
        let secondSeq = try #require(placed.fills.last?.tradeSeq)
        try harness.suite.start("order-gateway")
        try harness.suite.start("reconciler")

        // The new run starts after the journaled watermark, finds the order and its fill, and moves the watermark on.
        #expect(try await eventually(timeout: .seconds(20)) { try await state(harness, "while-down") == "filled" })
        #expect(try await eventually(timeout: .seconds(20)) { try await fillsChecked(harness).first == secondSeq })
        let venueFills = try await harness.venueTradeIds("acct-1")
        #expect(try await eventually(timeout: .seconds(10)) { try await harness.journaledTradeIds("acct-1").sorted() == venueFills.sorted() })
    }

    @Test("kill -9 and a crash fault of venue-sim: the restarted venue keeps its book, new trade ids never collide, no fill is lost")
    func venueRestartKeepsItsBook() async throws {
        let harness = try await FaultyVenueHarness(environment: Self.fastRecon)
        defer { harness.tearDown() }
        #expect(try await harness.waitUntilReady())
        let first = try await harness.submit(OrderSubmit(
            clientOrderId: "before-crash", account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.001")!))
        harness.suite.kill("venue-sim")
        try harness.suite.start("venue-sim")
        #expect(try await eventually(timeout: .seconds(20)) { (try? await harness.venue.order(account: "acct-1", clientOrderId: "before-crash"))??.venueOrderId == first.venueOrderId })
        // The crash fault: the process exits on its own; started again it still has the book.
        var crash = VenueFaults()
        crash.crash = true
        _ = try? await harness.venue.setFaults(crash)
        harness.suite.kill("venue-sim")
        try harness.suite.start("venue-sim")
        #expect(try await eventually(timeout: .seconds(20)) { (try? await harness.venue.order(account: "acct-1", clientOrderId: "before-crash")) != nil })
        #expect(try await eventually(timeout: .seconds(30)) {
            (try? await harness.submit(OrderSubmit(
                clientOrderId: "after-crash", account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.001")!)).state) == .filled
        })
        let venueFills = try await harness.venueTradeIds("acct-1")
        #expect(venueFills.count == 2 && Set(venueFills).count == 2)
        #expect(try await eventually(timeout: .seconds(10)) { try await harness.journaledTradeIds("acct-1").sorted() == venueFills.sorted() })
    }
}

/// Alerts a test received on the event plane.
private final class AlertInbox: Sendable {
    let list = Mutex<[Alert]>([])
}
