import BusProtocol
import Testing
import TradingModel

@testable import PersistenceWriter

@Suite("The operation log (P4): pending → in_progress → completed | failed | rolled_back")
struct OperationLogTests {
    let dir: TemporaryDirectory
    let store: JournalStore

    init() throws {
        dir = try TemporaryDirectory()
        store = try openStore(in: dir)
    }

    static func entry(_ id: String, _ state: OperationState, kind: String = "cancel_all", account: String = Facts.account, error: String? = nil, factId: String? = nil) -> Fact {
        let entry = OperationRecorded(operationId: id, kind: kind, state: state, detail: state == .pending ? #"{"step":0}"# : nil, error: error)
        return Fact(id: factId ?? entry.factId, account: account, payload: .operationRecorded(entry))
    }

    @Test func anOperationIsUnfinishedUntilItCompletesAndSurvivesARestart() throws {
        _ = try store.append(requests(Self.entry("op-1", .pending), Self.entry("op-1", .inProgress)))
        var unfinished = try store.unfinishedOperations()
        #expect(unfinished.map(\.operationId) == ["op-1"])
        #expect(unfinished.first?.state == .inProgress && unfinished.first?.detail == #"{"step":0}"#)
        #expect(unfinished.first?.createdSeq == 1 && unfinished.first?.updatedSeq == 2)

        let reopened = try openStore(in: dir)
        #expect(try reopened.unfinishedOperations().map(\.operationId) == ["op-1"])
        #expect(try reopened.append(requests(Self.entry("op-1", .completed))) == [.committed(seqs: [3])])
        unfinished = try reopened.unfinishedOperations()
        #expect(unfinished.isEmpty)
    }

    @Test(arguments: [OperationState.failed, .rolledBack])
    func failedAndRolledBackOperationsAreFinishedWithTheirError(state: OperationState) throws {
        _ = try store.append(requests(Self.entry("op-1", .pending), Self.entry("op-1", state, error: "venue down")))
        #expect(try store.unfinishedOperations().isEmpty)
        let error = try store.dbQueue.read { db in try String.fetchOne(db, sql: "SELECT error FROM operations WHERE id = 'op-1'") }
        #expect(error == "venue down")
    }

    @Test func anOperationMustStartPending() throws {
        let outcome = try store.append(requests(Self.entry("op-1", .inProgress)))
        #expect(outcome.first?.error?.reason == "operation_not_pending")
        #expect(try store.lastSeq() == 0)
    }

    @Test(arguments: [(OperationState.completed, OperationState.inProgress), (.pending, .completed), (.failed, .rolledBack)])
    func illegalMovesAreRefusedAndChangeNothing(from: OperationState, to: OperationState) throws {
        var path: [OperationState] = [.pending]
        if from == .completed { path += [.inProgress, .completed] }
        if from == .failed { path += [.failed] }
        _ = try store.append(path.map { AppendRequest(facts: [Self.entry("op-1", $0)]) })
        let outcome = try store.append(requests(Self.entry("op-1", to, factId: "late-entry")))
        #expect(outcome.first?.error?.reason == "illegal_transition")
        let state = try store.dbQueue.read { db in try String.fetchOne(db, sql: "SELECT state FROM operations WHERE id = 'op-1'") }
        #expect(state == from.rawValue)
    }

    @Test func anotherKindOrAccountUnderTheSameIdIsRefused() throws {
        _ = try store.append(requests(Self.entry("op-1", .pending)))
        #expect(try store.append(requests(Self.entry("op-1", .inProgress, kind: "other"))).first?.error?.reason == "operation_mismatch")
        #expect(try store.append(requests(Self.entry("op-1", .inProgress, account: "acc-2"))).first?.error?.reason == "operation_mismatch")
    }

    @Test func unfinishedOperationsFilterByAccount() throws {
        _ = try store.append(requests(Self.entry("op-1", .pending), Self.entry("op-2", .pending, account: "acc-2")))
        #expect(try store.unfinishedOperations(account: "acc-2").map(\.operationId) == ["op-2"])
        #expect(try store.unfinishedOperations().map(\.operationId) == ["op-1", "op-2"])
    }

    @Test func anOversizedDetailIsRefused() throws {
        let entry = OperationRecorded(operationId: "op-1", kind: "k", state: .pending, detail: String(repeating: "x", count: 20_000))
        let outcome = try store.append(requests(Fact(id: entry.factId, account: Facts.account, payload: .operationRecorded(entry))))
        #expect(outcome.first?.error?.reason == "detail_too_long")
    }
}
