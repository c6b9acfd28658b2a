import Foundation
import BusProtocol
import Testing
import TradingModel
import VenueKit
@testable import Reconciler

/// The reconciler's fold keeps working orders for ever and what ended only for its recent
/// window, so its memory follows the open book, not the journal's length.
@Suite("journal view window")
struct JournalViewTests {
    static let second: Int64 = 1_000_000_000

    private struct Journal {
        var view = JournalView(recentWindow: .seconds(10))
        var seq: Int64 = 0

        mutating func apply(_ payload: FactPayload, at ts: Int64) {
            seq += 1
            view.apply(JournalRecord(seq: seq, fact: Fact(id: "f-\(seq)", account: "acct-1", payload: payload), partition: nil, epoch: nil, ts: ts))
        }

        mutating func intent(_ id: String, at ts: Int64) {
            apply(.orderIntent(OrderIntent(
                clientOrderId: id, symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!, price: nil,
                timeInForce: .gtc, reserveAsset: "USDT", reserveAmount: ExactDecimal("501")!)), at: ts)
        }

        mutating func fill(_ id: String, trade: String, at ts: Int64) {
            apply(.fillRecorded(FillRecorded(
                clientOrderId: id, venueOrderId: "V-\(id)", tradeId: trade, symbol: "BTC/USDT", side: .buy, qty: ExactDecimal("0.01")!,
                price: ExactDecimal("50000")!, fee: .zero, feeAsset: "USDT", ts: ts)), at: ts)
        }
    }

    @Test("an ended order and its trade id are kept for the window, a working one for ever")
    func endedOrdersAreForgotten() {
        var journal = Journal()
        journal.intent("filled", at: 0)
        journal.fill("filled", trade: "T1", at: 1 * Self.second)
        journal.intent("working", at: 1 * Self.second)
        #expect(journal.view.order(account: "acct-1", clientOrderId: "filled")?.state == .filled)
        #expect(journal.view.hasRecentFill("T1"))
        // A later fact past the window: the ended order and its trade id are forgotten.
        journal.intent("later", at: 12 * Self.second)
        #expect(!journal.view.knows(account: "acct-1", clientOrderId: "filled") && !journal.view.hasRecentFill("T1"))
        #expect(journal.view.order(account: "acct-1", clientOrderId: "working")?.state == .pendingNew)
        // The position is not part of the window.
        #expect(journal.view.positions["acct-1"]?["BTC/USDT"]?.qty == ExactDecimal("0.01")!)
        // Expiry by the reconciler's clock too (no new fact needed); working orders stay.
        var view = journal.view
        view.expire(now: 1_000 * Self.second)
        #expect(view.orders(account: "acct-1", in: Set(OrderState.allCases)).map(\.clientOrderId) == ["working", "later"])
    }

    @Test("a reopened order is working again and not forgotten; closed again, its window starts anew")
    func reopenedOrderIsWorking() {
        var journal = Journal()
        journal.intent("late", at: 0)
        journal.apply(.orderClosed(OrderClosed(clientOrderId: "late", state: .rejected, reason: OrderReopened.reopenableReason)), at: 1 * Self.second)
        let reopened = OrderReopened(
            clientOrderId: "late", symbol: "BTC/USDT", venueStatus: "new", side: .buy, qty: ExactDecimal("0.01")!, reserveAsset: "USDT",
            reserveAmount: ExactDecimal("501")!)
        journal.apply(.reconciliation(.orderReopened(reopened)), at: 5 * Self.second)
        journal.intent("other", at: 100 * Self.second)
        #expect(journal.view.order(account: "acct-1", clientOrderId: "late")?.state == .unknown)
        journal.fill("late", trade: "T9", at: 101 * Self.second)
        journal.intent("next", at: 110 * Self.second)
        #expect(journal.view.order(account: "acct-1", clientOrderId: "late")?.state == .filled)
        journal.intent("last", at: 112 * Self.second)
        #expect(!journal.view.knows(account: "acct-1", clientOrderId: "late"))
    }

    @Test("an order read back from the writer is remembered as the journal has it; a folded one is not replaced")
    func remembersWriterOrders() {
        var journal = Journal()
        journal.intent("folded", at: 0)
        var view = journal.view
        let old = OrderView(
            clientOrderId: "old", account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!,
            state: .rejected, reason: OrderReopened.reopenableReason)
        view.remember(old)
        #expect(view.order(account: "acct-1", clientOrderId: "old")?.reason == OrderReopened.reopenableReason)
        var other = old
        other.clientOrderId = "folded"
        other.state = .canceled
        view.remember(other)
        #expect(view.order(account: "acct-1", clientOrderId: "folded")?.state == .pendingNew)
    }

    @Test("the fills watermark folds to the highest journaled seq per trade series, per account; a fact without a series is the venue's one series")
    func fillsWatermark() throws {
        var journal = Journal()
        var at: Int64 = 0
        for (seq, series): (Int64, String?) in [(7, nil), (12, nil), (9, nil), (500, "BTC/USDT"), (40, "ETH/USDT"), (450, "BTC/USDT")] {
            at += 1
            journal.apply(.reconciliation(.fillsChecked(FillsChecked(tradeSeq: seq, series: series))), at: at)
        }
        #expect(journal.view.fillsChecked == ["acct-1": TradeCursor(["": 12, "BTC/USDT": 500, "ETH/USDT": 40])])
        #expect(FillsChecked.fact(account: "acct-1", tradeSeq: 12).id == "fills_checked:acct-1:12")
        #expect(FillsChecked.fact(account: "acct-1", tradeSeq: 40, series: "ETH/USDT").id == "fills_checked:acct-1:ETH/USDT:40")
        // A fact journaled before series existed reads as the one series.
        let old = try JSONDecoder().decode(FillsChecked.self, from: Data(#"{"trade_seq":5}"#.utf8))
        #expect(old == FillsChecked(tradeSeq: 5) && old.series == nil)
        #expect(String(decoding: try JSONEncoder().encode(FillsChecked(tradeSeq: 5, series: "")), as: UTF8.self) == #"{"trade_seq":5}"#)
    }
}
