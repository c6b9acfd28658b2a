import BusProtocol
import Foundation
import Testing
import TradingModel

@testable import PersistenceWriter

@Suite("Reading the journal and the wire shapes")
struct ReadTests {
    @Test func readJournalReturnsEntriesFromSeqInclusiveAscendingUpToTheLimit() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let facts = (1...5).map { Facts.intent("o-\($0)") }
        _ = try store.append([
            AppendRequest(facts: Array(facts[0..<2]), partition: 1, epoch: 3, trace: "00-abc-def-01"),
            AppendRequest(facts: Array(facts[2...])),
        ])
        let all = try store.readJournal(fromSeq: 0, limit: 100)
        #expect(all.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(all.map(\.fact) == facts)
        #expect(all[0] == JournalEntry(seq: 1, fact: facts[0], partition: 1, epoch: 3, trace: "00-abc-def-01", ts: testNow))
        #expect(all[4].partition == nil && all[4].trace == nil)
        #expect(try store.readJournal(fromSeq: 2, limit: 2).map(\.seq) == [2, 3])
        #expect(try store.readJournal(fromSeq: 5, limit: 10).map(\.seq) == [5])
        #expect(try store.readJournal(fromSeq: 6, limit: 10).isEmpty)
        #expect(try store.lastSeq() == 5)
    }

    @Test func everyFactTypeRoundTripsThroughTheJournal() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let facts = [
            Facts.intent("o-1"), Facts.accepted("o-1"),
            Facts.fill("o-1", trade: "t-1", qty: "0.000000000001", price: "100.5", fee: "0.01"),
            Facts.closed("o-1", .canceled, reason: "user"),
            Facts.intent("o-2"), Facts.closed("o-2", .unknown), Facts.closed("o-2", .expired),
            Facts.intent("o-3"), Facts.closed("o-3", .rejected, reason: "post_only"),
        ]
        let outcomes = try store.append(facts.map { AppendRequest(facts: [$0]) })
        #expect(outcomes.allSatisfy { if case .committed = $0 { true } else { false } })
        #expect(try store.readJournal(fromSeq: 1, limit: 100).map(\.fact) == facts)
    }

    @Test func readLimitsAreCheckedAndCapped() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir) { $0.maxReadLimit = 2 }
        _ = try store.append(requests(Facts.intent("a"), Facts.intent("b"), Facts.intent("c")))
        #expect(try store.readJournal(fromSeq: 0, limit: 1_000).count == 2)
        #expect(throws: ServiceError.self) { try store.readJournal(fromSeq: 0, limit: 0) }
        #expect(throws: ServiceError.self) { try store.fills(sinceSeq: 0, limit: -1) }
    }

    @Test func fillsSinceSeqAreInclusiveAndAscending() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        _ = try store.append(requests(
            Facts.intent("o-1"), Facts.fill("o-1", trade: "t-1", qty: "1", price: "100"),
            Facts.fill("o-1", trade: "t-2", qty: "1", price: "101")))
        let fills = try store.fills(sinceSeq: 0, limit: 10)
        #expect(fills.map(\.seq) == [2, 3])
        #expect(fills.map(\.fill.tradeId) == ["t-1", "t-2"])
        #expect(try store.fills(sinceSeq: 3, limit: 10).map(\.seq) == [3])
        guard case .fillRecorded(let recorded) = Facts.fill("o-1", trade: "t-1", qty: "1", price: "100").payload else {
            Issue.record("not a fill")
            return
        }
        #expect(fills[0] == FillRow(seq: 2, account: Facts.account, fill: recorded, venue: "sim"))
    }

    @Test func appendOutcomeHasTheTaggedJSONShape() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        func json(_ outcome: AppendOutcome) throws -> String {
            String(decoding: try encoder.encode(outcome), as: UTF8.self)
        }
        #expect(try json(.committed(seqs: [7, 8])) == #"{"seqs":[7,8],"status":"committed"}"#)
        #expect(try json(.duplicate(seqs: [3])) == #"{"seqs":[3],"status":"duplicate"}"#)
        let stale = ServiceError(.staleEpoch, reason: "stale_epoch", "old")
        #expect(try json(.rejected(stale)) ==
            #"{"error":{"code":"STALE_EPOCH","message":"old","reason":"stale_epoch","retryable":false},"status":"rejected"}"#)
        for outcome in [AppendOutcome.committed(seqs: [1]), .duplicate(seqs: [2, 3]), .rejected(stale)] {
            #expect(try JSONDecoder().decode(AppendOutcome.self, from: encoder.encode(outcome)) == outcome)
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(AppendOutcome.self, from: Data(#"{"status":"maybe"}"#.utf8))
        }
    }

    @Test func appendRequestDecodesFromTheWire() throws {
        let json = """
            {"facts":[{"id":"f-1","type":"order.accepted","account":"acc-1",
              "payload":{"client_order_id":"o-1","venue_order_id":"v-1"}}],
             "partition":3,"epoch":9,"trace":"00-aa-bb-01"}
            """
        let request = try JSONDecoder().decode(AppendRequest.self, from: Data(json.utf8))
        #expect(request == AppendRequest(
            facts: [Fact(id: "f-1", account: "acc-1", payload: .orderAccepted(OrderAccepted(
                clientOrderId: "o-1", venueOrderId: "v-1")))],
            partition: 3, epoch: 9, trace: "00-aa-bb-01"))
    }
}

/// Written when `operation.recorded` was added to TradingModel and the writer had no
/// projection for it yet (commit "model: operation.recorded fact"): it passed through
/// the `@unknown default` branches. It now also covers the operation projection.
@Suite("A fact type added to the model later")
struct AddedFactTypeTests {
    @Test func aNewFactTypeIsJournaledReadBackAndDuplicateSafe() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let entry = OperationRecorded(operationId: "op-1", kind: "cancel_all", state: .pending, detail: #"{"account":"acc-1"}"#)
        let fact = Fact(id: entry.factId, account: Facts.account, payload: .operationRecorded(entry))
        #expect(try store.append(requests(fact)) == [.committed(seqs: [1])])
        #expect(try store.readJournal(fromSeq: 1, limit: 10).map(\.fact) == [fact])
        #expect(try store.append(requests(fact)) == [.duplicate(seqs: [1])])
    }
}
