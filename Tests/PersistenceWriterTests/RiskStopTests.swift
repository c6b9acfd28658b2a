import BusProtocol
import Foundation
import Testing
import TradingModel

@testable import PersistenceWriter

@Suite("Breakers and the governor in the journal's order: the writer refuses new intents while a stop holds")
struct RiskStopTests {
    let dir: TemporaryDirectory
    let store: JournalStore

    init() throws {
        dir = try TemporaryDirectory()
        store = try openStore(in: dir)
    }

    static func breaker(
        _ scope: String, _ number: Int64, _ from: BreakerTransition.State, _ to: BreakerTransition.State
    ) -> Fact {
        Fact(
            id: BreakerTransition.factId(scope: scope, number: number), account: scope,
            payload: .breakerTransition(BreakerTransition(number: number, from: from, to: to, reason: "test", at: number)))
    }

    static func governor(_ number: Int64, _ from: GovernorTransition.Level, _ to: GovernorTransition.Level) -> Fact {
        Fact(
            id: GovernorTransition.factId(account: Facts.account, number: number), account: Facts.account,
            payload: .governorTransition(GovernorTransition(
                number: number, from: from, to: to, reason: "test", drawdown: ExactDecimal(units: 0), at: number)))
    }

    /// An intent like `Facts.intent`, marked as risk marks a reduce-only order that lowers its position.
    static func closingIntent(_ clientOrderId: String) -> Fact {
        var fact = Facts.intent(clientOrderId, side: .sell, reserveAsset: "BTC", reserve: "3")
        if case .orderIntent(var intent) = fact.payload {
            intent.closing = true
            fact.payload = .orderIntent(intent)
        }
        return fact
    }

    func error(_ fact: Fact, in store: JournalStore? = nil) throws -> ServiceError? {
        try (store ?? self.store).append(requests(fact)).first?.error
    }

    @Test func theGlobalBreakerOpenOrDrainingRefusesEveryAccountsNewIntentsUntilItLeaves() throws {
        #expect(try error(Self.breaker("*", 1, .closed, .draining)) == nil)
        let draining = try error(Facts.intent("c-1"))
        #expect(draining?.code == .breakerOpen && draining?.reason == "breaker_draining")
        #expect(draining?.message.contains("the global breaker") == true)
        #expect(try error(Facts.intent("c-2", account: "acc-2"))?.code == .breakerOpen)
        #expect(try error(Self.breaker("*", 2, .draining, .open)) == nil)
        #expect(try error(Facts.intent("c-1"))?.reason == "breaker_open")
        // A closing order and an order adopted from the venue pass; so does a probe in HALF_OPEN.
        #expect(try error(Self.closingIntent("close-1")) == nil)
        #expect(try error(Facts.intent("c-3", id: "external:acc-1:c-3")) == nil)
        #expect(try error(Self.breaker("*", 3, .open, .halfOpen)) == nil)
        #expect(try error(Facts.intent("c-1")) == nil)
        let orders = try store.dbQueue.read { db in try String.fetchAll(db, sql: "SELECT client_order_id FROM orders ORDER BY client_order_id") }
        #expect(orders == ["c-1", "c-3", "close-1"])
    }

    @Test func anAccountsBreakerStopsOnlyThatAccountAlsoAfterAReopen() throws {
        #expect(try error(Self.breaker(Facts.account, 1, .closed, .open)) == nil)
        let refused = try error(Facts.intent("c-1"))
        #expect(refused?.code == .breakerOpen && refused?.message.contains("the breaker of '\(Facts.account)'") == true)
        #expect(try error(Facts.intent("c-2", account: "acc-2")) == nil)
        let reopened = try openStore(in: dir)
        #expect(try error(Facts.intent("c-1"), in: reopened)?.code == .breakerOpen)
        #expect(try error(Self.breaker(Facts.account, 2, .open, .halfOpen), in: reopened) == nil)
        #expect(try error(Facts.intent("c-1"), in: reopened) == nil)
    }

    @Test func hardStopRefusesNewIntentsButLetsAClosingOrderThrough() throws {
        #expect(try error(Self.governor(1, .normal, .quarantine)) == nil)
        #expect(try error(Facts.intent("c-1")) == nil)  // risk decides what QUARANTINE lets through
        #expect(try error(Self.governor(2, .quarantine, .hardStop)) == nil)
        let refused = try error(Facts.intent("c-2"))
        #expect(refused?.code == .governor && refused?.reason == "hard_stop")
        #expect(try error(Self.closingIntent("close-1")) == nil)
        #expect(try error(Self.governor(3, .hardStop, .quarantine)) == nil)
        #expect(try error(Facts.intent("c-2")) == nil)
    }

    @Test func aRepeatOfAnIntentCommittedBeforeTheTripIsStillItsDuplicate() throws {
        #expect(try store.append(requests(Facts.intent("c-1"))) == [.committed(seqs: [1])])
        #expect(try error(Self.breaker("*", 1, .closed, .open)) == nil)
        #expect(try store.append(requests(Facts.intent("c-1"))) == [.duplicate(seqs: [1])])
    }

    @Test func closingIsOmittedFromTheWireUnlessSet() throws {
        let plain = try JSONEncoder().encode(Facts.intent("c-1"))
        #expect(!String(decoding: plain, as: UTF8.self).contains("closing"))
        let closing = try JSONEncoder().encode(Self.closingIntent("c-1"))
        #expect(String(decoding: closing, as: UTF8.self).contains(#""closing":true"#))
        #expect(try JSONDecoder().decode(Fact.self, from: closing) == Self.closingIntent("c-1"))
    }
}
