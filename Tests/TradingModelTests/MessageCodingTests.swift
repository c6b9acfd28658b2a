import Foundation
import Testing
import TradingModel

/// JSON shapes of the client messages, exactly as PROTOCOL.md spells them.
@Suite struct MessageCodingTests {
    private func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    /// An order submission with every optional field set.
    static let fullSubmit = OrderSubmit(
        clientOrderId: "c-1", account: "acc-1", symbol: "BTC/USDT", side: .buy, type: .limit, qty: dec("0.5"),
        price: dec("50000.25"), timeInForce: .ioc, reduceOnly: false,
        quote: Quote(bid: dec("50000"), ask: dec("50000.5"), ts: 1_700_000_000_000_000_000))

    @Test func orderSubmitWithEveryField() throws {
        let expected = #"{"account":"acc-1","client_order_id":"c-1","price":"50000.25","qty":"0.5","#
            + #""quote":{"ask":"50000.5","bid":"50000","ts":1700000000000000000},"reduce_only":false,"#
            + #""side":"buy","symbol":"BTC/USDT","time_in_force":"IOC","type":"limit"}"#
        #expect(try json(Self.fullSubmit) == expected)
        #expect(try decode(OrderSubmit.self, expected) == Self.fullSubmit)
    }

    @Test func orderSubmitOmitsAbsentOptionals() throws {
        let market = OrderSubmit(account: "acc-1", symbol: "BTC/USDT", side: .sell, type: .market, qty: dec("1"))
        let expected = #"{"account":"acc-1","qty":"1","side":"sell","symbol":"BTC/USDT","type":"market"}"#
        #expect(try json(market) == expected)
        #expect(try decode(OrderSubmit.self, expected) == market)
    }

    @Test func orderRefAndAccountRef() throws {
        let ref = OrderRef(account: "acc-1", clientOrderId: "c-1")
        #expect(try json(ref) == #"{"account":"acc-1","client_order_id":"c-1"}"#)
        #expect(try decode(OrderRef.self, #"{"client_order_id":"c-1","account":"acc-1"}"#) == ref)
        #expect(try json(AccountRef(account: "acc-1")) == #"{"account":"acc-1"}"#)
    }

    @Test func orderReplyCarriesTheOrderView() throws {
        let view = OrderView(
            clientOrderId: "c-1", account: "acc-1", symbol: "BTC/USDT", side: .buy, type: .limit, qty: dec("0.5"),
            price: dec("50000.25"), state: .partiallyFilled, filledQty: dec("0.2"), avgPrice: dec("50000.2"),
            venueOrderId: "v-9", reason: nil)
        let expected = #"{"order":{"account":"acc-1","avg_price":"50000.2","client_order_id":"c-1","#
            + #""filled_qty":"0.2","price":"50000.25","qty":"0.5","side":"buy","state":"partially_filled","#
            + #""symbol":"BTC/USDT","type":"limit","venue_order_id":"v-9"}}"#
        #expect(try json(OrderReply(order: view)) == expected)
        #expect(try decode(OrderReply.self, expected) == OrderReply(order: view))
    }

    @Test func orderViewDefaultsToNothingFilled() throws {
        let view = OrderView(
            clientOrderId: "c-2", account: "a", symbol: "S", side: .sell, type: .market, qty: dec("1"), state: .pendingNew)
        #expect(try json(view) == #"{"account":"a","client_order_id":"c-2","filled_qty":"0","qty":"1","#
            + #""side":"sell","state":"pending_new","symbol":"S","type":"market"}"#)
    }

    @Test func factRoundTrips() throws {
        let intent = Fact(id: "m-1", account: "acc-1", payload: .orderIntent(OrderIntent(
            clientOrderId: "c-1", symbol: "BTC/USDT", side: .buy, type: .limit, qty: dec("0.5"), price: dec("50000"),
            timeInForce: .gtc, reserveAsset: "USDT", reserveAmount: dec("25025"))))
        let closed = Fact(id: "m-2", account: "acc-1", payload: .orderClosed(
            OrderClosed(clientOrderId: "c-1", state: .unknown, reason: "timeout")))
        let encoded = try JSONEncoder().encode([intent, closed])
        #expect(try JSONDecoder().decode([Fact].self, from: encoded) == [intent, closed])
        #expect(closed.type == "order.unknown")
    }
}
