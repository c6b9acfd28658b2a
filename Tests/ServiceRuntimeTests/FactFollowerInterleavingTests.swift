import BusKit
import BusProtocol
import Foundation
import Logging
import Observability
import ServiceRuntime
import Testing
import TradingModel

/// A journal of `count` records served from memory: the writer's side of a replay.
struct FixedJournal: JournalPageSource {
    let records: [JournalRecord]
    let pageSize: Int

    init(count: Int, pageSize: Int = 2) {
        records = (1...Int64(count)).map { seq in
            JournalRecord(seq: seq, fact: Fact(id: "f-\(seq)", account: "a", payload: .orderClosed(
                OrderClosed(clientOrderId: "o-\(seq)", state: .canceled, reason: nil))), partition: nil, epoch: nil, ts: seq)
        }
        self.pageSize = pageSize
    }

    func readJournal(fromSeq: Int64, limit: Int) async throws(ServiceError) -> JournalPage {
        let page = records.filter { $0.seq >= fromSeq }.prefix(min(limit, pageSize))
        return JournalPage(records: Array(page), lastSeq: Int64(records.count))
    }

    /// The live event of record `seq`, as the writer publishes it.
    func live(_ seq: Int64) -> Message {
        var header = Header(id: "e-\(seq)", type: JournalAPI.factTopic + "order.closed", ts: 0)
        header.seq = seq
        return Message(header: header, body: WireCodec.encode(records[Int(seq) - 1]))
    }
}

/// What was applied, in order, and a way to hold one apply open.
actor Applied {
    private(set) var seqs: [Int64] = []
    private var held: Int64?
    private var release: CheckedContinuation<Void, Never>?
    private var entered: CheckedContinuation<Void, Never>?
    private var hasEntered = false

    /// Makes the apply of `seq` wait until `open()`.
    func hold(_ seq: Int64) { held = seq }

    func apply(_ record: JournalRecord) async {
        seqs.append(record.seq)
        guard record.seq == held else { return }
        hasEntered = true
        entered?.resume()
        entered = nil
        await withCheckedContinuation { release = $0 }
    }

    /// Returns once the held apply is running (suspended inside `apply`).
    func waitUntilHeld() async {
        if hasEntered { return }
        await withCheckedContinuation { entered = $0 }
    }

    func open() {
        held = nil
        release?.resume()
        release = nil
    }
}

@Suite("FactFollower never applies a record twice or out of order")
struct FactFollowerInterleavingTests {
    static let logger = Logger(label: "test-follower")

    @Test("a catch-up that starts while a live fact is being applied waits for it, then replays the rest once")
    func catchUpDuringALiveApplyWaits() async throws {
        let journal = FixedJournal(count: 6)
        let follower = FactFollower(source: journal, logger: Self.logger, health: ServiceHealth())
        let applied = Applied()
        await applied.hold(1)
        let live = Task { await follower.receive(journal.live(1)) { await applied.apply($0) } }
        await applied.waitUntilHeld()
        // The live apply of seq 1 is suspended; a replay starts now (the quiet timer's).
        let replay = Task { try await follower.catchUp { await applied.apply($0) } }
        // Let the replay task reach the gate: with the race it would now re-apply seq 1.
        for _ in 0..<50 { await Task.yield() }
        await applied.open()
        await live.value
        try await replay.value
        #expect(await applied.seqs == [1, 2, 3, 4, 5, 6])
        #expect(await follower.lastSeq == 6)
    }

    @Test("a live fact that arrives while a replay is applying is skipped once the replay covered it")
    func liveDuringReplayIsSkipped() async throws {
        let journal = FixedJournal(count: 6)
        let follower = FactFollower(source: journal, logger: Self.logger, health: ServiceHealth())
        let applied = Applied()
        await applied.hold(3)
        let replay = Task { try await follower.catchUp { await applied.apply($0) } }
        await applied.waitUntilHeld()
        // Live facts 4 and 2 arrive while the replay is inside seq 3.
        let live4 = Task { await follower.receive(journal.live(4)) { await applied.apply($0) } }
        let live2 = Task { await follower.receive(journal.live(2)) { await applied.apply($0) } }
        for _ in 0..<50 { await Task.yield() }
        await applied.open()
        try await replay.value
        await live4.value
        await live2.value
        #expect(await applied.seqs == [1, 2, 3, 4, 5, 6])
        #expect(await follower.lastSeq == 6)
    }

    @Test("health says catching_up with the progress until the first catch-up is done")
    func healthReportsProgress() async throws {
        let journal = FixedJournal(count: 4)
        let health = ServiceHealth()
        let follower = FactFollower(source: journal, logger: Self.logger, health: health)
        #expect(health.problems()["facts"] == "catching_up: applied seq 0")
        let applied = Applied()
        await applied.hold(3)
        let replay = Task { try await follower.catchUp { await applied.apply($0) } }
        await applied.waitUntilHeld()
        #expect(health.problems()["facts"] == "catching_up: applied seq 2 of 4")
        await applied.open()
        try await replay.value
        #expect(health.problems().isEmpty)
    }
}
