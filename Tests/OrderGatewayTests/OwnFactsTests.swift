import Testing
import TradingModel
import VenueKit

@testable import OrderGateway

/// The stream follower appends only the venue facts the order path did not commit itself.
@Suite("venue facts the gateway journaled itself are not appended again")
struct OwnFactsTests {
    static func fill(_ clientOrderId: String, trade: String) -> Fact {
        Fact(
            id: FillRecorded.factId(venue: "sim", tradeId: trade), account: "acct-1",
            payload: .fillRecorded(FillRecorded(
                clientOrderId: clientOrderId, venueOrderId: "v-1", tradeId: trade, symbol: "BTC/USDT", side: .buy,
                qty: ExactDecimal(1), price: ExactDecimal(100), fee: .zero, feeAsset: "USDT", ts: 1)))
    }

    static let accepted = Fact(
        id: "accepted:acct-1:o-1", account: "acct-1", payload: .orderAccepted(OrderAccepted(clientOrderId: "o-1", venueOrderId: "v-1")))

    @Test("a stream echo of committed facts is dropped; a later fill of the same order is journaled")
    func echoDroppedLaterFillKept() {
        let own = OwnFacts()
        own.remember([Self.accepted, Self.fill("o-1", trade: "t-1")])
        #expect(own.screen([Self.accepted, Self.fill("o-1", trade: "t-1")], account: "acct-1", clientOrderId: "o-1").isEmpty)
        let later = own.screen([Self.accepted, Self.fill("o-1", trade: "t-2")], account: "acct-1", clientOrderId: "o-1")
        #expect(later.map(\.id) == ["fill:sim:t-2"])
    }

    @Test("facts that arrive while the order is placed are parked, and handed back unless the order path committed them")
    func parkedWhilePlacing() async {
        let own = OwnFacts()
        own.begin(account: "acct-1", clientOrderId: "o-1")
        #expect(own.screen([Self.accepted, Self.fill("o-1", trade: "t-1")], account: "acct-1", clientOrderId: "o-1").isEmpty)
        #expect(own.screen([Self.fill("o-1", trade: "t-2")], account: "acct-1", clientOrderId: "o-1").isEmpty)
        // Another order is not parked.
        #expect(own.screen([Self.fill("o-2", trade: "t-3")], account: "acct-1", clientOrderId: "o-2").count == 1)
        // The order path committed the accepted fact and the first fill; the second fill came by stream alone.
        own.remember([Self.accepted, Self.fill("o-1", trade: "t-1")])
        #expect(own.finish(account: "acct-1", clientOrderId: "o-1").map(\.id) == ["fill:sim:t-2"])
        own.finishHandingBack()
        var handed: [[String]] = []
        for await facts in own.handedBack { handed.append(facts.map(\.id)) }
        #expect(handed == [["fill:sim:t-2"]])
        // After finish nothing is parked any more.
        #expect(own.screen([Self.fill("o-1", trade: "t-4")], account: "acct-1", clientOrderId: "o-1").count == 1)
    }

    @Test("an order path that failed hands back everything it parked")
    func failedOrderPathHandsBackAll() {
        let own = OwnFacts()
        own.begin(account: "acct-1", clientOrderId: "o-1")
        _ = own.screen([Self.accepted], account: "acct-1", clientOrderId: "o-1")
        #expect(own.finish(account: "acct-1", clientOrderId: "o-1").map(\.id) == [Self.accepted.id])
    }

    @Test("past the parking limit facts are journaled at once")
    func parkingLimit() {
        let own = OwnFacts()
        own.begin(account: "acct-1", clientOrderId: "o-1")
        let many = (0..<OwnFacts.parkedLimit).map { Self.fill("o-1", trade: "t-\($0)") }
        #expect(own.screen(many, account: "acct-1", clientOrderId: "o-1").isEmpty)
        #expect(own.screen([Self.fill("o-1", trade: "t-x")], account: "acct-1", clientOrderId: "o-1").count == 1)
    }
}
