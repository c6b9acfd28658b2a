import BusProtocol
import Foundation
import RiskService
import Testing
import TradingModel

/// A fact the books cannot cover is an operating condition: folded, the account marked
/// divergent and halted (`ledger_divergence`), the others trading on; never a crash.
@Suite("ledger divergence")
struct LedgerDivergenceTests {
    static let balances: [String: [String: ExactDecimal]] = ["acct-1": ["USDT": dec("100000")], "acct-2": ["USDT": dec("100000")]]

    @Test("a fill the books cannot cover is folded, trips the account's breaker, and only that account is refused")
    func anUncoveredFillHaltsOnlyItsAccount() async throws {
        let h = await Harness(Fixtures.configuration(Self.balances))
        // An order placed by hand at the venue: 10 BTC at 50000 is five times the balance.
        await h.fill("by-hand", side: .buy, qty: "10", price: "50000")
        let fold = await h.engine.currentFold()
        let account = try #require(fold.ledger.accounts["acct-1"])
        #expect(account.totals["USDT"] == dec("100000") - dec("500000") - dec("500"))  // folded as the venue did it
        #expect(account.totals["BTC"] == dec("10"))
        let divergence = try #require(account.divergence)
        #expect(divergence.asset == "USDT" && divergence.detail.contains("by-hand"))
        #expect(fold.breakers["acct-1"]?.state == .open && fold.breakers["acct-1"]?.reason == "ledger_divergence")
        #expect(h.journal.contains { if case .breakerTransition(let t) = $0.fact.payload { t.reason == "ledger_divergence" } else { false } })
        #expect(fold.view(account: "acct-1").divergence == divergence.detail)

        do {
            try await h.authorize(Fixtures.order("after", qty: "0.01"))
            Issue.record("a divergent account's order was approved")
        } catch {
            #expect(error.code == .breakerOpen && error.reason == "ledger_divergence")
        }
        // Even after the breaker is reset by hand, the books still do not cover: still refused.
        _ = try await h.reset("acct-1")
        await #expect(throws: ServiceError.self) { try await h.authorize(Fixtures.order("after-reset", qty: "0.01")) }
        try await h.authorize(Fixtures.order("other", account: "acct-2", qty: "0.01"))
        // A fresh fold of the same journal rebuilds the same divergence.
        #expect(h.replay().ledger.accounts["acct-1"]?.divergence == divergence)
    }

    @Test("a replayed intent that does not fit is recorded, not dropped, and going live trips the breaker")
    func aReplayedReservationThatDoesNotFitIsKept() async throws {
        let engine = RiskEngine(configuration: Fixtures.configuration(Self.balances), clock: { 1 }, gauges: { _ in })
        let intent = OrderIntent(
            clientOrderId: "big", symbol: "BTC/USDT", side: .buy, type: .limit, qty: dec("3"), price: dec("50000"),
            timeInForce: .gtc, reserveAsset: "USDT", reserveAmount: dec("150150"))
        let replayed = await engine.apply(JournalRecord(seq: 1, fact: Fact(id: "intent:acct-1:big", account: "acct-1", payload: .orderIntent(intent)), partition: nil, epoch: nil, ts: 1))
        #expect(replayed.isEmpty)  // replaying trips nothing
        let account = try #require(await engine.currentFold().ledger.accounts["acct-1"])
        #expect(account.reservations["big"]?.remaining == dec("150150"))
        #expect(account.reserved["USDT"] == dec("150150"))
        #expect(account.divergence?.asset == "USDT")
        let trips = await engine.goLive()  // DRAINING: the big order is still in flight
        #expect(trips.count == 1)
        #expect(trips.first.map { if case .breakerTransition(let t) = $0.payload { t.reason == "ledger_divergence" && t.to == .draining } else { false } } == true)
        // Closing the order releases it; the account stays halted until the venue's balances are adopted.
        _ = await engine.apply(JournalRecord(seq: 2, fact: Fact(id: "canceled:big", account: "acct-1", payload: .orderClosed(OrderClosed(clientOrderId: "big", state: .canceled, reason: nil))), partition: nil, epoch: nil, ts: 2))
        #expect(await engine.currentFold().ledger.accounts["acct-1"]?.reserved["USDT"] == .zero)
        #expect(await engine.divergentAccounts()["acct-1"] != nil)
    }

    @Test("adopting the venue's balances gives the venue's totals, keeps what is reserved, and clears a divergence they cover")
    func adoptionClearsACoveredDivergence() async throws {
        let h = await Harness(Fixtures.configuration(Self.balances))
        try await h.authorize(Fixtures.order("resting", qty: "0.1", price: "50000"))
        await h.fill("by-hand", side: .buy, qty: "10", price: "50000")
        #expect(await h.engine.divergentAccounts()["acct-1"] != nil)
        for (asset, total) in [("USDT", "20000"), ("BTC", "10")] {
            let body = BalanceAdopted(asset: asset, venueTotal: dec(total), ledgerTotal: .zero, ledgerSeq: 1, reason: "ledger_divergence")
            await h.commit([Fact(id: "balance:acct-1:\(asset)", account: "acct-1", payload: .reconciliation(.balanceAdopted(body)))])
        }
        let account = try #require(await h.engine.currentFold().ledger.accounts["acct-1"])
        #expect(account.totals["USDT"] == dec("20000") && account.totals["BTC"] == dec("10"))
        #expect(account.reserved["USDT"] == dec("5005"))  // the resting order's hold is still held
        #expect(account.divergence == nil)
        #expect(await h.identityHolds())
        // A venue total below what is reserved is itself a divergence.
        let short = BalanceAdopted(asset: "USDT", venueTotal: dec("100"), ledgerTotal: .zero, ledgerSeq: 2, reason: "confirmed_mismatch")
        await h.commit([Fact(id: "balance:acct-1:USDT:short", account: "acct-1", payload: .reconciliation(.balanceAdopted(short)))])
        #expect(await h.engine.divergentAccounts()["acct-1"]?.asset == "USDT")
    }
}
