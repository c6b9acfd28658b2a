import BusProtocol
import Synchronization
import Testing
import TradingModel
@testable import Reconciler

/// The stale-position monitor (C6) under an injected clock.
@Suite("stale positions")
struct StaleMonitorTests {
    private final class FakeClock: Sendable {
        let nanos = Atomic<Int64>(0)
    }

    private func fill(_ tradeId: String, side: Side, qty: String, ts: Int64, seq: Int64) -> JournalRecord {
        let body = FillRecorded(
            clientOrderId: "o-\(tradeId)", venueOrderId: "V\(tradeId)", tradeId: tradeId, symbol: "BTC/USDT", side: side,
            qty: ExactDecimal(qty)!, price: ExactDecimal("50000")!, fee: .zero, feeAsset: "USDT", ts: ts)
        return JournalRecord(seq: seq, fact: Fact(id: "fill:paper:\(tradeId)", account: "acct-1", payload: .fillRecorded(body)), partition: nil, epoch: nil, ts: ts)
    }

    @Test("a position is due only after max_hold_seconds, once per episode, with a deterministic reduce-only close")
    func dueAfterMaxHold() {
        let clock = FakeClock()
        let monitor = StaleMonitor(maxHoldSeconds: 60) { clock.nanos.load(ordering: .relaxed) }
        var view = JournalView()
        view.apply(fill("T1", side: .buy, qty: "0.5", ts: 1_000_000_000, seq: 1))
        clock.nanos.store(60_000_000_000, ordering: .relaxed)
        #expect(monitor.due(in: view).isEmpty)
        clock.nanos.store(61_000_000_001, ordering: .relaxed)
        let due = monitor.due(in: view)
        #expect(due == [.init(account: "acct-1", symbol: "BTC/USDT", side: .sell, qty: ExactDecimal("0.5")!, clientOrderId: "fc:acct-1:BTC-USDT:T1", openedTs: 1_000_000_000)])
        // Journaled as force-closed: not due again.
        let closed = PositionForceClosed(symbol: "BTC/USDT", side: .sell, qty: ExactDecimal("0.5")!, clientOrderId: "fc:acct-1:BTC-USDT:T1", openedTs: 1_000_000_000, maxHoldSeconds: 60)
        view.apply(JournalRecord(seq: 2, fact: Fact(id: "force_closed:acct-1:x", account: "acct-1", payload: .reconciliation(.positionForceClosed(closed))), partition: nil, epoch: nil, ts: 0))
        #expect(monitor.due(in: view).isEmpty)
    }

    @Test("a flat position is never due; a new episode gets a new id")
    func flatAndNewEpisode() {
        let clock = FakeClock()
        clock.nanos.store(1_000_000_000_000, ordering: .relaxed)
        let monitor = StaleMonitor(maxHoldSeconds: 1) { clock.nanos.load(ordering: .relaxed) }
        var view = JournalView()
        view.apply(fill("T1", side: .buy, qty: "0.5", ts: 1, seq: 1))
        view.apply(fill("T2", side: .sell, qty: "0.5", ts: 2, seq: 2))
        #expect(monitor.due(in: view).isEmpty)
        view.apply(fill("T3", side: .sell, qty: "0.2", ts: 3, seq: 3))
        #expect(monitor.due(in: view).map(\.clientOrderId) == ["fc:acct-1:BTC-USDT:T3"])
        #expect(monitor.due(in: view).first?.side == .buy)
    }

    @Test("a replayed fill is folded once")
    func replayedFillFoldsOnce() {
        var view = JournalView()
        view.apply(fill("T1", side: .buy, qty: "0.5", ts: 1, seq: 1))
        view.apply(fill("T1", side: .buy, qty: "0.5", ts: 1, seq: 2))
        #expect(view.positions["acct-1"]?["BTC/USDT"]?.qty == ExactDecimal("0.5")!)
    }

    @Test("each close attempt has its own id, and every one names its episode; the backoff doubles")
    func attemptIds() {
        let episode = StaleMonitor.clientOrderId(account: "acct-1", symbol: "BTC/USDT", openingTradeId: "T9")
        #expect(StaleMonitor.clientOrderId(episode: episode, attempt: 1) == episode)
        let ids = (1...StaleMonitor.maxCloseAttempts).map { StaleMonitor.clientOrderId(episode: episode, attempt: $0) }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { StaleMonitor.episode(ofClose: $0) == episode && OrderValidator.isValidClientOrderId($0) })
        #expect((1...4).map { StaleMonitor.backoffNanos(afterAttempts: $0) } == [1, 2, 4, 8].map { Int64($0) * 1_000_000_000 })
    }
}
