import BusProtocol
import Foundation
import Testing
import TradingModel
import VenueKit

/// The venue wire types: snake_case keys, money as strings, round trips.
@Suite struct VenueMessagesTests {
    /// `value` encoded, as a JSON object.
    static func json(_ value: some Encodable) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func placeDecodesFromSnakeCaseJSONWithDecimalStrings() throws {
        let text = """
            {"account":"a1","client_order_id":"c-1","symbol":"BTC/USDT","side":"buy","type":"limit",
             "qty":"0.01","price":"50000.25","time_in_force":"IOC"}
            """
        let place = try JSONDecoder().decode(VenuePlace.self, from: Data(text.utf8))
        #expect(place == VenuePlace(
            account: "a1", clientOrderId: "c-1", symbol: "BTC/USDT", side: .buy, type: .limit,
            qty: dec("0.01"), price: dec("50000.25"), timeInForce: .ioc))
    }

    @Test func placeRefusesAJSONNumberForMoney() {
        let text = """
            {"account":"a1","client_order_id":"c-1","symbol":"BTC/USDT","side":"buy","type":"market",
             "qty":0.01,"time_in_force":"GTC"}
            """
        #expect(throws: ServiceError.self) { try JSONDecoder().decode(VenuePlace.self, from: Data(text.utf8)) }
    }

    @Test func orderEncodesSnakeCaseKeysAndRoundTrips() throws {
        let fill = VenueFill(
            tradeId: "T000000000001", tradeSeq: 1, venueOrderId: "V000000000001", clientOrderId: "c-1",
            account: "a1", symbol: "BTC/USDT", side: .buy, qty: dec("0.01"), price: dec("50000.01"),
            fee: dec("0.50000010"), feeAsset: "USDT", ts: 7)
        let order = VenueOrder(
            venueOrderId: "V000000000001", clientOrderId: "c-1", account: "a1", symbol: "BTC/USDT", side: .buy,
            type: .market, qty: dec("0.01"), price: nil, timeInForce: .gtc, status: .partiallyFilled,
            filledQty: dec("0.01"), avgPrice: dec("50000.01"), reason: nil, createdTs: 5, fills: [fill])
        let object = try Self.json(order)
        #expect(Set(object.keys) == [
            "venue_order_id", "client_order_id", "account", "symbol", "side", "type", "qty", "time_in_force",
            "status", "filled_qty", "avg_price", "created_ts", "fills",
        ])
        #expect(object["status"] as? String == "partially_filled")
        #expect(object["avg_price"] as? String == "50000.01")
        let fillObject = try #require((object["fills"] as? [[String: Any]])?.first)
        #expect(Set(fillObject.keys) == [
            "trade_id", "trade_seq", "venue_order_id", "client_order_id", "account", "symbol", "side", "qty",
            "price", "fee", "fee_asset", "ts",
        ])
        #expect(fillObject["fee"] as? String == "0.5000001")
        let decoded = try JSONDecoder().decode(VenueOrder.self, from: JSONEncoder().encode(order))
        #expect(decoded == order)
    }

    @Test func queriesAndRepliesUseSnakeCaseKeys() throws {
        #expect(Set(try Self.json(VenueFillsQuery(account: "a", afterTradeSeq: 3)).keys) == ["account", "after_trade_seq"])
        #expect(Set(try Self.json(VenueOrderRef(account: "a", clientOrderId: "c")).keys) == ["account", "client_order_id"])
        let balances = VenueBalances(account: "a", balances: ["USDT": dec("1.5")])
        #expect(try Self.json(balances)["balances"] as? [String: String] == ["USDT": "1.5"])
        let tick = VenueTick(symbol: "BTC/USDT", bid: dec("1"), ask: dec("2"), last: dec("1.5"), ts: 9)
        let decodedTick = try JSONDecoder().decode(VenueTick.self, from: JSONEncoder().encode(tick))
        #expect(decodedTick == tick)
    }
}
