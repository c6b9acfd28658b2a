import BinanceWire
import Foundation
import Logging
import Testing
import TradingModel
import VenueKit
@testable import VenueSim

/// venue-sim's Binance front without HTTP: each request through `handle` (limits,
/// authentication, the endpoint), each Binance error code it sends provoked by bad input.
/// (The real HTTP server and Binance's own clients: scripts/binance_clients_test.py.)
@Suite("Binance front: signatures, timing, limits and refusals")
struct BinanceFrontTests {
    static let key = "front-key"
    static let secret = "front-secret"
    static let now = Fixtures.t0

    private func front(limits: BinanceFront.Limits = .init(), faults: VenueFaults = VenueFaults()) -> BinanceFront {
        var configuration = BinanceFront.Configuration(host: "127.0.0.1", port: 0, keys: [Self.key: .init(account: Fixtures.rich, secret: Self.secret)])
        configuration.limits = limits
        let book = VenueBook(Fixtures.exchange(), faults: faults, seed: 7, stateFile: nil)
        return BinanceFront(configuration: configuration, book: book, saved: {}, logger: Logger(label: "test"))
    }

    /// A signed call as a client sends it: `params` plus timestamp (ms) and signature in the query string.
    private func signed(
        _ front: BinanceFront, _ endpoint: BinanceFront.Endpoint, _ params: [(String, String)], at now: Int64 = now,
        timestamp: Int64? = nil, key: String? = key, secret: String = secret
    ) async -> BinanceFront.Reply {
        var query = BinanceQuery(params)
        query.append("timestamp", String(timestamp ?? now / 1_000_000))
        let payload = query.encoded
        let text = payload + "&signature=" + BinanceSigner.signature(payload: payload, secret: secret)
        return await front.handle(endpoint, query: text, body: "", apiKey: key, now: now)
    }

    private func code(_ reply: BinanceFront.Reply) -> Int? {
        (try? JSONDecoder().decode(BinanceErrorBody.self, from: reply.body))?.code
    }

    private func header(_ reply: BinanceFront.Reply, _ name: String) -> String? {
        reply.headers.first { $0.0 == name }?.1
    }

