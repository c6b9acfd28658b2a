import Testing
import TradingModel
@testable import Reconciler

private func dec(_ text: String) -> ExactDecimal { ExactDecimal(text)! }

/// Each resolution strategy (C5) on a constructed conflict: journal long 1, venue long 3,
/// both last agreed at 1.5, the venue changed last. Every resolution first moves the
/// journal to the venue (+2), then at most one order moves both to the target.
@Suite("position resolution strategies")
struct PositionResolverTests {
    private let conflict = PositionResolver.Conflict(
        journal: dec("1"), venue: dec("3"), lastAgreed: dec("1.5"), journalUpdatedTs: 100, venueUpdatedTs: 200)

    @Test("venue_wins: the journal takes the venue's quantity, no order")
    func venueWins() {
        let resolution = PositionResolver.resolve(conflict, strategy: .venueWins)
        #expect(resolution == .init(target: dec("3"), journalAdjustment: dec("2"), venueOrder: nil))
    }

    @Test("journal_wins: a reduce-only sell brings the venue down to the journal")
    func journalWins() {
        let resolution = PositionResolver.resolve(conflict, strategy: .journalWins)
        #expect(resolution == .init(target: dec("1"), journalAdjustment: dec("2"), venueOrder: .init(side: .sell, qty: dec("2"), reduceOnly: true)))
    }

    @Test("merge: both sides' changes since they agreed count (1.5 − 0.5 + 1.5 = 2.5); unknown agreement keeps the venue's")
    func merge() {
        let resolution = PositionResolver.resolve(conflict, strategy: .merge)
        #expect(resolution == .init(target: dec("2.5"), journalAdjustment: dec("2"), venueOrder: .init(side: .sell, qty: dec("0.5"), reduceOnly: true)))
        var unknown = conflict
        unknown.lastAgreed = nil
        #expect(PositionResolver.resolve(unknown, strategy: .merge) == .init(target: dec("3"), journalAdjustment: dec("2"), venueOrder: nil))
    }

    @Test("every strategy converges: after its adjustment and its order's fills both sides are at the target, and nothing more is sent", arguments: ResolutionStrategy.allCases)
    func converges(strategy: ResolutionStrategy) {
        let resolution = PositionResolver.resolve(conflict, strategy: strategy)
        let moved = resolution.venueOrder.map { $0.side == .buy ? $0.qty : -$0.qty } ?? .zero
        let journalAfter = conflict.journal + resolution.journalAdjustment + moved
        let venueAfter = conflict.venue + moved
        #expect(journalAfter == venueAfter && venueAfter == resolution.target)
        let next = PositionResolver.resolve(.init(journal: journalAfter, venue: venueAfter), strategy: strategy)
        #expect(next.journalAdjustment.isZero && (next.venueOrder == nil || strategy == .flatten && venueAfter.isZero == false))
    }

    @Test("most_recent: the side that changed last wins")
    func mostRecent() {
        #expect(PositionResolver.resolve(conflict, strategy: .mostRecent).target == dec("3"))
        var older = conflict
        older.venueUpdatedTs = 50
        #expect(PositionResolver.resolve(older, strategy: .mostRecent).target == dec("1"))
    }

    @Test("flatten: the journal learns the venue's quantity, the venue is closed to zero")
    func flatten() {
        let resolution = PositionResolver.resolve(conflict, strategy: .flatten)
        #expect(resolution == .init(target: .zero, journalAdjustment: dec("2"), venueOrder: .init(side: .sell, qty: dec("3"), reduceOnly: true)))
        let short = PositionResolver.Conflict(journal: .zero, venue: dec("-2"))
        #expect(PositionResolver.resolve(short, strategy: .flatten).venueOrder == .init(side: .buy, qty: dec("2"), reduceOnly: true))
    }

    @Test("crossing through zero is not reduce-only")
    func crossingIsNotReduceOnly() {
        let crossing = PositionResolver.Conflict(journal: dec("-1"), venue: dec("2"))
        #expect(PositionResolver.resolve(crossing, strategy: .journalWins).venueOrder == .init(side: .sell, qty: dec("3"), reduceOnly: false))
    }

    @Test("every strategy name parses from configuration", arguments: ["venue_wins", "journal_wins", "merge", "most_recent", "flatten"])
    func strategyNames(name: String) {
        #expect(ResolutionStrategy(rawValue: name)?.rawValue == name)
    }
}
