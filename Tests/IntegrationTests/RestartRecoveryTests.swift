import BusKit
import BusProtocol
import Foundation
import GRDB
import Synchronization
import Testing
import TestSupport
import TradingModel
import VenueKit

/// Restarts that used to freeze trading for good (issue 12 items 1–3), with the real processes.
@Suite("restarts that must not freeze trading", .serialized, .timeLimit(.minutes(5)))
struct RestartRecoveryTests {
    private static let fastRecon = ["BW_RECON_INTERVAL_MS": "1000", "BW_VENUE_TICK_MS": "50"]

    /// The facts of `count` orders the way the gateway journals them (intent, ack, cancel), with
    /// the longest client order ids: a journal whose replay far exceeds one 64 KiB message.
    static func orderFacts(count: Int) -> [[Fact]] {
        (0..<count).map { index in
            let head = "restart-\(index)-"
            let id = head + String(repeating: "o", count: OrderValidator.maxClientOrderIdLength - head.utf8.count)
            let intent = OrderIntent(
                clientOrderId: id, symbol: "BTC/USDT", side: .buy, type: .limit, qty: ExactDecimal("0.01")!,
                price: ExactDecimal("1000")!, timeInForce: .gtc, reserveAsset: "USDT", reserveAmount: ExactDecimal("10.01")!)
            return [
                Fact(id: "intent:acct-1:\(id)", account: "acct-1", payload: .orderIntent(intent)),
                Fact(id: "accepted:acct-1:\(id)", account: "acct-1", payload: .orderAccepted(OrderAccepted(clientOrderId: id, venueOrderId: "X\(index)"))),
                Fact(id: "canceled:acct-1:\(id)", account: "acct-1", payload: .orderClosed(OrderClosed(clientOrderId: id, state: .canceled, reason: "test"))),
            ]
        }
    }

    @Test("a suite restarted over a journal of 2,000 orders takes its first order within 30 s")
    func restartOverALargeJournal() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        suite.environment = Self.fastRecon
        try suite.start()
        let client = try suite.client()
        #expect(try await client.waitUntilReady())
        // 6,000 facts, 30 orders (90 facts) per append: as the gateway would have journaled them.
        let batches = Self.orderFacts(count: 2_000)
        for chunk in stride(from: 0, to: batches.count, by: 30) {
            let facts = batches[chunk..<min(chunk + 30, batches.count)].flatMap { $0 }
            for part in stride(from: 0, to: facts.count, by: 60) {
                let ack = try await client.bus.call(
                    service: JournalAPI.service, type: JournalAPI.append, body: JournalAppend(facts: Array(facts[part..<min(part + 60, facts.count)])),
                    replyType: AppendAck.self, timeout: .seconds(10), attempts: 3)
                #expect(ack.error == nil)
            }
        }
        client.close()
        suite.stop()

