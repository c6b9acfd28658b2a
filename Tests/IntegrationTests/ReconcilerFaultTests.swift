import BusKit
import BusProtocol
import Foundation
import GRDB
import Testing
import TestSupport
import TradingModel
import VenueKit

/// The reconciler against a faulty paper venue, all real processes (issue 6).
@Suite("reconciler and a faulty venue", .serialized)
struct ReconcilerFaultTests {
    /// How many orders the dropped-fills test sends (BW_TEST_DROPPED_FILL_ORDERS, default 1000).
    static let droppedFillOrders = Int(ProcessInfo.processInfo.environment["BW_TEST_DROPPED_FILL_ORDERS"] ?? "") ?? 1_000

    private static let fastRecon = ["BW_RECON_INTERVAL_MS": "1000", "BW_RECON_GRACE_MS": "1000", "BW_VENUE_TICK_MS": "20"]

    @Test("20 % of fill messages dropped: two reconciliation cycles later the journal holds exactly the venue's fills, and the ledger its balances")
    func droppedFillsComeBack() async throws {
        var environment = Self.fastRecon
        environment["BW_VENUE_FAULT_DROP_FILLS"] = "0.2"
        environment["BW_VENUE_FAULT_DROP_ORDERS"] = "0.2"
        // The test is about the venue's faults, not the gateway's rate limit.
        environment["BW_RATE_ACCOUNT_PER_SEC"] = "100000"
        environment["BW_RATE_ACCOUNT_BURST"] = "100000"
        let harness = try await FaultyVenueHarness(environment: environment)
        defer { harness.tearDown() }
        #expect(try await harness.waitUntilReady())
        #expect(try await eventually { harness.tick("BTC/USDT") != nil })
        for index in 0..<Self.droppedFillOrders {
            let order = try #require(harness.restingLimit("drop-\(index)", side: index % 2 == 0 ? .buy : .sell))
            _ = try await harness.submit(order)
        }
        // Let most resting orders trade (the market walks), then stop the rest so the venue's fills stop changing.
        #expect(try await eventually(timeout: .seconds(60)) { try await harness.venueTradeIds("acct-1").count >= Self.droppedFillOrders / 2 })
        try await harness.quiesce("acct-1")
        let venueFills = try await harness.venueTradeIds("acct-1")
        // Two cycles of 1 s (plus the time a cycle itself takes).
        #expect(try await eventually(timeout: .seconds(6)) { try await harness.journaledTradeIds("acct-1").sorted() == venueFills.sorted() })
        let journaled = try await harness.journaledTradeIds("acct-1")
        #expect(journaled.count == Set(journaled).count)
        #expect(try await eventually(timeout: .seconds(5)) { try await harness.ledgerMatchesVenue("acct-1") })
        // The statistics are counted once a pass has its acks, a moment after the facts.
        #expect(try await eventually(timeout: .seconds(5)) {
            let status = try await harness.reconStatus()
            return status.repairs > 0 && status.streamGaps > 0 && status.triggeredRuns > 0
        })
        let status = try await harness.reconStatus()
        print("dropped-fills: orders=\(Self.droppedFillOrders) venue_fills=\(venueFills.count) repairs=\(status.repairs) runs=\(status.runs)")
    }

    @Test("duplicated stream messages change nothing: each fill journaled once, nothing to repair")
    func duplicatesChangeNothing() async throws {
        var environment = Self.fastRecon
        environment["BW_VENUE_FAULT_DUPLICATE"] = "1"
        environment["BW_RECON_STREAM_SILENCE_MS"] = "1000"
        let harness = try await FaultyVenueHarness(environment: environment)
        defer { harness.tearDown() }
        #expect(try await harness.waitUntilReady())
        #expect(try await eventually { harness.tick("BTC/USDT") != nil })
        for index in 0..<20 {
            _ = try await harness.submit(try #require(harness.restingLimit("dup-\(index)", side: index % 2 == 0 ? .buy : .sell)))
        }
        #expect(try await eventually(timeout: .seconds(20)) { try await harness.venue.openOrders(account: "acct-1").count <= 2 })
        try await harness.quiesce("acct-1")
        let venueFills = try await harness.venueTradeIds("acct-1")
        #expect(try await eventually(timeout: .seconds(6)) { try await harness.journaledTradeIds("acct-1").sorted() == venueFills.sorted() })
        #expect(try await eventually(timeout: .seconds(5)) { try await harness.ledgerMatchesVenue("acct-1") })
        let fillRows = try await harness.database().read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fills WHERE account = 'acct-1'") }
        #expect(fillRows == venueFills.count)
        let missing = try await harness.database().read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal WHERE type = 'recon.desync' AND json_extract(payload, '$.kind') = 'missing_fill'")
        }
        #expect(missing == 0)
        #expect(try await harness.reconStatus().streamGaps == 0)
        // A stream disconnect (set at runtime): when the stream comes back, the reconciler counts a reconnect and runs at once.
        var disconnect = VenueFaults()
        disconnect.duplicate = ExactDecimal(1)
        disconnect.disconnectSeconds = 2
        _ = try await harness.venue.setFaults(disconnect)
        #expect(try await eventually(timeout: .seconds(10)) { try await harness.reconStatus().streamReconnects >= 1 })
    }

    @Test("ack timeouts: orders left unknown resolve to the venue's state, one venue order per client_order_id")
    func ackTimeoutsResolveToVenueState() async throws {
        let environment = Self.fastRecon
        // Longer than the gateway's venue timeout (2 s) for the place AND its follow-up query; shorter than the reconciler's (5 s).
        let harness = try await FaultyVenueHarness(environment: environment)
        defer { harness.tearDown() }
        #expect(try await harness.waitUntilReady())
        var faults = VenueFaults()
        faults.ackDelayMillis = 2_500
        #expect(try await harness.venue.setFaults(faults).ackDelayMillis == 2_500)
        let ids = (0..<3).map { "slow-\($0)" }
        var replies: [OrderState] = []
        for id in ids {
            let order = OrderSubmit(clientOrderId: id, account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.001")!)
            // The gateway cannot learn the outcome from its own call in time: the reply is `unknown`, or what the
            // venue's stream already told (the gateway's late `unknown` is then moot) — never a made-up failure.
            replies.append(try await harness.submit(order).state)
        }
        #expect(replies.allSatisfy { [.unknown, .accepted, .partiallyFilled, .filled].contains($0) }, "replies: \(replies)")
        _ = try await harness.venue.setFaults(VenueFaults())
        for id in ids {
            let venueOrder = try #require(try await harness.venue.order(account: "acct-1", clientOrderId: id))
            #expect(try await eventually(timeout: .seconds(15)) {
                try await harness.database().read { db in
                    try String.fetchOne(db, sql: "SELECT state FROM orders WHERE account = 'acct-1' AND client_order_id = ?", arguments: [id])
                } == venueOrder.status.rawValue
            })
            #expect(venueOrder.fills.count == 1)
        }
        let venueOrderIds = try await harness.database().read { db in
            try String.fetchAll(db, sql: "SELECT venue_order_id FROM orders WHERE client_order_id LIKE 'slow-%'")
        }
        #expect(Set(venueOrderIds).count == ids.count)
    }
}
