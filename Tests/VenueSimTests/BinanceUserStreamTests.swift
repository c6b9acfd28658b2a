import BinanceWire
import BusKit
import BusProtocol
import Foundation
import Logging
import Testing
import TradingModel
import VenueKit
@testable import VenueSim

/// venue-sim's WebSocket API without a socket: requests through `answer`, the book's changes
/// through `followBook`, and what one connection is sent read from its queue in order. (The
/// real server with ccxt.pro and raw WebSocket frames: scripts/binance_clients_test.py.)
@Suite("Binance front: the user data stream")
struct BinanceUserStreamTests {
    static let key = "stream-key"
    static let secret = "stream-secret"
    static let now = Fixtures.t0

    /// A front over a fresh book, following its changes, and one open connection's queue.
    private func connected(faults: VenueFaults = VenueFaults()) async -> (BinanceFront, VenueBook, Int, Reader, Task<Void, Never>) {
        let configuration = BinanceFront.Configuration(host: "127.0.0.1", port: 0, keys: [Self.key: .init(account: Fixtures.rich, secret: Self.secret)])
        let book = VenueBook(Fixtures.exchange(), faults: faults, seed: 7, stateFile: nil)
        let front = BinanceFront(configuration: configuration, book: book, saved: {}, logger: Logger(label: "test"))
        let changes = await book.followChanges()
        let follower = Task { await front.followBook(changes) }
        let (connection, queue) = await front.hub.open()
        return (front, book, connection, Reader(queue), follower)
    }

    /// Reads one connection's queue message by message.
    final class Reader: @unchecked Sendable {
        private var iterator: AsyncStream<String>.AsyncIterator
        init(_ queue: AsyncStream<String>) { iterator = queue.makeAsyncIterator() }

