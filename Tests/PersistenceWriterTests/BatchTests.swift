import BusProtocol
import Testing
import TradingModel

@testable import PersistenceWriter

@Suite("Batches, savepoints, atomic requests and fencing")
struct BatchTests {
    /// Bad requests of every kind the writer refuses, with the code they must get.
    static let badRequests: [(String, AppendRequest, ErrorCode, String)] = [
        ("accepted for an unknown order", AppendRequest(facts: [Facts.accepted("nope")]), .notFound, "unknown_order"),
        ("fill of the wrong side", AppendRequest(facts: [Facts.fill("o-closed", trade: "t-9", side: .sell, qty: "1", price: "100")]),
         .invalidRequest, "fill_mismatch"),
        ("stale epoch", AppendRequest(facts: [Facts.intent("o-stale")], partition: 7, epoch: 1), .staleEpoch, "stale_epoch"),
        ("zero quantity", AppendRequest(facts: [Facts.intent("o-q", qty: "0")]), .invalidQuantity, "qty_not_positive"),
        ("zero price", AppendRequest(facts: [Facts.fill("o-p", trade: "t-p", qty: "1", price: "0")]),
         .invalidPrice, "price_not_positive"),
        ("huge number", AppendRequest(facts: [Facts.intent("o-h", qty: "1000000000000")]), .invalidNumber, "out_of_range"),
        ("no facts", AppendRequest(facts: []), .invalidRequest, "no_facts"),
        ("bad client order id", AppendRequest(facts: [Facts.intent("has space")]), .invalidRequest, "bad_client_order_id"),
        ("partition without epoch", AppendRequest(facts: [Facts.intent("o-pe")], partition: 7), .invalidRequest,
         "partition_without_epoch"),
    ]

    @Test(arguments: badRequests)
    func aBadRequestIsRejectedAloneAndTheOthersCommit(
        name: String, bad: AppendRequest, code: ErrorCode, reason: String
    ) throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        // Set-up: a canceled order, and partition 7 at epoch 2.
        _ = try store.append([
            AppendRequest(facts: [Facts.intent("o-closed"), Facts.closed("o-closed", .canceled)]),
            AppendRequest(facts: [Facts.intent("o-fence")], partition: 7, epoch: 2),
        ])
        let before = try store.lastSeq()
        let outcomes = try store.append([
            AppendRequest(facts: [Facts.intent("a")]), bad, AppendRequest(facts: [Facts.intent("b")]),
        ])
        #expect(outcomes[0] == .committed(seqs: [before + 1]), "\(name)")
        #expect(outcomes[1].error?.code == code, "\(name)")
        #expect(outcomes[1].error?.reason == reason, "\(name)")
        #expect(outcomes[2] == .committed(seqs: [before + 2]), "\(name)")
        #expect(try store.lastSeq() == before + 2, "\(name)")
        #expect(try store.order(account: Facts.account, clientOrderId: "b") != nil)
    }

    @Test func aRequestIsAtomicWhenItsSecondFactIsInvalid() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let outcomes = try store.append([
            AppendRequest(facts: [Facts.intent("o-1"), Facts.accepted("o-unknown")])
        ])
        #expect(outcomes.first?.error?.code == .notFound)
        #expect(try store.order(account: Facts.account, clientOrderId: "o-1") == nil)
        #expect(try store.reservation(account: Facts.account, clientOrderId: "o-1") == nil)
        #expect(try store.lastSeq() == 0)
        // The fact id of the rolled-back intent is free: a corrected resend commits.
        #expect(try store.append(requests(Facts.intent("o-1"))) == [.committed(seqs: [1])])
    }

    @Test func aStaleEpochIsRejectedAndANewerEpochIsAccepted() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        func write(_ id: String, epoch: Int64) throws -> AppendOutcome {
            try store.append([AppendRequest(facts: [Facts.intent(id)], partition: 3, epoch: epoch)])[0]
        }
        #expect(try write("o-1", epoch: 5) == .committed(seqs: [1]))
        #expect(try write("o-2", epoch: 5) == .committed(seqs: [2]))
        #expect(try write("o-3", epoch: 4).error?.code == .staleEpoch)
        #expect(try write("o-4", epoch: 6) == .committed(seqs: [3]))
        #expect(try write("o-5", epoch: 5).error?.code == .staleEpoch)
        // Other partitions have their own epochs.
        let other = try store.append([AppendRequest(facts: [Facts.intent("o-6")], partition: 4, epoch: 1)])
        #expect(other == [.committed(seqs: [4])])
        #expect(try store.order(account: Facts.account, clientOrderId: "o-5") == nil)
    }

    @Test func aLeaseClaimRaisesTheEpochAndJournalsNothing() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        #expect(try store.append([AppendRequest(facts: [Facts.intent("old-1")], partition: 5, epoch: 1)]) == [.committed(seqs: [1])])
        // The new owner claims epoch 2 before it reads the journal …
        #expect(try store.append([AppendRequest(facts: [], partition: 5, epoch: 2)]) == [.committed(seqs: [])])
        #expect(try store.lastSeq() == 1)
        // … so the old owner's next write cannot commit behind its back.
        let late = try store.append([AppendRequest(facts: [Facts.intent("old-2")], partition: 5, epoch: 1)])
        #expect(late.first?.error?.code == .staleEpoch)
        #expect(try store.append([AppendRequest(facts: [Facts.intent("new-1")], partition: 5, epoch: 2)]) == [.committed(seqs: [2])])
        // A claim under a stale epoch is refused like any write.
        #expect(try store.append([AppendRequest(facts: [], partition: 5, epoch: 1)]).first?.error?.code == .staleEpoch)
    }

    @Test func aRejectedRequestDoesNotAdvanceTheEpoch() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        _ = try store.append([AppendRequest(facts: [Facts.intent("o-1")], partition: 1, epoch: 1)])
        let bad = AppendRequest(facts: [Facts.intent("o-2"), Facts.accepted("missing")], partition: 1, epoch: 9)
        #expect(try store.append([bad]).first?.error?.code == .notFound)
        let outcome = try store.append([AppendRequest(facts: [Facts.intent("o-3")], partition: 1, epoch: 1)])
        #expect(outcome == [.committed(seqs: [2])])
    }

    @Test func aResendOfACommittedWriteIsADuplicateEvenUnderAStaleEpoch() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let request = AppendRequest(facts: [Facts.intent("o-1")], partition: 2, epoch: 1)
        _ = try store.append([request])
        _ = try store.append([AppendRequest(facts: [Facts.intent("o-2")], partition: 2, epoch: 2)])
        #expect(try store.append([request]) == [.duplicate(seqs: [1])])
    }

    @Test func tooManyFactsInOneRequestAreRejected() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir) { $0.maxFactsPerRequest = 2 }
        let request = AppendRequest(facts: [Facts.intent("a"), Facts.intent("b"), Facts.intent("c")])
        #expect(try store.append([request]).first?.error?.reason == "too_many_facts")
        #expect(try store.lastSeq() == 0)
    }

    @Test func anEmptyBatchWritesNothing() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        #expect(try store.append([]) == [])
        #expect(try store.lastSeq() == 0)
    }
}
