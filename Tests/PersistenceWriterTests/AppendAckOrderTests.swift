import BusProtocol
import Testing
import TradingModel

@testable import PersistenceWriter

/// The append ack carries the order its facts are about, as projected inside the committing
/// transaction, so the gateway answers without a `journal.order` read-back (issue 13).
@Suite("Append acks carry the order")
struct AppendAckOrderTests {
    @Test("an intent, then its outcome: each ack has the order as that commit left it")
    func intentThenOutcome() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let intent = try store.appendProjecting([AppendRequest(facts: [Facts.intent("o-1")])]).results
        #expect(intent.first?.outcome == .committed(seqs: [1]))
        #expect(intent.first?.order?.state == .pendingNew)
        #expect(intent.first?.order == (try store.order(account: Facts.account, clientOrderId: "o-1")))
        let outcome = try store.appendProjecting([AppendRequest(facts: [
            Facts.accepted("o-1"), Facts.fill("o-1", trade: "t-1", qty: "3", price: "100"),
        ])]).results
        #expect(outcome.first?.order?.state == .filled)
        #expect(outcome.first?.order?.filledQty == dec("3"))
        #expect(outcome.first?.order == (try store.order(account: Facts.account, clientOrderId: "o-1")))
    }

    @Test("a duplicate carries the order as it stands; a rejected append and a mixed one carry none")
    func duplicateRejectedMixed() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        _ = try store.append(requests(Facts.intent("o-1"), Facts.intent("o-2"), Facts.closed("o-1", .canceled)))
        let results = try store.appendProjecting([
            AppendRequest(facts: [Facts.intent("o-1")]),
            AppendRequest(facts: [Facts.accepted("o-9")]),
            AppendRequest(facts: [Facts.accepted("o-2"), Facts.closed("o-1", .canceled)]),
        ]).results
        #expect(results[0].outcome == .duplicate(seqs: [1]))
        #expect(results[0].order?.state == .canceled)
        #expect(results[1].outcome.error?.reason == "unknown_order")
        #expect(results[1].order == nil)
        #expect(results[2].order == nil, "facts about two orders name no single order")
    }

    @Test("the wire ack carries the order; facts that are not about an order carry none")
    func wireAck() async throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let alarm = SaturationAlarm(name: "test", logger: .init(label: "test"), now: { 0 })
        let batcher = AppendBatcher(limit: 10, maxBatch: 10, saturation: alarm, committing: { (try? store.appendProjecting($0).results) ?? [] })
        let first = await batcher.appendResult(AppendRequest(facts: [Facts.intent("o-1")]))
        #expect(first.order?.clientOrderId == "o-1")
        let halt = Fact(id: "halt:1", account: Facts.account, payload: .tradingHalt(TradingHalt(halted: true, reason: "test", operationId: "op-1")))
        let other = await batcher.appendResult(AppendRequest(facts: [halt]))
        #expect(other.order == nil)
    }
}
