import BusProtocol
import Testing
import TradingModel

@testable import PersistenceWriter

@Suite("Orders, fills and reservations projected in the append transaction")
struct OrderProjectionTests {
    let dir: TemporaryDirectory
    let store: JournalStore

    init() throws {
        dir = try TemporaryDirectory()
        store = try openStore(in: dir)
    }

    private func order(_ id: String) throws -> OrderView {
        try #require(try store.order(account: Facts.account, clientOrderId: id))
    }

    private func reservation(_ id: String) throws -> ReservationRow {
        try #require(try store.reservation(account: Facts.account, clientOrderId: id))
    }

    @Test func intentAcceptedPartialFillFillGivesFilledWithExactAveragePriceAndAClosedReservation() throws {
        _ = try store.append(requests(Facts.intent("o-1", qty: "3", price: "101", reserve: "304")))
        #expect(try order("o-1").state == .pendingNew)
        #expect(try reservation("o-1") == ReservationRow(
            account: Facts.account, clientOrderId: "o-1", asset: "USDT", amount: dec("304")))

        _ = try store.append(requests(Facts.accepted("o-1")))
        #expect(try order("o-1").state == .accepted)
        #expect(try order("o-1").venueOrderId == "v-o-1")

        _ = try store.append(requests(Facts.fill("o-1", trade: "t-1", qty: "1", price: "100", fee: "0.1")))
        let partial = try order("o-1")
        #expect(partial.state == .partiallyFilled)
        #expect(partial.filledQty == dec("1"))
        #expect(partial.avgPrice == dec("100"))
        #expect(try reservation("o-1").committed == dec("100.1"))
        #expect(try reservation("o-1").state == .held)

        let last = try store.append(requests(Facts.fill("o-1", trade: "t-2", qty: "2", price: "101", fee: "0.2")))
        #expect(last == [.committed(seqs: [4])])
        let filled = try order("o-1")
        #expect(filled.state == .filled)
        #expect(filled.filledQty == dec("3"))
        // 302 / 3, half-even at 12 fraction digits.
        #expect(filled.avgPrice == dec("100.666666666667"))
        let closed = try reservation("o-1")
        #expect(closed.state == .closed)
        #expect(closed.committed == dec("302.3"))
        #expect(closed.released == dec("1.7"))
        #expect(closed.remaining == .zero)
    }

    @Test func aCancelAfterAPartialFillReleasesTheRest() throws {
        _ = try store.append(requests(
            Facts.intent("o-1"), Facts.accepted("o-1"),
            Facts.fill("o-1", trade: "t-1", qty: "1", price: "101"),
            Facts.closed("o-1", .canceled, reason: "user")))
        let canceled = try order("o-1")
        #expect(canceled.state == .canceled)
        #expect(canceled.reason == "user")
        #expect(canceled.filledQty == dec("1"))
        #expect(try reservation("o-1") == ReservationRow(
            account: Facts.account, clientOrderId: "o-1", asset: "USDT", amount: dec("304"),
            committed: dec("101"), released: dec("203"), state: .closed))
    }

    @Test(arguments: [OrderState.rejected, .expired])
    func aTerminalCloseReleasesEverything(state: OrderState) throws {
        _ = try store.append(requests(Facts.intent("o-1"), Facts.closed("o-1", state, reason: "venue says no")))
        #expect(try order("o-1").state == state)
        #expect(try reservation("o-1").released == dec("304"))
        #expect(try reservation("o-1").state == .closed)
    }

    @Test func unknownKeepsTheReservationHeldAndResolvesLater() throws {
        _ = try store.append(requests(Facts.intent("o-1"), Facts.closed("o-1", .unknown, reason: "timeout")))
        #expect(try order("o-1").state == .unknown)
        #expect(try reservation("o-1").state == .held)
        _ = try store.append(requests(Facts.accepted("o-1")))
        #expect(try order("o-1").state == .accepted)
    }

    @Test func aLateFillAfterACancelIsJournaledAndCompletesTheOrder() throws {
        _ = try store.append(requests(Facts.intent("o-1", qty: "3", reserve: "304"), Facts.closed("o-1", .canceled)))
        #expect(try reservation("o-1").released == dec("304"))
        let outcome = try store.append(requests(Facts.fill("o-1", trade: "t-1", qty: "3", price: "100")))
        #expect(outcome == [.committed(seqs: [3])])
        #expect(try order("o-1").state == .filled)
        #expect(try order("o-1").filledQty == dec("3"))
        #expect(try store.fills(sinceSeq: 0, limit: 10).map(\.fill.tradeId) == ["t-1"])
        // The closed reservation takes back what it released: 300 committed, 4 released.
        let held = try reservation("o-1")
        #expect(held.state == .closed && held.committed == dec("300") && held.released == dec("4") && held.overrun == .zero)
    }

    @Test func aLatePartialFillAfterACancelKeepsTheOrderCanceledWithItsFill() throws {
        _ = try store.append(requests(Facts.intent("o-1", qty: "3"), Facts.closed("o-1", .canceled)))
        let outcome = try store.append(requests(Facts.fill("o-1", trade: "t-1", qty: "1", price: "100")))
        #expect(outcome == [.committed(seqs: [3])])
        #expect(try order("o-1").state == .canceled)
        #expect(try order("o-1").filledQty == dec("1"))
        #expect(try order("o-1").avgPrice == dec("100"))
    }

    @Test func aSecondCancelUnderAnotherFactIdIsRefused() throws {
        _ = try store.append(requests(Facts.intent("o-1"), Facts.closed("o-1", .canceled)))
        let again = try store.append(requests(Facts.closed("o-1", .canceled, id: "cancel-again")))
        #expect(again.first?.error?.reason == "illegal_transition")
    }

    @Test func aLateAcceptKeepsAStateThatIsAlreadyFurther() throws {
        _ = try store.append(requests(
            Facts.intent("o-1"), Facts.fill("o-1", trade: "t-1", qty: "1", price: "100"), Facts.accepted("o-1")))
        #expect(try order("o-1").state == .partiallyFilled)
        #expect(try order("o-1").venueOrderId == "v-o-1")
    }

    @Test func aContradictingVenueOrderIdIsRefused() throws {
        _ = try store.append(requests(Facts.intent("o-1"), Facts.accepted("o-1")))
        let outcome = try store.append(requests(Facts.accepted("o-1", id: "ack-2", venueOrderId: "other")))
        #expect(outcome.first?.error?.reason == "venue_order_id_mismatch")
    }

    @Test func anOverfillIsJournaledAndNotedWithoutChangingTheOrderedQuantities() throws {
        _ = try store.append(requests(Facts.intent("o-1", qty: "3", reserve: "1000"), Facts.accepted("o-1")))
        let outcome = try store.append(requests(Facts.fill("o-1", trade: "t-1", qty: "4", price: "100")))
        #expect(outcome == [.committed(seqs: [3])])
        #expect(try order("o-1").state == .accepted)
        #expect(try order("o-1").filledQty == .zero)
        #expect(try order("o-1").reason?.hasPrefix("overfill") == true)
        #expect(try store.fills(sinceSeq: 0, limit: 10).count == 1)
        #expect(try reservation("o-1").committed == dec("400"))
    }

    @Test func aFillCostingMoreThanTheReservationIsRecordedAsAnOverrun() throws {
        _ = try store.append(requests(Facts.intent("o-1", qty: "3", reserve: "250"), Facts.accepted("o-1")))
        let outcome = try store.append(requests(Facts.fill("o-1", trade: "t-1", qty: "3", price: "100")))
        #expect(outcome == [.committed(seqs: [3])])
        let held = try reservation("o-1")
        #expect(held.committed == dec("250") && held.overrun == dec("50") && held.remaining == .zero)
        #expect(held.state == .closed)
        #expect(try order("o-1").state == .filled)
    }

    @Test func theSameTradeIdAtTwoVenuesIsTwoFillsAndAtOneVenueIsADuplicate() throws {
        _ = try store.append(requests(Facts.intent("o-1", qty: "3", reserve: "1000")))
        let first = try store.append(requests(
            Facts.fill("o-1", trade: "t-1", id: FillRecorded.factId(venue: "a", tradeId: "t-1"), qty: "1", price: "100"),
            Facts.fill("o-1", trade: "t-1", id: FillRecorded.factId(venue: "b", tradeId: "t-1"), qty: "1", price: "100")))
        #expect(first == [.committed(seqs: [2]), .committed(seqs: [3])])
        let again = try store.append(requests(
            Facts.fill("o-1", trade: "t-1", id: "fill-a-t-1-other-id", qty: "1", price: "100")))
        // The id has no venue: it is its own namespace (""), not a duplicate of a or b.
        #expect(again == [.committed(seqs: [4])])
        let resend = try store.append(requests(
            Facts.fill("o-1", trade: "t-1", id: "fill:b:t-1", qty: "1", price: "100")))
        #expect(resend == [.duplicate(seqs: [3])])
        #expect(try store.fills(sinceSeq: 0, limit: 10).map(\.venue) == ["a", "b", ""])
        #expect(try order("o-1").filledQty == dec("3"))
    }

    @Test func aFillOfTheWrongSideOrSymbolIsRefused() throws {
        _ = try store.append(requests(Facts.intent("o-1"), Facts.accepted("o-1")))
        let outcome = try store.append(requests(Facts.fill("o-1", trade: "t-1", side: .sell, qty: "1", price: "100")))
        #expect(outcome.first?.error?.reason == "fill_mismatch")
    }

    @Test func aSellConsumesQuantityOfTheBaseAsset() throws {
        _ = try store.append(requests(
            Facts.intent("o-1", side: .sell, qty: "2", reserveAsset: "BTC", reserve: "2"),
            Facts.fill("o-1", trade: "t-1", side: .sell, qty: "2", price: "100", fee: "0.2", feeAsset: "USDT")))
        #expect(try order("o-1").state == .filled)
        #expect(try reservation("o-1") == ReservationRow(
            account: Facts.account, clientOrderId: "o-1", asset: "BTC", amount: dec("2"),
            committed: dec("2"), released: .zero, state: .closed))
    }

    @Test func aFillOfAnUnseenOrderIsRecordedAndFoldedWhenItsIntentArrives() throws {
        let orphan = try store.append(requests(Facts.fill("o-ext", trade: "t-1", qty: "1", price: "100")))
        #expect(orphan == [.committed(seqs: [1])])
        #expect(try store.order(account: Facts.account, clientOrderId: "o-ext") == nil)
        #expect(try store.fills(sinceSeq: 1, limit: 10).map(\.account) == [Facts.account])

        _ = try store.append(requests(Facts.intent("o-ext", qty: "3")))
        let adopted = try order("o-ext")
        #expect(adopted.state == .partiallyFilled)
        #expect(adopted.filledQty == dec("1"))
        #expect(adopted.avgPrice == dec("100"))
        #expect(adopted.venueOrderId == "v-o-ext")
        #expect(try reservation("o-ext").committed == dec("100"))
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func ordersFilterByState() throws {
        _ = try store.append(requests(
            Facts.intent("o-1"), Facts.intent("o-2"), Facts.accepted("o-2"), Facts.intent("o-3"),
            Facts.closed("o-3", .rejected)))
        #expect(try store.orders(account: Facts.account, state: nil).map(\.clientOrderId) == ["o-1", "o-2", "o-3"])
        #expect(try store.orders(account: Facts.account, state: .accepted).map(\.clientOrderId) == ["o-2"])
        #expect(try store.orders(account: Facts.account, state: .filled).isEmpty)
        #expect(try store.orders(account: "nobody", state: nil).isEmpty)
    }
}
