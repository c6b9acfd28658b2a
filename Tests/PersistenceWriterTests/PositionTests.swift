import Testing
import TradingModel

@testable import PersistenceWriter

@Suite("Positions folded from venue fills")
struct PositionTests {
    @Test func buysAverageSellsRealizeAndAFlipOpensTheOtherWay() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let fills: [(Side, String, String)] = [(.buy, "2", "100"), (.buy, "1", "130"), (.sell, "1", "120"), (.sell, "3", "100"), (.buy, "1", "90")]
        let facts = fills.enumerated().map { index, fill in
            Facts.fill("o-\(index)", trade: "t-\(index)", side: fill.0, qty: fill.1, price: fill.2)
        }
        var states: [PositionRow] = []
        for fact in facts {
            #expect(try store.append(requests(fact)).first?.seqs.isEmpty == false)
            states.append(try #require(try store.positions(account: Facts.account).first))
        }
        #expect(states.map(\.qty) == [dec("2"), dec("3"), dec("2"), dec("-1"), .zero])
        #expect(states.map(\.avgPrice) == [dec("100"), dec("110"), dec("110"), dec("100"), nil])
        #expect(states.map(\.realizedPnl) == [.zero, .zero, dec("10"), dec("-10"), .zero])
        #expect(states.map { $0.openedTs != nil } == [true, true, true, true, false])
        #expect(states.allSatisfy { $0.symbol == "BTC/USDT" })
    }

    @Test func aRejectedFillDoesNotMoveThePosition() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        _ = try store.append(requests(Facts.intent("o-1"), Facts.fill("o-1", trade: "t-1", qty: "1", price: "100")))
        let outcome = try store.append(requests(Facts.fill("o-1", trade: "t-2", side: .sell, qty: "1", price: "100")))
        #expect(outcome.first?.error?.reason == "fill_mismatch")
        #expect(try store.positions(account: Facts.account).map(\.qty) == [dec("1")])
    }
}
