import BusKit
import BusProtocol
import Foundation
import GRDB
import Logging
import Synchronization
import TestSupport
import TradingModel
import VenueKit
import ZeroMQ

/// A suite with a faulty venue, and what the reconciler tests need to drive and check it:
/// orders through the gateway, the venue's own API (as the exchange sees things), the
/// SQLite journal and the risk ledger.
final class FaultyVenueHarness: Sendable {
    let suite: Suite
    let client: SuiteClientConnection
    let venue: PaperVenueClient
    private let venueContext = ZMQContext()
    private let lastTick = TickBoard()
    private let tickTask: Task<Void, Never>

    /// Starts every service with `environment` (faults, reconciler settings) and waits until accounts can trade.
    init(environment: [String: String], start: [String] = Suite.serviceOrder) async throws {
        suite = try Suite()
        // The circuit breaker rightly trips on a faulty venue (venue errors, stale market data while it
        // is down, losing trades); its own tests cover that. Here it stays out of the reconciler's way.
        let quietBreaker = [
            "BW_RISK_BREAKER_CONSECUTIVE_ERRORS": "10000", "BW_RISK_BREAKER_CONSECUTIVE_LOSSES": "10000",
            "BW_RISK_BREAKER_ERROR_RATE_PCT": "100", "BW_RISK_BREAKER_ERROR_RATE_MIN_SAMPLES": "10000",
            "BW_RISK_STALE_MARKET_DATA_MS": "3600000", "BW_RISK_BREAKER_WIN_RATE_PCT": "0",
        ]
        suite.environment = quietBreaker.merging(environment) { _, given in given }
        try suite.start(start)
        client = try suite.client()
        var logger = Logger(label: "test-venue")
        logger.logLevel = .error
        venue = try PaperVenueClient(
            venue: try suite.venueEndpoints, subscribe: [VenueTopic.tick], context: venueContext, logger: logger, timeout: .seconds(10))
        let stream = venue.stream
        let ticks = lastTick
        tickTask = Task {
            for await event in stream {
                if case .tick(let tick) = event { ticks.value.withLock { $0[tick.symbol] = tick } }
            }
        }
    }

    /// Stops everything and removes the data directory.
    func tearDown() {
        tickTask.cancel()
        venue.stop()
        client.close()
        venueContext.terminate()
        suite.tearDown()
    }

    /// Waits until the accounts are reconciled (C1) and the gateway serves orders.
    func waitUntilReady() async throws -> Bool {
        guard try await client.waitUntilReconciled() else { return false }
        return try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            do {
                _ = try await client.bus.call(
                    service: GatewayAPI.service, type: GatewayAPI.get, key: "acct-1",
                    body: OrderRef(account: "acct-1", clientOrderId: "readiness-probe"), replyType: OrderReply.self,
                    timeout: .seconds(5), attempts: 1)
                return false
            } catch {
                return (error as? ServiceError)?.code == .notFound
            }
        }
    }

    /// The latest venue quote of `symbol`.
    func tick(_ symbol: String) -> VenueTick? { lastTick.value.withLock { $0[symbol] } }

    /// Submits through the gateway.
    func submit(_ body: OrderSubmit) async throws(ServiceError) -> OrderView {
        try await client.bus.call(
            service: GatewayAPI.service, type: GatewayAPI.submit, key: body.account, body: body,
            replyType: OrderReply.self, timeout: .seconds(20), attempts: 1
        ).order
    }

    /// The reconciler's statistics.
    func reconStatus() async throws -> ReconStatusView {
        try await client.bus.call(
            service: "reconciler", type: "recon.status", body: [String: String](), replyType: ReconStatusView.self,
            timeout: .seconds(3), attempts: 5)
    }

    /// Read-only access to the journal database.
    func database() throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: suite.databasePath, configuration: configuration)
    }

    /// Every journaled fill's trade id (with repeats, if there were any).
    func journaledTradeIds(_ account: String) async throws -> [String] {
        try await database().read { db in
            try String.fetchAll(db, sql: "SELECT json_extract(payload, '$.trade_id') FROM journal WHERE type = 'fill.recorded' AND account = ?", arguments: [account])
        }
    }

    /// Every venue fill's trade id.
    func venueTradeIds(_ account: String) async throws -> [String] {
        try await venue.allFills(account: account, afterTradeSeq: nil).map(\.tradeId)
    }

    /// Cancels every open order of `account` at the venue (behind the suite's back), so no more fills come.
    func quiesce(_ account: String) async throws {
        while case let open = try await venue.openOrders(account: account), !open.isEmpty {
            for order in open { _ = try await venue.cancel(account: account, clientOrderId: order.clientOrderId) }
        }
    }

    /// Whether risk's ledger totals equal the venue's balances, asset by asset.
    func ledgerMatchesVenue(_ account: String) async throws -> Bool {
        let risk = try await client.bus.call(
            service: "risk-service", type: "risk.show", key: account, body: AccountRef(account: account),
            replyType: AccountRisk.self, timeout: .seconds(5), attempts: 1)
        let venueBalances = try await venue.balances(account: account).balances
        let ledger = Dictionary(risk.balances.map { ($0.asset, $0.total) }, uniquingKeysWith: { first, _ in first })
        return Set(ledger.keys).union(venueBalances.keys).allSatisfy { (ledger[$0] ?? .zero) == (venueBalances[$0] ?? .zero) }
    }

    /// A GTC limit one tick inside the touch (fills when the market moves: a fill that only the stream reports).
    func restingLimit(_ id: String, account: String = "acct-1", side: Side, qty: String = "0.001") -> OrderSubmit? {
        guard let tick = tick("BTC/USDT") else { return nil }
        let tickSize = ExactDecimal("0.01")!
        let price = side == .buy ? tick.ask - tickSize : tick.bid + tickSize
        return OrderSubmit(
            clientOrderId: id, account: account, symbol: "BTC/USDT", side: side, type: .limit, qty: ExactDecimal(qty)!,
            price: price, timeInForce: .gtc)
    }
}

/// The parts of `recon.status` the tests read.
struct ReconStatusView: Decodable {
    var runs: Int
    var desyncs: Int
    var repairs: Int
    var adopted: Int
    var failedIntents: Int
    var externalOrders: Int
    var forceClosed: Int
    var readyAccounts: [String]
    var triggeredRuns: Int
    var streamGaps: Int
    var streamReconnects: Int

    enum CodingKeys: String, CodingKey {
        case runs, desyncs, repairs, adopted
        case failedIntents = "failed_intents"
        case externalOrders = "external_orders"
        case forceClosed = "force_closed"
        case readyAccounts = "ready_accounts"
        case triggeredRuns = "triggered_runs"
        case streamGaps = "stream_gaps"
        case streamReconnects = "stream_reconnects"
    }
}

/// The latest quote per symbol, shared with the stream task.
final class TickBoard: Sendable {
    let value = Mutex<[String: VenueTick]>([:])
}
