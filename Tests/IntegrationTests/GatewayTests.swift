import BusKit
import BusProtocol
import Foundation
import GRDB
import Testing
import TestSupport
import TradingModel
import VenueKit
import ZeroMQ

/// Issue 4 against the real executables: idempotency under concurrency and restarts,
/// cancels, rate limits, every error code, garbage, and paper-by-default.
@Suite("order gateway through the real services", .serialized, .timeLimit(.minutes(3)))
struct GatewayTests {
    private func started(_ configure: (Suite) -> Void = { _ in }) async throws -> (Suite, SuiteClientConnection) {
        let suite = try Suite()
        configure(suite)
        try suite.start()
        let client = try suite.client()
        #expect(try await client.waitUntilReady())
        return (suite, client)
    }

    private func intents(_ suite: Suite, _ id: String) throws -> Int {
        let db = try DatabaseQueue(path: suite.databasePath, configuration: { var c = Configuration(); c.readonly = true; return c }())
        return try db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM journal WHERE type = 'order.intent' AND payload LIKE ?", arguments: ["%\"\(id)\"%"]) ?? 0 }
    }

    @Test("50 concurrent submits of one client_order_id: one venue order, 50 replies naming it")
    func concurrentSameId() async throws {
        let (suite, client) = try await started()
        defer { client.close(); suite.tearDown() }
        let replies = try await withThrowingTaskGroup(of: OrderView.self) { group in
            for _ in 0..<50 { group.addTask { try await client.submit(restingBuy("same-1"), timeout: .seconds(30)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.count == 50)
        #expect(Set(replies.map(\.clientOrderId)) == ["same-1"])
        #expect(Set(replies.compactMap(\.venueOrderId)).count == 1)
        let probe = try VenueProbe(suite)
        defer { probe.close() }
        let open = try await probe.venue.openOrders(account: "acct-1")
        #expect(open.map(\.clientOrderId) == ["same-1"])
        #expect(try intents(suite, "same-1") == 1)
    }

    @Test("the same id after a gateway kill -9 and restart sends nothing new")
    func sameIdAfterRestart() async throws {
        let (suite, client) = try await started()
        defer { client.close(); suite.tearDown() }
        let first = try await client.submit(restingBuy("restart-1"))
        suite.kill("order-gateway")
        try suite.start("order-gateway")
        #expect(try await client.waitUntilReady())
        let again = try await client.submit(restingBuy("restart-1"))
        #expect(again.venueOrderId == first.venueOrderId)
        let probe = try VenueProbe(suite)
        defer { probe.close() }
        #expect(try await probe.venue.openOrders(account: "acct-1").count == 1)
        #expect(try intents(suite, "restart-1") == 1)
    }

    @Test("cancel one, then the kill switch: the venue confirms, reservations are released")
    func cancels() async throws {
        let (suite, client) = try await started()
        defer { client.close(); suite.tearDown() }
        for id in ["c-1", "c-2", "c-3"] { _ = try await client.submit(restingBuy(id)) }
        let canceled = try await client.bus.call(
            service: GatewayAPI.service, type: GatewayAPI.cancel, key: "acct-1", body: OrderRef(account: "acct-1", clientOrderId: "c-1"),
            replyType: OrderReply.self, attempts: 1
        ).order
        #expect(canceled.state == .canceled)
        let all = try await client.bus.call(
            service: GatewayAPI.service, type: GatewayAPI.cancelAll, key: "acct-1", body: AccountRef(account: "acct-1"),
            replyType: CancelAllReply.self, attempts: 1)
        #expect(all.canceled == 2 && all.failed == 0 && all.stillOpen == 0)
        let probe = try VenueProbe(suite)
        defer { probe.close() }
        #expect(try await probe.venue.openOrders(account: "acct-1").isEmpty)
        for id in ["c-2", "c-3"] { #expect(try await client.get(account: "acct-1", id: id).state == .canceled) }
        // Risk released every reservation once the cancels were journaled.
        #expect(try await eventually {
            let risk = try await client.bus.call(
                service: RiskAPI.service, type: RiskAPI.show, key: "acct-1", body: AccountRef(account: "acct-1"),
                replyType: AccountRisk.self, attempts: 1)
            return risk.balances.allSatisfy { $0.reserved == .zero }
        })
        // Canceling a finished order answers its state; an unknown one is NOT_FOUND.
        let again = try await client.bus.call(
            service: GatewayAPI.service, type: GatewayAPI.cancel, key: "acct-1", body: OrderRef(account: "acct-1", clientOrderId: "c-1"),
            replyType: OrderReply.self, attempts: 1)
        #expect(again.order.state == .canceled)
        let missing = try await client.errorCode(GatewayAPI.cancel, key: "acct-1", body: WireCodec.encode(OrderRef(account: "acct-1", clientOrderId: "nope")))
        #expect(missing == .notFound)
    }

    @Test("a burst above the account's bucket gets RATE_LIMITED with retry_after_ms")
    func rateLimit() async throws {
        let (suite, client) = try await started { $0.environment = ["BW_RATE_ACCOUNT_BURST": "5", "BW_RATE_ACCOUNT_PER_SEC": "1"] }
        defer { client.close(); suite.tearDown() }
        let clock = ContinuousClock()
        let start = clock.now
        let results = await withTaskGroup(of: Result<OrderView, ServiceError>.self) { group in
            for i in 0..<15 {
                group.addTask {
                    do { return .success(try await client.submit(restingBuy("rl-\(i)"))) } catch let error as ServiceError { return .failure(error) } catch { return .failure(ServiceError(.internal, reason: "test", "\(error)")) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let elapsedSeconds = Int((clock.now - start).components.seconds) + 1
        let accepted = results.filter { if case .success = $0 { true } else { false } }.count
        let limited = results.compactMap { if case .failure(let e) = $0, e.code == .rateLimited { e } else { nil } }
        // The bucket holds 5 and refills 1 per second: no more than that got through.
        #expect(accepted >= 5 && accepted <= 5 + elapsedSeconds)
        #expect(accepted + limited.count == 15)
        #expect(limited.allSatisfy { ($0.retryAfterMs ?? 0) > 0 })
    }

    @Test("every validation code is provoked by bad input, and the gateway keeps serving")
    func errorCodes() async throws {
        let (suite, client) = try await started()
        defer { client.close(); suite.tearDown() }
        func body(_ json: String) -> Data { Data(json.utf8) }
        func order(_ fields: String) -> Data {
            body(#"{"account":"acct-1","symbol":"BTC/USDT","side":"buy","type":"limit","time_in_force":"GTC",\#(fields)}"#)
        }
        let nowNanos = WallClock.nowNanos()
        let cases: [(String, String, Data, ErrorCode)] = [
            ("garbage", GatewayAPI.submit, body("{not json"), .invalidRequest),
            ("money as a JSON number", GatewayAPI.submit, order(#""qty":0.01,"price":"1000""#), .invalidNumber),
            ("unknown symbol", GatewayAPI.submit, body(#"{"account":"acct-1","symbol":"DOGE/USDT","side":"buy","type":"market","qty":"1"}"#), .unknownSymbol),
            ("unknown account", GatewayAPI.submit, body(#"{"account":"nobody","symbol":"BTC/USDT","side":"buy","type":"market","qty":"0.01"}"#), .unknownAccount),
            ("zero quantity", GatewayAPI.submit, order(#""qty":"0","price":"1000""#), .invalidQuantity),
            ("limit without price", GatewayAPI.submit, order(#""qty":"0.01""#), .invalidPrice),
            ("negative price", GatewayAPI.submit, order(#""qty":"0.01","price":"-5""#), .invalidPrice),
            ("price off the tick", GatewayAPI.submit, order(#""qty":"0.01","price":"1000.001""#), .tickSize),
            ("quantity off the lot", GatewayAPI.submit, order(#""qty":"0.000001","price":"1000""#), .lotSize),
            ("below min notional", GatewayAPI.submit, order(#""qty":"0.001","price":"1000""#), .minNotional),
            ("stale quote", GatewayAPI.submit,
             order(#""qty":"0.01","price":"1000","quote":{"bid":"999","ask":"1001","ts":\#(nowNanos - 11_000_000_000)}"#), .quoteExpired),
            ("quote from the future", GatewayAPI.submit,
             order(#""qty":"0.01","price":"1000","quote":{"bid":"999","ask":"1001","ts":\#(nowNanos + 60_000_000_000)}"#), .quoteExpired),
            ("limit far through the market", GatewayAPI.submit,
             order(#""qty":"0.01","price":"100000""#), .slippage),
            ("client quote far from the venue's market", GatewayAPI.submit,
             order(#""qty":"0.01","price":"1000","quote":{"bid":"999","ask":"1001","ts":\#(nowNanos)}"#), .slippage),
            ("implausible client quote", GatewayAPI.submit,
             order(#""qty":"0.01","price":"1000","quote":{"bid":"1001","ask":"999","ts":\#(nowNanos)}"#), .invalidPrice),
            ("more than the balance", GatewayAPI.submit, order(#""qty":"150","price":"1000""#), .insufficientBalance),
            ("order that does not exist", GatewayAPI.get, body(#"{"account":"acct-1","client_order_id":"nope"}"#), .notFound),
            ("unknown message type", "order.frobnicate", body("{}"), .unknownType),
            ("oversized message", GatewayAPI.submit, order(#""qty":"0.01","price":"1000","pad":"\#(String(repeating: "x", count: 70_000))""#), .invalidRequest),
        ]
        for (name, type, data, code) in cases {
            // Keyed by the body's account, as a client keys its requests (another key is `key_mismatch`).
            let account = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["account"] as? String
            let got = try await client.errorCode(type, key: account ?? "acct-1", body: data)
            #expect(got == code, "\(name): expected \(code), got \(String(describing: got))")
        }
        let mismatched = try await client.bus.request(
            service: GatewayAPI.service, type: GatewayAPI.submit, key: "acct-2", body: order(#""qty":"0.01","price":"1000""#), attempts: 1)
        #expect(mismatched.errorBody().code == .invalidRequest && mismatched.errorBody().reason == "key_mismatch")
        // G2: the same order twice without an id inside 5 s.
        _ = try await client.submit(restingBuy(nil, qty: "0.02"))
        let second = try await client.errorCode(GatewayAPI.submit, key: "acct-1", body: WireCodec.encode(restingBuy(nil, qty: "0.02")))
        #expect(second == .duplicate)
        // A used id for a different order is refused, not answered with the old order.
        let reused = OrderSubmit(clientOrderId: "after-errors-0", account: "acct-1", symbol: "ETH/USDT", side: .sell, type: .limit,
                                 qty: ExactDecimal("0.01")!, price: ExactDecimal("900000")!)
        _ = try await client.submit(restingBuy("after-errors-0"))
        #expect(try await client.errorCode(GatewayAPI.submit, key: "acct-1", body: WireCodec.encode(reused)) == .duplicate)
        // Still serving after all of it.
        #expect(try await client.submit(restingBuy("after-errors")).state == .accepted)
    }

    @Test("a client quote of 1000 while the venue's market is ~50000 is refused: SLIPPAGE / quote_off_market; a sell at 1000 without a quote is price_through_reference")
    func quoteOffMarket() async throws {
        let (suite, client) = try await started()
        defer { client.close(); suite.tearDown() }
        let far = Quote(bid: ExactDecimal("999")!, ask: ExactDecimal("1001")!, ts: WallClock.nowNanos())
        var sell = OrderSubmit(clientOrderId: "far-1", account: "acct-1", symbol: "BTC/USDT", side: .sell, type: .limit,
                               qty: ExactDecimal("0.01")!, price: ExactDecimal("1000")!, quote: far)
        let reply = try await client.bus.request(service: GatewayAPI.service, type: GatewayAPI.submit, key: "acct-1", body: WireCodec.encode(sell), timeout: .seconds(10), attempts: 1)
        #expect(reply.header.isError && reply.errorBody().code == .slippage && reply.errorBody().reason == "quote_off_market")
        sell.quote = nil
        let unquoted = try await client.bus.request(service: GatewayAPI.service, type: GatewayAPI.submit, key: "acct-1", body: WireCodec.encode(sell), timeout: .seconds(10), attempts: 1)
        #expect(unquoted.header.isError && unquoted.errorBody().reason == "price_through_reference")
        #expect(try intents(suite, "far-1") == 0, "nothing was reserved or sent")
    }

    @Test("a flood of garbage frames and bodies does not stop the gateway")
    func garbageFlood() async throws {
        let (suite, client) = try await started()
        defer { client.close(); suite.tearDown() }
        let context = ZMQContext()
        let raw = try ZMQSocket(context: context, type: .dealer, options: [.lingerMs(0)] + suite.endpoints.clientOptions)
        try raw.connect(suite.endpoints.rpc)
        var generator = SystemRandomNumberGenerator()
        for i in 0..<2000 {
            let frames = (0..<(i % 5)).map { _ in Data((0..<Int.random(in: 0..<300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
            try raw.send(frames.isEmpty ? [Data()] : frames)
        }
        raw.close()
        context.terminate()
        for i in 0..<200 {
            let junk = Data((0..<(i + 1)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let code = try await client.errorCode(GatewayAPI.submit, key: "acct-1", body: junk)
            #expect(code == .invalidRequest)
        }
        #expect(try await client.submit(restingBuy("after-flood")).state == .accepted)
    }

    @Test("live mode without a venue URL and a key file refuses to start")
    func liveNeedsOptIn() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        suite.environment = ["BW_VENUE_MODE": "live"]
        try suite.start("order-gateway")
        let status = suite.exitStatus("order-gateway", timeout: .seconds(20))
        #expect(status != nil && status != 0)
    }
}

/// G10 against a real venue that stops answering: the gateway's calls time out, it asks
/// before resending, resends under the same id, and the order exists once at the venue.
@Suite("gateway against a venue that stops answering", .serialized, .timeLimit(.minutes(3)))
struct GatewayVenueOutageTests {
    @Test("a frozen venue: transient timeouts are retried under the same id and the order is placed exactly once")
    func frozenVenue() async throws {
        let suite = try Suite()
        // The retry path itself: the gateway must not count the frozen venue as unreachable
        // (BW_VENUE_SILENCE_MS), or it would stop sending, which VenueOutageTests covers.
        suite.environment = [
            "BW_VENUE_TIMEOUT_MS": "300", "BW_VENUE_RETRY_ATTEMPTS": "20",
            "BW_VENUE_RETRY_BASE_MS": "100", "BW_VENUE_RETRY_MAX_MS": "400", "BW_VENUE_SILENCE_MS": "600000",
        ]
        try suite.start()
        let client = try suite.client()
        defer { client.close(); suite.tearDown() }
        #expect(try await client.waitUntilReady())

        // Watch the bus tap for the gateway's breaker reports (batched: `risk.venue_outcomes`):
        // one goes out after each failed venue call.
        let context = ZMQContext()
        defer { context.terminate() }
        let tap = try ZMQSocket(context: context, type: .sub, options: [.subscribe(RiskAPI.venueOutcomes), .receiveTimeoutMs(200), .lingerMs(0)] + suite.endpoints.clientOptions)
        defer { tap.close() }
        try tap.connect(suite.endpoints.tap)

        suite.signal("venue-sim", SIGSTOP)
        let order = Task { try await client.submit(restingBuy("frozen-1"), timeout: .seconds(60)) }
        let sawFailure = try await eventually(timeout: .seconds(30), every: .milliseconds(1)) {
            (try? tap.receive())?.first.map { String(decoding: $0, as: UTF8.self) } == RiskAPI.venueOutcomes
        }
        #expect(sawFailure, "a venue call to the frozen venue must fail and be reported")
        suite.signal("venue-sim", SIGCONT)

        let placed = try await order.value
        #expect(placed.state == .accepted)
        let probe = try VenueProbe(suite)
        defer { probe.close() }
        #expect(try await probe.venue.openOrders(account: "acct-1").map(\.clientOrderId) == ["frozen-1"])
    }
}

extension GatewayVenueOutageTests {
    @Test("acks delayed past every retry: the order is `unknown`, then resolves to the venue's state, once — the late places were refused, so rejected (not_at_venue)")
    func unknownResolves() async throws {
        let suite = try Suite()
        suite.environment = [
            "BW_VENUE_TIMEOUT_MS": "200", "BW_VENUE_RETRY_ATTEMPTS": "2", "BW_VENUE_RETRY_BASE_MS": "50", "BW_UNKNOWN_GRACE_MS": "500",
        ]
        try suite.start()
        let client = try suite.client()
        defer { client.close(); suite.tearDown() }
        #expect(try await client.waitUntilReady())

        // A frozen venue delays every answer past the gateway's timeout and retries.
        suite.signal("venue-sim", SIGSTOP)
        let reply = try await client.submit(restingBuy("late-ack-1"), timeout: .seconds(30))
        #expect(reply.state == .unknown)
        suite.signal("venue-sim", SIGCONT)

        // The gateway keeps asking. Every place reached the venue after its deadline, so the venue
        // refused it (TIMEOUT / deadline_passed): the order is closed as absent, and stays absent.
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
            (try? await client.get(account: "acct-1", id: "late-ack-1").state) == .rejected
        })
        #expect(try await client.get(account: "acct-1", id: "late-ack-1").reason == "not_at_venue")
        let probe = try VenueProbe(suite)
        defer { probe.close() }
        #expect(try await probe.venue.order(account: "acct-1", clientOrderId: "late-ack-1") == nil)
        #expect(try await probe.venue.openOrders(account: "acct-1").isEmpty)
    }
}

extension GatewayVenueOutageTests {
    @Test("kill -9 of the gateway while its venue call is in flight: after restart the intent is resolved, never doubled")
    func gatewayKilledMidCall() async throws {
        let suite = try Suite()
        // The reconciler's grace outlasts the freeze, so the order the frozen venue still holds
        // in its socket buffer is found, not closed as absent.
        suite.environment = ["BW_RECON_INTERVAL_MS": "500", "BW_RECON_GRACE_MS": "10000"]
        try suite.start()
        let client = try suite.client()
        defer { client.close(); suite.tearDown() }
        #expect(try await client.waitUntilReady())

        suite.signal("venue-sim", SIGSTOP)
        let doomed = Task { try? await client.submit(restingBuy("killed-1"), timeout: .seconds(5)) }
        // The intent is committed: the gateway is inside (or at the door of) its venue call.
        let db = try DatabaseQueue(path: suite.databasePath, configuration: { var c = Configuration(); c.readonly = true; return c }())
        #expect(try await eventually(timeout: .seconds(30)) {
            try await db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM journal WHERE msg_id = 'intent:acct-1:killed-1'") } == 1
        })
        suite.kill("order-gateway")
        suite.signal("venue-sim", SIGCONT)
        _ = await doomed.value
        try suite.start("order-gateway")
        #expect(try await client.waitUntilReady())

        // Resolved either way, and consistent with the venue: adopted if the venue got it, failed and released if not.
        #expect(try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            let state = try? await client.get(account: "acct-1", id: "killed-1").state
            return state == .accepted || state == .rejected
        })
        let order = try await client.get(account: "acct-1", id: "killed-1")
        let probe = try VenueProbe(suite)
        defer { probe.close() }
        let atVenue = try await probe.venue.openOrders(account: "acct-1").filter { $0.clientOrderId == "killed-1" }
        if order.state == .accepted {
            #expect(atVenue.count == 1 && atVenue.first?.venueOrderId == order.venueOrderId)
        } else {
            #expect(atVenue.isEmpty && order.reason == "not_at_venue")
        }
        // Resubmitting the id after all of it sends nothing new.
        #expect(try await client.submit(restingBuy("killed-1")).state == order.state)
        #expect(try await probe.venue.openOrders(account: "acct-1").filter { $0.clientOrderId == "killed-1" }.count == atVenue.count)
    }
}