    private static let limitBuy: [(String, String)] = [
        ("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "0.001"), ("price", "40000"),
    ]

    @Test("a signed payload split over query string and form body verifies; the weight header comes with every reply")
    func bodyAndQuery() async {
        let front = front()
        let query = "symbol=BTCUSDT&side=BUY&type=LIMIT"
        let body = "timeInForce=GTC&quantity=0.001&price=40000&newClientOrderId=split-1&timestamp=\(Self.now / 1_000_000)"
        let signature = BinanceSigner.signature(payload: query + body, secret: Self.secret)
        let reply = await front.handle(.newOrder, query: query, body: body + "&signature=" + signature, apiKey: Self.key, now: Self.now)
        #expect(reply.status == .ok)
        #expect(header(reply, "X-MBX-USED-WEIGHT-1M") == "1")
        #expect(header(reply, "X-MBX-ORDER-COUNT-10S") == "1")
        let order = try? JSONDecoder().decode(BinanceOrder.self, from: reply.body)
        #expect(order?.clientOrderId == "split-1" && order?.status == .new)
    }

    @Test("authentication and timing refusals", arguments: [
        ("no key", -2014), ("unknown key", -2015), ("wrong secret", -1022), ("stale", -1021), ("ahead", -1021),
        ("no signature", -1102), ("recvWindow too large", -1131), ("bad timestamp", -1100),
    ])
    func authentication(name: String, expected: Int) async {
        let front = front()
        let ms = Self.now / 1_000_000
        let reply: BinanceFront.Reply
        switch name {
        case "no key": reply = await signed(front, .account, [], key: nil)
        case "unknown key": reply = await signed(front, .account, [], key: "nobody")
        case "wrong secret": reply = await signed(front, .account, [], secret: "wrong")
        case "stale": reply = await signed(front, .account, [("recvWindow", "5000")], timestamp: ms - 5_001)
        case "ahead": reply = await signed(front, .account, [], timestamp: ms + 1_000)
        case "no signature": reply = await front.handle(.account, query: "timestamp=\(ms)", body: "", apiKey: Self.key, now: Self.now)
        case "recvWindow too large": reply = await signed(front, .account, [("recvWindow", "60001")])
        default:
            let payload = "timestamp=soon"
            reply = await front.handle(
                .account, query: payload + "&signature=" + BinanceSigner.signature(payload: payload, secret: Self.secret), body: "",
                apiKey: Self.key, now: Self.now)
        }
        #expect(code(reply) == expected, "\(name): \(String(decoding: reply.body, as: UTF8.self))")
        #expect(reply.status == (expected == -2014 || expected == -2015 ? .unauthorized : .badRequest))
    }

    @Test("a timestamp within recvWindow (up to its last millisecond) is taken")
    func withinWindow() async {
        let reply = await signed(front(), .account, [("recvWindow", "5000")], timestamp: Self.now / 1_000_000 - 5_000)
        #expect(reply.status == .ok)
    }

    @Test("order refusals carry Binance's codes", arguments: [
        ("side", "HOLD", -1117), ("type", "STOP_LOSS", -1116), ("timeInForce", "GTD", -1115), ("symbol", "DOGEUSDT", -1121),
        ("quantity", "1e-3", -1100), ("quantity", "0.0000001", -1013), ("price", "40000.001", -1013), ("quantity", "0.00001", -1013),
        ("newClientOrderId", "has space", -1100), ("symbol", "", -1102),
    ])
    func orderRefusals(field: String, value: String, expected: Int) async {
        let params = Self.limitBuy.filter { $0.0 != field } + [(field, value)]
        let reply = await signed(front(), .newOrder, params)
        #expect(code(reply) == expected, "\(field)=\(value): \(String(decoding: reply.body, as: UTF8.self))")
    }

    @Test("the filter named in a -1013 is the rule broken")
    func filterNames() async {
        let front = front()
        for (field, value, filter) in [("quantity", "0.0000001", "LOT_SIZE"), ("price", "40000.001", "PRICE_FILTER"), ("quantity", "0.00001", "NOTIONAL")] {
            let reply = await signed(front, .newOrder, Self.limitBuy.filter { $0.0 != field } + [(field, value)])
            let body = try? JSONDecoder().decode(BinanceErrorBody.self, from: reply.body)
            #expect(body?.msg == "Filter failure: \(filter)")
        }
    }

    @Test("a MARKET order with a price is -1106, with a timeInForce -1114")
    func marketParameters() async {
        let front = front()
        let market: [(String, String)] = [("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "MARKET"), ("quantity", "0.001")]
        #expect(code(await signed(front, .newOrder, market + [("price", "50000")])) == -1106)
        #expect(code(await signed(front, .newOrder, market + [("timeInForce", "GTC")])) == -1114)
        #expect(await signed(front, .newOrder, market).status == .ok)
    }

    @Test("a client id is unique among OPEN orders only: -2010 while open, a second order once it ended")
    func clientIdGenerations() async {
        let front = front()
        let first = await signed(front, .newOrder, Self.limitBuy + [("newClientOrderId", "gen-1")])
        #expect(first.status == .ok)
        let duplicate = await signed(front, .newOrder, Self.limitBuy + [("newClientOrderId", "gen-1")])
        #expect(code(duplicate) == -2010)
        #expect((try? JSONDecoder().decode(BinanceErrorBody.self, from: duplicate.body))?.msg == "Duplicate order sent.")
        #expect(await signed(front, .cancelOrder, [("symbol", "BTCUSDT"), ("origClientOrderId", "gen-1")]).status == .ok)
        #expect(code(await signed(front, .cancelOrder, [("symbol", "BTCUSDT"), ("origClientOrderId", "gen-1")])) == -2011)
        let second = await signed(front, .newOrder, Self.limitBuy + [("newClientOrderId", "gen-1")])
        let firstId = (try? JSONDecoder().decode(BinanceOrder.self, from: first.body))?.orderId
        let found = await signed(front, .queryOrder, [("symbol", "BTCUSDT"), ("origClientOrderId", "gen-1")])
        let latest = try? JSONDecoder().decode(BinanceOrder.self, from: found.body)
        #expect(second.status == .ok && latest?.orderId != firstId && latest?.status == .new && latest?.clientOrderId == "gen-1")
    }

    @Test("what the book refuses or rejects: -2010 insufficient balance (no order exists after), -2013 unknown, -2011 nothing to cancel")
    func bookRefusals() async {
        let front = front()
        let big = Self.limitBuy.filter { $0.0 != "quantity" } + [("quantity", "10"), ("newClientOrderId", "too-big")]
        let refused = await signed(front, .newOrder, big)
        #expect(code(refused) == -2010)
        #expect((try? JSONDecoder().decode(BinanceErrorBody.self, from: refused.body))?.msg == BinanceErrorBody.Message.insufficientBalance)
        #expect(code(await signed(front, .queryOrder, [("symbol", "BTCUSDT"), ("origClientOrderId", "too-big")])) == -2013)
        #expect(code(await signed(front, .queryOrder, [("symbol", "BTCUSDT"), ("orderId", "999999")])) == -2013)
        #expect(code(await signed(front, .queryOrder, [("symbol", "BTCUSDT")])) == -1102)
        #expect(code(await signed(front, .cancelOpenOrders, [("symbol", "ETHUSDT")])) == -2011)
    }

    @Test("the reject fault is -2010 and leaves no order")
    func rejectFault() async {
        var faults = VenueFaults()
        faults.reject = ExactDecimal(1)
        let front = front(faults: faults)
        #expect(code(await signed(front, .newOrder, Self.limitBuy + [("newClientOrderId", "faulted")])) == -2010)
        #expect(code(await signed(front, .queryOrder, [("symbol", "BTCUSDT"), ("origClientOrderId", "faulted")])) == -2013)
    }

    @Test("past the weight limit: 429 -1003 with Retry-After until the minute ends; past the order limit: 429 -1015")
    func rateLimits() async {
        var limits = BinanceFront.Limits()
        limits.weightPerMinute = 25
        limits.ordersPer10s = 2
        let front = front(limits: limits)
        #expect(await signed(front, .account, []).status == .ok)  // weight 20
        let over = await signed(front, .account, [])
        #expect(over.status == .tooManyRequests && code(over) == -1003)
        let minuteLeft = Int((60_000 - (Self.now / 1_000_000) % 60_000 + 999) / 1_000)
        #expect(header(over, "Retry-After") == "\(minuteLeft)")
        let nextMinute = Self.now + Int64(minuteLeft) * 1_000_000_000
        #expect(await signed(front, .account, [], at: nextMinute).status == .ok)
        for id in ["o-1", "o-2"] {
            #expect(await signed(front, .newOrder, Self.limitBuy + [("newClientOrderId", id)], at: nextMinute).status == .ok)
        }
        let tooMany = await signed(front, .newOrder, Self.limitBuy + [("newClientOrderId", "o-3")], at: nextMinute)
        #expect(tooMany.status == .tooManyRequests && code(tooMany) == -1015 && header(tooMany, "Retry-After") != nil)
    }
}
