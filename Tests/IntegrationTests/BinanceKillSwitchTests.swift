import BinanceVenue
import BusKit
import BusProtocol
import BinanceWire
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Logging
import Testing
import TestSupport
import TradingModel
import VenueKit

/// The whole suite through the Binance adapter: the kill switch (venue-sim's Binance front
/// holds the orders, the gateway lists and cancels them through Binance's API, open orders
/// without a symbol, cancel by client id, and the account is halted until resumed), and
/// Binance's own faults (a 418 ban, replies lost after execution).
@Suite("kill switch through the Binance adapter", .serialized, .timeLimit(.minutes(3)))
struct BinanceKillSwitchTests {
    @Test("30 resting orders at the Binance front: cancel-all leaves none open there, counts exact, the account halted")
    func cancelAllThroughBinance() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try VenueFront.binance.configure(suite)
        suite.environment.merge(KillSwitchTests.environment) { $1 }
        try suite.start()
        let client = try suite.client()
        defer { client.close() }
        #expect(try await client.waitUntilReady(accounts: VenueFront.binance.accounts))
        try await KillSwitchTests.placeResting(client, count: 30, prefix: "bks")

        // The venue's own view, through a second adapter on the same key.
        let port = try #require(suite.environment["BW_VENUE_BINANCE_PORT"])
        let probe = BinanceSpotVenue(
            configuration: .init(baseURL: "http://127.0.0.1:\(port)", credentials: BinanceCredentials(apiKey: "it-key-1", secret: "it-secret-1"), account: "acct-1"),
            logger: Logger(label: "probe"))
        #expect(try await probe.openOrders(account: "acct-1").count == 30)

