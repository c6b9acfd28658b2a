import GRDB
import Testing
import TradingModel

@testable import PersistenceWriter

@Suite("Breaker and governor state projected for inspection")
struct RiskStateProjectionTests {
    static func breaker(_ scope: String, _ number: Int64, _ from: BreakerTransition.State, _ to: BreakerTransition.State, _ reason: String) -> Fact {
        Fact(id: BreakerTransition.factId(scope: scope, number: number), account: scope,
             payload: .breakerTransition(BreakerTransition(number: number, from: from, to: to, reason: reason, at: 1_000 + number)))
    }

    @Test func theLatestTransitionOfEachScopeIsItsRow() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let governor = Fact(id: GovernorTransition.factId(account: Facts.account, number: 1), account: Facts.account,
                            payload: .governorTransition(GovernorTransition(number: 1, from: .normal, to: .softBrake, reason: "drawdown", drawdown: dec("0.105"), at: 7)))
        let outcomes = try store.append(requests(
            Self.breaker(Facts.account, 1, .closed, .open, "manual"),
            Self.breaker(BreakerTransition.globalScope, 1, .closed, .draining, "stale_market_data"),
            governor,
            Self.breaker(Facts.account, 2, .open, .halfOpen, "cool_down_over")))
        #expect(outcomes.allSatisfy { $0.error == nil })
        let breakers = try store.dbQueue.read { db in
            try Row.fetchAll(db, sql: "SELECT account, state, reason, changed_ts FROM breaker_state ORDER BY account")
                .map { "\($0["account"] as String) \($0["state"] as String) \($0["reason"] as String) \($0["changed_ts"] as Int64)" }
        }
        #expect(breakers == ["* draining stale_market_data 1001", "\(Facts.account) half_open cool_down_over 1002"])
        let level = try store.dbQueue.read { db in
            try Row.fetchOne(db, sql: "SELECT level, drawdown, updated_seq FROM governor_state WHERE account = ?", arguments: [Facts.account])
        }
        #expect(level?["level"] as String? == "soft_brake")
        #expect(level?["drawdown"] as String? == "0.105")
        #expect(level?["updated_seq"] as Int64? == 3)
    }

    @Test func equityMarksAreJournaledAndABadOneIsRejected() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        func mark(_ open: String, _ high: String, at: Int64) -> Fact {
            Fact(id: EquityMark.factId(account: Facts.account, at: at), account: Facts.account,
                 payload: .equityMark(EquityMark(day: 20_000, open: dec(open), high: dec(high), initialCapital: dec("100000"), at: at)))
        }
        let outcomes = try store.append(requests(mark("100000", "100500", at: 1_728_000_000_000_000_000), mark("100", "99", at: 2)))
        #expect(outcomes[0] == .committed(seqs: [1]))
        #expect(outcomes[1].error?.reason == "bad_equity_mark")
        #expect(try store.readJournal(fromSeq: 1, limit: 10).map(\.fact.type) == ["risk.equity_mark"])
    }
}
