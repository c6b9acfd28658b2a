import BusProtocol
import Testing
import TradingModel

@testable import PersistenceWriter

/// Which sender may journal which facts on an authenticated bus (issue 16): the writer's own
/// check, after the bus's. Each FORBIDDEN reason is provoked here; the real processes'
/// refusals are in IntegrationTests' BusAuthenticationTests.
@Suite("who may journal which facts")
struct AppendRightsTests {
    static func service(_ name: String) -> Sender { Sender(name: name, role: Sender.servicePrefix + name) }

    static let halt = Fact(id: "halt:1", account: Facts.account, payload: .tradingHalt(TradingHalt(halted: true, reason: "test", operationId: "op-1")))
    static let mark = Fact(
        id: EquityMark.factId(account: Facts.account, at: 1), account: Facts.account,
        payload: .equityMark(EquityMark(day: 1, open: dec("100"), high: dec("100"), initialCapital: dec("100"), at: 1)))
    static let reopened = Fact(
        id: "reopened:r-1", account: Facts.account,
        payload: .reconciliation(.orderReopened(OrderReopened(
            clientOrderId: "r-1", symbol: "BTC/USDT", venueStatus: "new", side: .buy, qty: dec("3"), reserveAsset: "USDT",
            reserveAmount: dec("304")))))

    static func reason(_ sender: Sender?, _ facts: [Fact], fenced: Bool = false) -> String? {
        AppendRights.refusal(sender, facts: facts, fenced: fenced).map { "\($0.code.rawValue)/\($0.reason)" }
    }

    @Test("each service journals its own facts: risk the intents and its state, the gateway the venue's answers and the kill switch, the reconciler what it finds")
    func eachServiceJournalsItsOwnFacts() {
        let risk = Self.service("risk-service"), gateway = Self.service("order-gateway"), reconciler = Self.service("reconciler")
        let venueFacts = [Facts.accepted("o-1"), Facts.fill("o-1", trade: "t-1", qty: "1", price: "100"), Facts.closed("o-1", .canceled)]
        #expect(Self.reason(risk, [Facts.intent("o-1"), Self.mark]) == nil)
        #expect(Self.reason(risk, [Facts.intent("o-1")], fenced: true) == nil)
        #expect(Self.reason(gateway, venueFacts + [Self.halt]) == nil)
        #expect(Self.reason(reconciler, venueFacts + [Facts.intent("ext-1"), Self.reopened]) == nil)
    }

    @Test("a stolen gateway key cannot journal an intent, risk's state or a reconciliation; risk cannot journal a fill; the reconciler no halt")
    func aServiceJournalsNothingElse() {
        let risk = Self.service("risk-service"), gateway = Self.service("order-gateway"), reconciler = Self.service("reconciler")
        #expect(Self.reason(gateway, [Facts.intent("o-1")]) == "FORBIDDEN/fact_not_allowed")
        #expect(Self.reason(gateway, [Self.mark]) == "FORBIDDEN/fact_not_allowed")
        #expect(Self.reason(gateway, [Self.reopened]) == "FORBIDDEN/fact_not_allowed")
        #expect(Self.reason(risk, [Facts.fill("o-1", trade: "t-1", qty: "1", price: "100")]) == "FORBIDDEN/fact_not_allowed")
        #expect(Self.reason(reconciler, [Self.halt]) == "FORBIDDEN/fact_not_allowed")
        // One fact not its own refuses the whole append: nothing of it is journaled.
        #expect(Self.reason(gateway, [Facts.accepted("o-1"), Facts.intent("o-2")]) == "FORBIDDEN/fact_not_allowed")
        // A service the writer does not know journals nothing.
        #expect(Self.reason(Self.service("venue-sim"), [Facts.accepted("o-1")]) == "FORBIDDEN/fact_not_allowed")
    }

    @Test("only risk-service writes under a partition's fence")
    func onlyRiskWritesUnderAFence() {
        #expect(Self.reason(Self.service("order-gateway"), [Facts.accepted("o-1")], fenced: true) == "FORBIDDEN/fence_not_allowed")
        #expect(Self.reason(Self.service("reconciler"), [Facts.intent("o-1")], fenced: true) == "FORBIDDEN/fence_not_allowed")
    }

    @Test("no sender, an operator or a client: refused whatever the facts")
    func onlyServicesJournal() {
        #expect(Self.reason(nil, [Facts.accepted("o-1")]) == "FORBIDDEN/sender_unknown")
        #expect(Self.reason(Sender(name: "operator", role: "operator"), [Self.halt]) == "FORBIDDEN/service_only")
        #expect(Self.reason(Sender(name: "strategy-1", role: "client"), [Facts.intent("o-1")]) == "FORBIDDEN/service_only")
        // A role that only looks like a service's ("service:" with no name) is no service.
        #expect(Self.reason(Sender(name: "x", role: "service:"), [Facts.accepted("o-1")]) == "FORBIDDEN/service_only")
    }
}