        func next() async -> [String: Any] {
            guard let text = await iterator.next(), let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [:] }
            return object
        }
    }

    private func subscribe(_ front: BinanceFront, _ connection: Int, id: String = "s", secret: String = secret, key: String = key,
                           timestampMillis: Int64 = now / 1_000_000) async {
        var params = BinanceUserStream.subscribeParams(apiKey: key, secret: secret, timestampMillis: timestampMillis, recvWindowMillis: 5_000)
        if key.isEmpty { params["apiKey"] = nil }
        let request = try! JSONEncoder().encode(BinanceStreamRequest(id: .text(id), method: .subscribe, params: params))
        await front.answer(String(decoding: request, as: UTF8.self), connection: connection, now: Self.now)
    }

    private func errorCode(_ reply: [String: Any]) -> Int? {
        (reply["error"] as? [String: Any])?["code"] as? Int
    }

    @Test("the WebSocket API's signature: the documented example, its parameters sorted by name")
    func documentedSignature() {
        let params = [
            "symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01000000", "price": "52000.00",
            "newOrderRespType": "ACK", "recvWindow": "100", "timestamp": "1645423376532",
            "apiKey": "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A", "signature": "ignored",
        ]
        let payload = BinanceUserStream.signaturePayload(params)
        #expect(payload == "apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&newOrderRespType=ACK&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT")
        #expect(BinanceSigner.signature(payload: payload, secret: "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")
            == "cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08a")
    }

    @Test("a subscribe's refusals carry Binance's codes; garbage and unknown methods get a reply too", arguments: [
        ("wrong secret", -1022), ("unknown key", -2015), ("no key", -1102), ("stale", -1021), ("garbage", -1102), ("unknown method", -1020),
    ])
    func refusals(name: String, expected: Int) async {
        let (front, _, connection, reader, follower) = await connected()
        defer { follower.cancel() }
        switch name {
        case "wrong secret": await subscribe(front, connection, secret: "wrong")
        case "unknown key": await subscribe(front, connection, key: "nobody")
        case "no key": await subscribe(front, connection, key: "")
        case "stale": await subscribe(front, connection, timestampMillis: Self.now / 1_000_000 - 6_000)
        case "garbage": await front.answer("{not json", connection: connection, now: Self.now)
        default: await front.answer(#"{"id":7,"method":"order.place"}"#, connection: connection, now: Self.now)
        }
        let reply = await reader.next()
        #expect(errorCode(reply) == expected, "\(name): \(reply)")
        #expect((reply["status"] as? Int).map { $0 >= 400 } == true)
        if name == "unknown method" { #expect(reply["id"] as? Int == 7, "an integer id is echoed as an integer") }
        #expect(await front.hub.subscriptions(connection).isEmpty)
    }

    @Test("subscribed: a market order is NEW then TRADE (filled, with its fee) then the balances it moved, all after the reply")
    func marketOrderEvents() async throws {
        let (front, book, connection, reader, follower) = await connected()
        defer { follower.cancel() }
        await subscribe(front, connection)
        let reply = await reader.next()
        #expect(reply["status"] as? Int == 200 && (reply["result"] as? [String: Any])?["subscriptionId"] as? Int == 0)
        let order = try await book.binancePlace(Fixtures.place("ws-mkt", qty: "0.01"), now: Self.now)
        let new = await reader.next(), trade = await reader.next(), position = await reader.next()
        let newEvent = try #require(new["event"] as? [String: Any]), tradeEvent = try #require(trade["event"] as? [String: Any])
        #expect(new["subscriptionId"] as? Int == 0 && newEvent["e"] as? String == "executionReport")
        #expect(newEvent["x"] as? String == "NEW" && newEvent["X"] as? String == "NEW" && newEvent["c"] as? String == "ws-mkt" && newEvent["t"] as? Int == -1)
        let fill = try #require(order.fills.first)
        #expect(tradeEvent["x"] as? String == "TRADE" && tradeEvent["X"] as? String == "FILLED")
        #expect(tradeEvent["l"] as? String == fill.qty.description && tradeEvent["z"] as? String == fill.qty.description)
        #expect(tradeEvent["L"] as? String == fill.price.description && tradeEvent["n"] as? String == fill.fee.description && tradeEvent["N"] as? String == fill.feeAsset)
        #expect(tradeEvent["t"] as? Int == Int(SymbolTable(Fixtures.exchange().instruments).tradeNumber(fill)) && tradeEvent["i"] as? Int == Int(BinanceReports.number(order.venueOrderId)))
        let balances = try #require((position["event"] as? [String: Any])?["B"] as? [[String: Any]])
        let (free, _) = try #require(await book.balances(account: Fixtures.rich))
        #expect(balances.map { $0["a"] as? String } == ["BTC", "USDT"])
        #expect(balances.first?["f"] as? String == free["BTC"]?.description)
        // The decoded report is what the adapter reads.
        let decoded = try JSONDecoder().decode(BinanceStreamEvent<BinanceExecutionReport>.self, from: JSONSerialization.data(withJSONObject: trade))
        #expect(decoded.event.isTrade && decoded.event.lastExecutedQuantity == fill.qty && decoded.event.commissionAsset == fill.feeAsset)
    }

    @Test("a resting limit order is NEW, its cancel CANCELED; an IOC that finds nothing is NEW then EXPIRED; a rejected order is nothing")
    func otherReports() async throws {
        let instrument = try #require(Fixtures.exchange().instruments.first { $0.symbol == "BTC/USDT" })
        var exchange = Fixtures.exchange()
        let resting = try exchange.place(Fixtures.place("rest-1", type: .limit, qty: "0.001", price: "40000"), now: Self.now)
        #expect(BinanceReports.executionReports(resting, placed: true, newFills: [], instrument: instrument, symbols: SymbolTable(Fixtures.exchange().instruments), nowMillis: 1).map(\.executionType) == ["NEW"])
        let canceled = try exchange.cancel(account: Fixtures.rich, clientOrderId: "rest-1", now: Self.now)
        let cancelReports = BinanceReports.executionReports(canceled, placed: false, newFills: [], instrument: instrument, symbols: SymbolTable(Fixtures.exchange().instruments), nowMillis: 1)
        #expect(cancelReports.map(\.executionType) == ["CANCELED"] && cancelReports.first?.isWorking == false)
        let ioc = try exchange.place(Fixtures.place("ioc-1", type: .limit, qty: "0.01", price: "1000", tif: .ioc), now: Self.now)
        #expect(BinanceReports.executionReports(ioc, placed: true, newFills: [], instrument: instrument, symbols: SymbolTable(Fixtures.exchange().instruments), nowMillis: 1).map(\.executionType) == ["NEW", "EXPIRED"])
        let rejected = try exchange.reject(Fixtures.place("rej-1", type: .limit, qty: "0.001", price: "40000"), reason: "venue_fault", now: Self.now)
        #expect(BinanceReports.executionReports(rejected, placed: true, newFills: [], instrument: instrument, symbols: SymbolTable(Fixtures.exchange().instruments), nowMillis: 1).isEmpty)
    }

    @Test("events go to the subscribed account only; an unsubscribe stops them")
    func onlyTheAccountsEvents() async throws {
        let (front, book, connection, reader, follower) = await connected()
        defer { follower.cancel() }
        await subscribe(front, connection)
        _ = await reader.next()
        _ = try await book.binancePlace(Fixtures.place("other-account", account: Fixtures.poor, symbol: "ETH/USDT", type: .limit, qty: "0.002", price: "2500"), now: Self.now)
        _ = try await book.binancePlace(Fixtures.place("mine-1", type: .limit, qty: "0.001", price: "40000"), now: Self.now)
        // The book's changes are reported in order: the first event is this account's order, not the other's.
        let first = await reader.next()
        #expect((first["event"] as? [String: Any])?["c"] as? String == "mine-1", "\(first)")
        _ = await reader.next()  // its balances
        await front.answer(#"{"id":"u","method":"userDataStream.unsubscribe"}"#, connection: connection, now: Self.now)
        _ = try await book.binancePlace(Fixtures.place("after-unsubscribe", type: .limit, qty: "0.001", price: "40000"), now: Self.now)
        await front.answer(#"{"id":"list","method":"session.subscriptions"}"#, connection: connection, now: Self.now)
        // In order: the unsubscribe's reply, then the list (empty): no event of either order came between.
        let unsubscribed = await reader.next(), listed = await reader.next()
        #expect(unsubscribed["id"] as? String == "u" && unsubscribed["status"] as? Int == 200)
        #expect(listed["id"] as? String == "list" && (listed["result"] as? [Any])?.isEmpty == true)
    }

    @Test("binance_stream_terminated: the open subscription ends with eventStreamTerminated, and a new one right after its reply")
    func terminated() async throws {
        let (front, book, connection, reader, follower) = await connected()
        defer { follower.cancel() }
        await subscribe(front, connection)
        _ = await reader.next()
        var faults = VenueFaults()
        faults.binanceStreamTerminated = true
        _ = try await book.handle(Message(header: Header(id: "f", type: "venue.faults", ts: 0), body: WireCodec.encode(faults)), now: Self.now)
        let ended = await reader.next()
        #expect(ended["subscriptionId"] as? Int == 0 && (ended["event"] as? [String: Any])?["e"] as? String == "eventStreamTerminated")
        #expect(await front.hub.subscriptions(connection).isEmpty)
        await subscribe(front, connection, id: "again")
        let reply = await reader.next(), endedAgain = await reader.next()
        #expect(reply["id"] as? String == "again" && (reply["result"] as? [String: Any])?["subscriptionId"] as? Int == 1)
        #expect(endedAgain["subscriptionId"] as? Int == 1 && (endedAgain["event"] as? [String: Any])?["e"] as? String == "eventStreamTerminated")
    }
}
