import BusProtocol
import Testing
import TradingModel

@testable import PersistenceWriter

/// `order.reopened`: the venue has an order the journal closed `not_at_venue` (issue 12 item 4b).
@Suite("An order the venue has after the journal gave up on it")
struct ReopenedOrderTests {
    let dir: TemporaryDirectory
    let store: JournalStore

    init() throws {
        dir = try TemporaryDirectory()
        store = try openStore(in: dir)
    }

    static func reopened(_ clientOrderId: String, reserve: String = "304") -> Fact {
        Fact(
            id: "reopened:\(clientOrderId)", account: Facts.account,
            payload: .reconciliation(.orderReopened(OrderReopened(
                clientOrderId: clientOrderId, symbol: "BTC/USDT", venueStatus: "new", side: .buy, qty: dec("3"), reserveAsset: "USDT",
                reserveAmount: dec(reserve)))))
    }

    private func order(_ id: String) throws -> OrderView {
        try #require(try store.order(account: Facts.account, clientOrderId: id))
    }

    @Test func aNotAtVenueOrderIsReopenedWithItsCostHeldAgainAndTheVenuesAnswerThenFolds() throws {
        _ = try store.append(requests(Facts.intent("o-1", reserve: "304"), Facts.closed("o-1", .rejected, reason: "not_at_venue")))
        #expect(try store.reservation(account: Facts.account, clientOrderId: "o-1")?.state == .closed)
        // The venue's ack alone is refused while the order is closed: that is what reopening is for.
        #expect(try store.append(requests(Facts.accepted("o-1"))).first?.error?.reason == "illegal_transition")

        #expect(try store.append(requests(Self.reopened("o-1", reserve: "310"))) == [.committed(seqs: [3])])
        #expect(try order("o-1").state == .unknown)
        let held = try #require(try store.reservation(account: Facts.account, clientOrderId: "o-1"))
        #expect(held.state == .held && held.remaining == dec("310") && held.released == dec("304"))

        _ = try store.append(requests(Facts.accepted("o-1"), Facts.fill("o-1", trade: "t-1", qty: "3", price: "100")))
        #expect(try order("o-1").state == .filled)
        let closed = try #require(try store.reservation(account: Facts.account, clientOrderId: "o-1"))
        #expect(closed.state == .closed && closed.committed == dec("300") && closed.remaining == .zero)
    }

    @Test(arguments: [(OrderState.rejected, "venue_fault"), (.canceled, "canceled_by_user"), (.expired, "ioc")])
    func onlyTheJournalsOwnGiveUpCanBeReopened(state: OrderState, reason: String) throws {
        _ = try store.append(requests(Facts.intent("o-1"), Facts.closed("o-1", state, reason: reason)))
        let outcome = try store.append(requests(Self.reopened("o-1")))
        #expect(outcome.first?.error?.code == .invalidRequest && outcome.first?.error?.reason == "not_reopenable")
        #expect(try order("o-1").state == state)
    }

    @Test func aWorkingOrderCannotBeReopened() throws {
        _ = try store.append(requests(Facts.intent("o-1"), Facts.accepted("o-1")))
        #expect(try store.append(requests(Self.reopened("o-1"))).first?.error?.reason == "not_reopenable")
    }

    @Test func aReopeningWithAQuantityThatIsNotPositiveIsRefused() throws {
        _ = try store.append(requests(Facts.intent("o-1"), Facts.closed("o-1", .rejected, reason: "not_at_venue")))
        var fact = Self.reopened("o-1")
        fact.payload = .reconciliation(.orderReopened(OrderReopened(
            clientOrderId: "o-1", symbol: "BTC/USDT", venueStatus: "new", side: .buy, qty: .zero, reserveAsset: "USDT", reserveAmount: dec("1"))))
        #expect(try store.append(requests(fact)).first?.error?.reason == "qty_not_positive")
        var negative = Self.reopened("o-1", reserve: "-1")
        negative.id = "reopened-negative"
        #expect(try store.append(requests(negative)).first?.error?.reason == "reserve_amount_negative")
        #expect(try order("o-1").state == .rejected)
    }
}