        let reply = try await KillSwitchTests.cancelAll(client)
        #expect(reply.canceled == 30 && reply.failed == 0 && reply.stillOpen == 0 && reply.halted, "\(reply)")
        #expect(try await probe.openOrders(account: "acct-1").isEmpty)
        #expect(try KillSwitchTests.states(suite) == ["canceled": 30])
        #expect(try await KillSwitchTests.submitError(client, restingBuy("bks-after"))?.code == .tradingHalted)
    }

    @Test("kill -9 of the gateway between intent and venue call, and after the venue call: the reconciler resolves both through the Binance adapter (not_at_venue; filled), no reservation left held")
    func interruptedIntentsThroughBinance() async throws {
        let (suite, client, probe) = try await Self.binanceSuite(["BW_RECON_INTERVAL_MS": "1000", "BW_RECON_GRACE_MS": "1000"])
        defer { probe.close(); client.close(); suite.tearDown() }
        let port = try #require(suite.environment["BW_VENUE_BINANCE_PORT"])
        // Well above the touch: marketable whatever the market does meanwhile (it fills at once).
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/api/v3/ticker/bookTicker?symbol=BTCUSDT")!)
        let ask = try JSONDecoder().decode(BinanceBookTicker.self, from: data).askPrice + ExactDecimal(50)
        suite.kill("order-gateway")
        suite.kill("reconciler")
        _ = try await suite.authorizeAsGateway("bin-crash-before", price: ask)
        _ = try await suite.authorizeAsGateway("bin-crash-after", price: ask)
        // Placed at the Binance front under the key, as the killed gateway's call would have been.
        let adapter = BinanceSpotVenue(
            configuration: .init(baseURL: "http://127.0.0.1:\(port)", credentials: BinanceCredentials(apiKey: "it-key-1", secret: "it-secret-1"), account: "acct-1"),
            logger: Logger(label: "probe"))
        let placed = try await adapter.place(VenuePlace(
            account: "acct-1", clientOrderId: "bin-crash-after", symbol: "BTC/USDT", side: .buy, type: .limit,
            qty: ExactDecimal("0.001")!, price: ask, timeInForce: .gtc))
        #expect(placed.status == .filled)
        try suite.start("order-gateway")
        try suite.start("reconciler")
        let journal = try DatabaseQueue(path: suite.databasePath, configuration: { var c = Configuration(); c.readonly = true; return c }())
        func order(_ id: String) async throws -> (state: String, reason: String?)? {
            try await journal.read { db in
                try Row.fetchOne(db, sql: "SELECT state, reason FROM orders WHERE account = 'acct-1' AND client_order_id = ?", arguments: [id])
                    .map { ($0["state"], $0["reason"]) }
            }
        }
        #expect(try await eventually(timeout: .seconds(30)) { try await order("bin-crash-before")?.state == "rejected" })
        #expect(try await order("bin-crash-before")?.reason == "not_at_venue")
        #expect(try await eventually(timeout: .seconds(30)) { try await order("bin-crash-after")?.state == "filled" })
        #expect(try await eventually(timeout: .seconds(10)) {
            try await journal.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reservations WHERE account = 'acct-1' AND state = 'held'") == 0
            }
        })
        // One order at the venue for the id that reached it, none for the other.
        #expect(try await adapter.order(account: "acct-1", clientOrderId: "bin-crash-before") == nil)
        #expect(try await adapter.order(account: "acct-1", clientOrderId: "bin-crash-after")?.venueOrderId == placed.venueOrderId)
    }

    @Test("a fill the gateway never hears (trades polled, every 10 min): the reconciler's pass journals it from the Binance front's trades, once, and the order ends filled")
    func unheardFillIsRepairedByTheReconciler() async throws {
        let (suite, client, probe) = try await Self.binanceSuite([
            "BW_RECON_INTERVAL_MS": "1000", "BW_RECON_GRACE_MS": "1000", "BW_VENUE_TICK_MS": "20",
            "BW_BINANCE_STREAM_URL": "poll", "BW_BINANCE_POLL_MS": "600000",
        ])
        defer { probe.close(); client.close(); suite.tearDown() }
        let port = try #require(suite.environment["BW_VENUE_BINANCE_PORT"])
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/api/v3/ticker/bookTicker?symbol=BTCUSDT")!)
        let bid = try JSONDecoder().decode(BinanceBookTicker.self, from: data).bidPrice
        let resting = try await client.submit(restingBuy("bin-unheard", qty: "0.001", price: (bid - ExactDecimal(300)).description), timeout: .seconds(30))
        #expect(resting.state == .accepted)
        // The market falls through the limit: the order fills at a market step, on no stream the gateway reads.
        var crash = VenueFaults()
        crash.marketTrendBps = -100
        _ = try await probe.venue.setFaults(crash)
        let journal = try DatabaseQueue(path: suite.databasePath, configuration: { var c = Configuration(); c.readonly = true; return c }())
        let filled = try await eventually(timeout: .seconds(30)) {
            try await journal.read { db in
                try String.fetchOne(db, sql: "SELECT state FROM orders WHERE account = 'acct-1' AND client_order_id = 'bin-unheard'") == "filled"
            }
        }
        _ = try await probe.venue.setFaults(VenueFaults())
        #expect(filled, "the reconciler never journaled the fill")
        let atVenue = try #require(try await probe.venue.order(account: "acct-1", clientOrderId: "bin-unheard"))
        let journaled = try await journal.read { db in
            try String.fetchAll(db, sql: "SELECT trade_id FROM fills WHERE account = 'acct-1' AND client_order_id = 'bin-unheard'")
        }
        #expect(atVenue.status == .filled && !atVenue.fills.isEmpty)
        #expect(journaled.count == atVenue.fills.count, "each of the venue's trades journaled once: \(journaled)")
    }

    @Test("trades numbered per symbol (ETH's ids a billion above BTC's): a BTC order placed behind the suite's back, after the reconciler read ETH's trades, is still found by its fill and adopted — one trade cursor per symbol")
    func perSymbolTradeCursors() async throws {
        let (suite, client, probe) = try await Self.binanceSuite([
            "BW_RECON_INTERVAL_MS": "500", "BW_RECON_GRACE_MS": "1000", "BW_BINANCE_STREAM_URL": "poll", "BW_BINANCE_POLL_MS": "600000",
        ])
        defer { probe.close(); client.close(); suite.tearDown() }
        let eth = try await client.submit(
            OrderSubmit(clientOrderId: "eth-first", account: "acct-1", symbol: "ETH/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!),
            timeout: .seconds(30))
        #expect(eth.state == .filled)
        // Two passes after it: the reconciler has read ETH's trade, high in ETH's range.
        func runs() async throws -> Int {
            try await client.bus.call(
                service: "reconciler", type: "recon.status", body: [String: String](), replyType: ReconStatusView.self,
                timeout: .seconds(3), attempts: 5).runs
        }
        let before = try await runs()
        #expect(try await eventually(timeout: .seconds(30)) { try await runs() >= before + 2 })
        // A BTC market buy made at the venue directly: it is never open, so only its fill tells of it.
        let port = try #require(suite.environment["BW_VENUE_BINANCE_PORT"])
        let outsider = BinanceSpotVenue(
            configuration: .init(baseURL: "http://127.0.0.1:\(port)", credentials: BinanceCredentials(apiKey: "it-key-1", secret: "it-secret-1"), account: "acct-1"),
            logger: Logger(label: "outsider"))
        let placed = try await outsider.place(VenuePlace(
            account: "acct-1", clientOrderId: "btc-outside", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.001")!,
            price: nil, timeInForce: .ioc))
        let trade = try #require(placed.fills.first)
        let ethTrade = try #require(try await outsider.order(account: "acct-1", clientOrderId: "eth-first")?.fills.first)
        #expect(trade.tradeSeq < ethTrade.tradeSeq, "BTC's trade is numbered below ETH's: \(trade.tradeSeq), \(ethTrade.tradeSeq)")
        let journal = try DatabaseQueue(path: suite.databasePath, configuration: { var c = Configuration(); c.readonly = true; return c }())
        let adopted = try await eventually(timeout: .seconds(30)) {
            try await journal.read { db in
                try String.fetchOne(db, sql: "SELECT trade_id FROM fills WHERE account = 'acct-1' AND client_order_id = 'btc-outside'") == trade.tradeId
            }
        }
        #expect(adopted, "the BTC fill, numbered below the ETH trade the reconciler had read, was never found")
    }

    @Test("the stream subscribed again after the venue ended it: the gateway asks the reconciler for a pass at once (recon.trigger), with no periodic pass due")
    func resubscribeTriggersAReconciliation() async throws {
        let (suite, client, probe) = try await Self.binanceSuite(["BW_RECON_INTERVAL_MS": "600000", "BW_RECON_TRIGGER_SPACING_MS": "200"])
        defer { probe.close(); client.close(); suite.tearDown() }
        func triggered() async throws -> Int {
            try await client.bus.call(
                service: "reconciler", type: "recon.status", body: [String: String](), replyType: ReconStatusView.self,
                timeout: .seconds(3), attempts: 5).triggeredRuns
        }
        let before = try await triggered()
        var terminated = VenueFaults()
        terminated.binanceStreamTerminated = true
        _ = try await probe.venue.setFaults(terminated)
        let asked = try await eventually(timeout: .seconds(30)) { try await triggered() > before }
        _ = try await probe.venue.setFaults(VenueFaults())
        #expect(asked, "no pass was triggered by the stream's return")
        // Only the gateway may ask: a client key is refused.
        let refused = try await client.bus.request(
            service: "reconciler", type: ReconcilerAPI.trigger, key: nil, body: Data("{}".utf8), timeout: .seconds(5), attempts: 1)
        #expect(refused.header.isError && refused.errorBody().code == .forbidden)
    }

    @Test("the gateway's /metrics shows the user data stream: bw_venue_stream_up 1 while subscribed; terminated sessions counted by why; up again once the venue stops ending them")
    func streamHealthOnMetrics() async throws {
        let port = FreePorts.block(of: 1)
        let (suite, client, probe) = try await Self.binanceSuite(gatewayHTTPPort: port)
        defer { probe.close(); client.close(); suite.tearDown() }
        func scrape() async -> String { await HTTPProbe.get(port: port, path: "/metrics")?.body ?? "" }
        let up = #"bw_venue_stream_up{venue="binance"} 1"#
        let wentUp = try await eventually(timeout: .seconds(30)) { await scrape().contains(up) }
        let streamLines = await scrape().split(separator: "\n").filter { $0.contains("stream") }
        #expect(wentUp, "\(streamLines)")
        var terminated = VenueFaults()
        terminated.binanceStreamTerminated = true
        _ = try await probe.venue.setFaults(terminated)
        #expect(try await eventually(timeout: .seconds(30)) {
            await scrape().split(separator: "\n").contains { $0.hasPrefix("bw_venue_stream_sessions_ended_total") && $0.contains(#"why="terminated""#) }
        })
        _ = try await probe.venue.setFaults(VenueFaults())
        #expect(try await eventually(timeout: .seconds(30)) { await scrape().contains(up) })
    }

    /// The whole suite on venue-sim's Binance front (plus `environment`), ready; a client, and
    /// a direct connection to venue-sim for its faults and the truth at the venue.
    static func binanceSuite(_ environment: [String: String] = [:], gatewayHTTPPort: Int? = nil) async throws -> (Suite, SuiteClientConnection, VenueProbe) {
        let suite = try Suite()
        do {
            try VenueFront.binance.configure(suite)
            suite.environment.merge(environment) { $1 }
            if let gatewayHTTPPort { suite.serviceEnvironment["order-gateway", default: [:]]["BW_HTTP_PORT"] = "\(gatewayHTTPPort)" }
            try suite.start()
            let client = try suite.client()
            #expect(try await client.waitUntilReady(accounts: VenueFront.binance.accounts))
            return (suite, client, try VenueProbe(suite))
        } catch {
            suite.tearDown()
            throw error
        }
    }

    @Test("a 418 ban at the Binance front: the order is never executed, and risk trips the global breaker (venue_ip_banned) so nothing more is authorized")
    func banTripsTheGlobalBreaker() async throws {
        // Only the ban may trip the global breaker here (the gateway's polling is banned too).
        let (suite, client, probe) = try await Self.binanceSuite(["BW_RISK_STALE_MARKET_DATA_MS": "3600000"])
        defer { probe.close(); client.close(); suite.tearDown() }
        let control = probe.venue
        var ban = VenueFaults()
        ban.binanceBanSeconds = 60
        _ = try await control.setFaults(ban)

        let first = try await client.submit(restingBuy("ban-1"), timeout: .seconds(20))
        // Not accepted; left unknown (its reservation held), as every transient venue error leaves
        // an order, until the reconciler finds it absent at the venue once the ban ends.
        #expect(first.state == .unknown, "an order placed during a ban cannot be accepted: \(first)")
        #expect(try await eventually(timeout: .seconds(20)) {
            let global = try? await client.bus.call(
                service: RiskAPI.service, type: RiskAPI.show, key: "acct-1", body: AccountRef(account: "acct-1"),
                replyType: AccountRisk.self, timeout: .seconds(5), attempts: 1).globalBreaker
            return global?.state == .open && global?.reason == VenueOutcome.ipBannedReason
        })
        #expect(try await KillSwitchTests.submitError(client, restingBuy("ban-2"))?.code == .breakerOpen)
        #expect(try await control.order(account: "acct-1", clientOrderId: "ban-1") == nil, "nothing reached the book during the ban")
    }

    @Test("orders executed at the Binance front whose reply is lost (-1007, 503): the gateway asks by client id and never sends them twice", arguments: ["timeout", "5xx"])
    func lostRepliesAreAskedNotResent(kind: String) async throws {
        let (suite, client, probe) = try await Self.binanceSuite()
        defer { probe.close(); client.close(); suite.tearDown() }
        let control = probe.venue
        var lost = VenueFaults()
        if kind == "timeout" { lost.binanceTimeoutAfterExecution = ExactDecimal(1) } else { lost.binanceServerErrorAfterExecution = ExactDecimal(1) }
        _ = try await control.setFaults(lost)
        // The fault in force: a place straight through an adapter executes, and its caller hears "unknown".
        let port = try #require(suite.environment["BW_VENUE_BINANCE_PORT"])
        let adapter = BinanceSpotVenue(
            configuration: .init(baseURL: "http://127.0.0.1:\(port)", credentials: BinanceCredentials(apiKey: "it-key-1", secret: "it-secret-1"), account: "acct-1"),
            logger: Logger(label: "probe"))
        do throws(VenueError) {
            _ = try await adapter.place(VenuePlace(
                account: "acct-1", clientOrderId: "probe-\(kind)", symbol: "BTC/USDT", side: .buy, type: .limit, qty: ExactDecimal("0.01")!,
                price: ExactDecimal("1000")!, timeInForce: .gtc))
            Issue.record("the place's reply should have been lost")
        } catch {
            #expect(error.serviceError.reason == "venue_outcome_unknown", "\(error)")
        }
        #expect(try await control.order(account: "acct-1", clientOrderId: "probe-\(kind)")?.status == .new)

        // A market buy fills at the venue; its reply is lost; a resend would be a second order
        // (Binance refuses a duplicate client id only while the first is open).
        let id = "lost-\(kind)"
        let order = try await client.submit(
            OrderSubmit(clientOrderId: id, account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!),
            timeout: .seconds(30))
        #expect(order.state == .filled, "asked by client id, the venue's answer is the order's: \(order)")
        _ = try await control.setFaults(VenueFaults())
        #expect(try await control.order(account: "acct-1", clientOrderId: id)?.status == .filled)
        #expect(try await control.order(account: "acct-1", clientOrderId: id + "#2") == nil, "a second order with the same client id")
        #expect(try KillSwitchTests.states(suite)[OrderState.filled.rawValue] == 1)
    }
}
