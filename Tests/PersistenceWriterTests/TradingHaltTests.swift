import BusProtocol
import Foundation
import Testing
import TradingModel

@testable import PersistenceWriter

@Suite("The kill switch's halt: the writer refuses new intents of a halted account until it is resumed")
struct TradingHaltTests {
    let dir: TemporaryDirectory
    let store: JournalStore

    init() throws {
        dir = try TemporaryDirectory()
        store = try openStore(in: dir)
    }

    static func halt(_ halted: Bool, id: String, account: String = Facts.account) -> Fact {
        Fact(
            id: id, account: account,
            payload: .tradingHalt(TradingHalt(halted: halted, reason: halted ? "kill_switch" : "operator_resume", operationId: halted ? "kill:r-1" : nil)))
    }

    @Test func aHaltedAccountGetsTradingHaltedForNewIntentsUntilResumedAlsoAfterAReopen() throws {
        #expect(try store.append(requests(Self.halt(true, id: "halt:kill:r-1"))) == [.committed(seqs: [1])])
        let refused = try store.append(requests(Facts.intent("c-1")))
        #expect(refused.first?.error?.code == .tradingHalted && refused.first?.error?.reason == "kill_switch")
        #expect(refused.first?.error?.message.contains("kill:r-1") == true)
        // Another account trades on; an order the reconciler adopts from the venue is journaled.
        #expect(try store.append(requests(Facts.intent("c-2", account: "acc-2"))).first?.error == nil)
        #expect(try store.append(requests(Facts.intent("c-3", id: "external:acc-1:c-3"))).first?.error == nil)

        let reopened = try openStore(in: dir)
        #expect(try reopened.append(requests(Facts.intent("c-1"))).first?.error?.code == .tradingHalted)
        #expect(try reopened.append(requests(Self.halt(false, id: "resume:acc-1:r-2"))).first?.error == nil)
        #expect(try reopened.append(requests(Facts.intent("c-1"))).first?.error == nil)
        let orders = try reopened.dbQueue.read { db in try String.fetchAll(db, sql: "SELECT client_order_id FROM orders ORDER BY client_order_id") }
        #expect(orders == ["c-1", "c-2", "c-3"])
    }

    @Test func aSecondHaltAndAResumeOfATradingAccountChangeNothing() throws {
        #expect(try store.append(requests(Self.halt(false, id: "resume:acc-1:r-0"))).first?.error == nil)
        #expect(try store.append(requests(Facts.intent("c-1"))).first?.error == nil)
        _ = try store.append(requests(Self.halt(true, id: "halt:kill:r-1"), Self.halt(true, id: "halt:kill:r-2")))
        #expect(try store.append(requests(Facts.intent("c-2"))).first?.error?.code == .tradingHalted)
    }

    @Test func aHaltFactWhoseTypeContradictsItsBodyIsRefused() throws {
        let json = #"{"id":"halt:x","type":"trading.halted","account":"acc-1","payload":{"halted":false,"reason":"kill_switch"}}"#
        #expect {
            try JSONDecoder().decode(Fact.self, from: Data(json.utf8))
        } throws: { error in
            (error as? ServiceError)?.reason == "halt_type_mismatch"
        }
        let bad = Fact(id: "halt:y", account: "acc-1", payload: .tradingHalt(TradingHalt(halted: true, reason: "")))
        #expect(try store.append(requests(bad)).first?.error?.reason == "bad_reason")
    }
}
