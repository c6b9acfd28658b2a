import BusProtocol
import GRDB
import Testing
import TradingModel

@testable import PersistenceWriter

@Suite("Idempotency by fact id, trade id and client_order_id")
struct IdempotencyTests {
    @Test func sameFactIdTwiceIsOneRowAndTheSecondIsADuplicateWithTheOriginalSeq() throws {
        let dir = try TemporaryDirectory()
        let intent = Facts.intent("o-1")
        let firstSeq: Int64
        do {
            let store = try openStore(in: dir)
            let first = try store.append(requests(intent))
            let second = try store.append(requests(intent))
            firstSeq = try #require(first.first?.seqs.first)
            #expect(first == [.committed(seqs: [firstSeq])])
            #expect(second == [.duplicate(seqs: [firstSeq])])
        }
        // After closing and reopening, the journal still knows the fact.
        let reopened = try openStore(in: dir)
        #expect(try reopened.append(requests(intent)) == [.duplicate(seqs: [firstSeq])])
        #expect(try reopened.lastSeq() == firstSeq)
        #expect(try reopened.readJournal(fromSeq: 0, limit: 10).count == 1)
    }

    @Test func sameFactIdTwiceInOneBatchIsCommittedThenDuplicate() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let outcomes = try store.append(requests(Facts.intent("o-1"), Facts.intent("o-1")))
        #expect(outcomes == [.committed(seqs: [1]), .duplicate(seqs: [1])])
    }

    @Test func aMixOfKnownAndNewFactsCommitsTheNewOnesAndKeepsTheOriginalSeqs() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        _ = try store.append(requests(Facts.intent("o-1")))
        let outcome = try store.append([AppendRequest(facts: [Facts.intent("o-1"), Facts.accepted("o-1")])])
        #expect(outcome == [.committed(seqs: [1, 2])])
        #expect(try store.order(account: Facts.account, clientOrderId: "o-1")?.state == .accepted)
    }

    @Test func aFactRepeatedInsideOneRequestGetsOneRow() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let intent = Facts.intent("o-1")
        #expect(try store.append([AppendRequest(facts: [intent, intent])]) == [.committed(seqs: [1, 1])])
        #expect(try store.lastSeq() == 1)
    }

    @Test func aTradeIdRecordedUnderAnotherFactIdIsADuplicateWithoutASecondRow() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        _ = try store.append(requests(Facts.intent("o-1"), Facts.accepted("o-1")))
        let stream = Facts.fill("o-1", trade: "t-1", id: "stream:t-1", qty: "1", price: "100")
        let poll = Facts.fill("o-1", trade: "t-1", id: "poll:t-1", qty: "1", price: "100")
        let outcomes = try store.append(requests(stream, poll))
        #expect(outcomes == [.committed(seqs: [3]), .duplicate(seqs: [3])])
        #expect(try store.lastSeq() == 3)
        #expect(try store.fills(sinceSeq: 0, limit: 10).map(\.fill.tradeId) == ["t-1"])
        #expect(try store.order(account: Facts.account, clientOrderId: "o-1")?.filledQty == dec("1"))
    }

    @Test func aSecondIntentForTheSameClientOrderIdIsRejectedAsDuplicate() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let outcomes = try store.append(requests(
            Facts.intent("o-1", id: "intent-a"), Facts.intent("o-1", id: "intent-b", qty: "5")))
        #expect(outcomes.first == .committed(seqs: [1]))
        #expect(outcomes.last?.error?.code == .duplicate)
        #expect(outcomes.last?.error?.reason == "client_order_id_exists")
        #expect(try store.order(account: Facts.account, clientOrderId: "o-1")?.qty == dec("3"))
        #expect(try store.lastSeq() == 1)
    }

    @Test func theSameClientOrderIdInAnotherAccountIsAnotherOrder() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let outcomes = try store.append(requests(
            Facts.intent("o-1"), Facts.intent("o-1", id: "intent:acc-2:o-1", account: "acc-2")))
        #expect(outcomes == [.committed(seqs: [1]), .committed(seqs: [2])])
    }

    @Test func theJournalRefusesUpdatesAndDeletes() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        _ = try store.append(requests(Facts.intent("o-1")))
        #expect(throws: DatabaseError.self) {
            try store.dbQueue.write { db in try db.execute(sql: "UPDATE journal SET account = 'x'") }
        }
        #expect(throws: DatabaseError.self) {
            try store.dbQueue.write { db in try db.execute(sql: "DELETE FROM journal") }
        }
        #expect(try store.lastSeq() == 1)
    }
}