        try suite.start()
        let started = ContinuousClock.now
        let again = try suite.client()
        defer { again.close() }
        let passed = try await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
            (try? await again.submit(restingBuy("after-restart"), timeout: .seconds(5))) != nil
        }
        #expect(passed, "no order passed within 30 s of the restart (\(ContinuousClock.now - started))")
        let orders = try await again.bus.call(
            service: JournalAPI.service, type: JournalAPI.orders, body: OrdersQuery(account: "acct-1"), replyType: OrdersPage.self,
            timeout: .seconds(5), attempts: 2)
        #expect(orders.nextAfterSeq != nil)  // 2,001 orders do not fit one page
    }

    @Test("risk restarted with BW_ACCOUNTS far below what it spent trades on the venue's balances; a fill it cannot cover halts only that account, live and after kill -9, until the venue's balances are adopted")
    func uncoveredFactsNeverCrashRisk() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        suite.environment = Self.fastRecon
        try suite.start()
        let client = try suite.client()
        defer { client.close() }
        let venue = try VenueProbe(suite)
        defer { venue.close() }
        #expect(try await client.waitUntilReady())
        // Spend most of acct-1's 100,000 USDT: 1.5 BTC at ~50,000.
        for index in 0..<3 {
            let order = try await client.submit(OrderSubmit(
                clientOrderId: "spend-\(index)", account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.5")!))
            #expect(order.state == .filled)
        }
        // Restarted from 1,000 USDT: the journal holds the venue's balances (adopted at startup), so
        // the ledger is the venue's, not the configured one.
        _ = suite.terminate("risk-service")
        try suite.start("risk-service", as: "risk-service", environment: ["BW_ACCOUNTS": "acct-1:USDT=1000;acct-2:USDT=50000"])
        #expect(try await eventually(timeout: .seconds(30)) { try await Self.matchesVenue(client, venue, "acct-1") })

        let alerts = try suite.client(subscriptions: [RiskAPI.alertTopic + "breaker"])
        defer { alerts.close() }
        let divergenceAlerts = Mutex(0)
        let collector = Task {
            for await message in alerts.bus.events {
                if let fact = try? message.decode(Fact.self), case .breakerTransition(let t) = fact.payload,
                    fact.account == "acct-1", t.reason == "ledger_divergence" {
                    divergenceAlerts.withLock { $0 += 1 }
                }
            }
        }
        defer { collector.cancel() }
        // A fill the books cannot cover (an order placed by hand, journaled from the venue): 10 BTC.
        let pid = suite.pid("risk-service")
        let fill = FillRecorded(
            clientOrderId: "by-hand", venueOrderId: "V-by-hand", tradeId: "by-hand-1", symbol: "BTC/USDT", side: .buy,
            qty: ExactDecimal("10")!, price: ExactDecimal("50000")!, fee: ExactDecimal("500")!, feeAsset: "USDT", ts: WallClock.nowNanos())
        let ack = try await client.bus.call(
            service: JournalAPI.service, type: JournalAPI.append,
            body: JournalAppend(facts: [Fact(id: FillRecorded.factId(venue: "paper", tradeId: "by-hand-1"), account: "acct-1", payload: .fillRecorded(fill))]),
            replyType: AppendAck.self, timeout: .seconds(5), attempts: 3)
        #expect(ack.error == nil)
        #expect(try await eventually(timeout: .seconds(30)) { divergenceAlerts.withLock { $0 } >= 1 })
        do {
            _ = try await client.submit(restingBuy("halted", account: "acct-1"))
            Issue.record("a halted account's order was accepted")
        } catch {
            #expect(error.code == .breakerOpen)
        }
        #expect(try await eventually(timeout: .seconds(15)) {
            (try? await client.submit(restingBuy("other-\(UUID().uuidString.prefix(8))", account: "acct-2"), timeout: .seconds(5))) != nil
        })
        #expect(suite.isRunning("risk-service") && suite.pid("risk-service") == pid)

        // kill -9: the replay meets the same fact and stays up; the reconciler adopts the venue's balances.
        suite.kill("risk-service")
        try suite.start("risk-service")
        let restarted = suite.pid("risk-service")
        #expect(try await eventually(timeout: .seconds(30)) { try await Self.matchesVenue(client, venue, "acct-1") })
        #expect(suite.isRunning("risk-service") && suite.pid("risk-service") == restarted)
        let risk = try await Self.risk(client, "acct-1")
        #expect(risk.breaker?.state == .open || risk.breaker?.state == .halfOpen)  // halted until cool-down and probes, or a reset
    }

    static func risk(_ client: SuiteClientConnection, _ account: String) async throws(ServiceError) -> AccountRisk {
        try await client.bus.call(
            service: RiskAPI.service, type: RiskAPI.show, key: account, body: AccountRef(account: account),
            replyType: AccountRisk.self, timeout: .seconds(2), attempts: 1)
    }

    /// Whether risk's totals of `account` are the venue's and its books cover them.
    static func matchesVenue(_ client: SuiteClientConnection, _ venue: VenueProbe, _ account: String) async throws -> Bool {
        guard let risk = try? await risk(client, account) else { return false }
        let venueBalances = try await venue.venue.balances(account: account).balances
        let totals = Dictionary(risk.balances.map { ($0.asset, $0.total) }, uniquingKeysWith: { first, _ in first })
        return risk.divergence == nil && venueBalances.allSatisfy { totals[$0.key, default: .zero] == $0.value }
    }

    @Test("a restarted reconciler's run must reconcile an account again before it trades: the old run's readiness does not count")
    func readinessBelongsToOneRun() async throws {
        let harness = try await FaultyVenueHarness(environment: Self.fastRecon)
        defer { harness.tearDown() }
        #expect(try await harness.waitUntilReady())
        _ = try await harness.submit(restingBuy("before"))
        _ = harness.suite.terminate("reconciler")
        // Every venue reply now takes 8 s (longer than the reconciler's 5 s venue timeout): the new pass cannot finish.
        var slow = VenueFaults()
        slow.ackDelayMillis = 8_000
        _ = try await harness.venue.setFaults(slow)
        let before = try await Self.lastRunStart(harness)
        try harness.suite.start("reconciler")
        // Once risk has folded the new run's start, the account waits for the new run.
        var runSeq: Int64 = 0
        #expect(try await eventually(timeout: .seconds(30)) {
            runSeq = try await Self.lastRunStart(harness)
            return runSeq > before
        })
        #expect(try await eventually(timeout: .seconds(10)) { try await Self.riskSeq(harness) >= runSeq })
        do {
            _ = try await harness.submit(restingBuy("during"))
            Issue.record("an order passed before the new run reconciled the account")
        } catch {
            #expect(error.code == .accountNotReconciled)
        }
        _ = try await harness.venue.setFaults(VenueFaults())
        #expect(try await eventually(timeout: .seconds(60)) {
            (try? await harness.submit(restingBuy("after-\(UUID().uuidString.prefix(8))"))) != nil
        })
    }

    static func lastRunStart(_ harness: FaultyVenueHarness) async throws -> Int64 {
        try await harness.database().read { db in
            try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM journal WHERE type = 'recon.run_started'") ?? 0
        }
    }

    static func riskSeq(_ harness: FaultyVenueHarness) async throws -> Int64 {
        try await harness.client.bus.call(
            service: RiskAPI.service, type: RiskAPI.show, key: "acct-1", body: AccountRef(account: "acct-1"),
            replyType: AccountRisk.self, timeout: .seconds(2), attempts: 2).lastSeq
    }
}
