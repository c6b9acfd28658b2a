@testable import RiskService
import Testing
import TestSupport

/// The breaker's window of venue outcomes against the filter it replaced: the same
/// outcomes, counted the same, on seeded random streams.
@Suite("the breaker's outcome window")
struct OutcomeWindowTests {
    @Test("after every outcome it holds what filtering the whole history would keep", arguments: [1, 7, 42, 2026])
    func agreesWithTheFilter(seed: UInt64) {
        var random = TestSupport.SeededRandom(seed: seed)
        let window: Int64 = 1_000, limit = 50
        var fast = OutcomeWindow()
        var naive: [(at: Int64, failed: Bool)] = []
        var now: Int64 = 0
        for step in 0..<20_000 {
            // Bursts and gaps, so both the time bound and the count bound drop outcomes.
            now += Int64.random(in: 0...(step % 3_000 < 1_500 ? 5 : 400), using: &random)
            let failed = Bool.random(using: &random)
            fast.record(failed: failed, now: now, window: window, limit: limit)
            naive.append((now, failed))
            naive.removeAll { now - $0.at > window }
            if naive.count > limit { naive.removeFirst(naive.count - limit) }
            if step % 5_000 == 4_999 {
                fast.removeAll()
                naive = []
            }
            let agree = fast.count == naive.count && fast.failures == naive.count(where: \.failed)
            #expect(agree, "step \(step): \(fast.count) outcomes, \(fast.failures) failed; the filter kept \(naive.count)")
            if !agree { return }
        }
    }

    @Test("two windows holding the same outcomes are equal, however much each has dropped")
    func equalityIgnoresDroppedOutcomes() {
        var long = OutcomeWindow(), short = OutcomeWindow()
        for at in Int64(0)..<3_000 { long.record(failed: at % 2 == 0, now: at, window: 10, limit: 100) }
        for at in Int64(2_989)..<3_000 { short.record(failed: at % 2 == 0, now: at, window: 10, limit: 100) }
        #expect(long == short)
        short.record(failed: true, now: 3_000, window: 10, limit: 100)
        #expect(long != short)
    }
}
