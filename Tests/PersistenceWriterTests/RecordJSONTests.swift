import BusKit
import Foundation
import Testing
import TradingModel

@testable import PersistenceWriter

@Suite("Published records written from the stored payload")
struct RecordJSONTests {
    static let awkward = "a\"b\\c\nd\te\u{01}f/g é 😀"

    @Test(arguments: [(nil, nil), (Optional(3), Optional(Int64(9)))] as [(Int?, Int64?)])
    func theHandWrittenBodyDecodesToTheSameRecord(partition: Int?, epoch: Int64?) throws {
        let facts = [
            Facts.intent("o-1"), Facts.fill("o-1", trade: "t-1", qty: "0.000000000001", price: "100.5", fee: "0.01"),
            Facts.closed("o-1", .canceled, id: Self.awkward, reason: Self.awkward),
            Fact(id: "op", account: Self.awkward, payload: .operationRecorded(OperationRecorded(
                operationId: "op-1", kind: "cancel_all", state: .pending, detail: #"{"x":"\"y\""}"#))),
        ]
        for fact in facts {
            let payload = try FactCodec.payloadJSON(fact.payload)
            let body = RecordJSON.body(seq: 42, fact: fact, payloadJSON: payload, partition: partition, epoch: epoch, ts: 7)
            let expected = JournalRecord(seq: 42, fact: fact, partition: partition, epoch: epoch, ts: 7)
            #expect(try JSONDecoder().decode(JournalRecord.self, from: body) == expected)
            #expect(try WireCodec.decode(JournalRecord.self, from: body) == expected)
        }
    }

    @Test func aRejectedRequestLeavesNoPayloadToPublish() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let bad = AppendRequest(facts: [Facts.intent("o-2"), Facts.accepted("nope")])
        let (outcomes, payloads) = try store.appendKeepingPayloads([AppendRequest(facts: [Facts.intent("o-1")]), bad])
        #expect(outcomes.first == .committed(seqs: [1]))
        #expect(outcomes.last?.error?.reason == "unknown_order")
        #expect(Array(payloads.keys) == [1])
    }
}
