import BusKit
import BusProtocol
import Foundation
import Logging
import ServiceRuntime
import Synchronization
import Testing
import TestSupport
import TradingModel

/// A consumer that misses live facts replays them from the journal and ends with the
/// same fold as one that saw every fact (P5).
@Suite("FactFollower closes gaps from the journal", .serialized, .timeLimit(.minutes(5)))
struct FactFollowerGapTests {
    /// The fold of a consumer: every applied record's (seq, fact id), in the order applied.
    final class Fold: Sendable {
        private let applied = Mutex<[String]>([])
        var entries: [String] { applied.withLock { $0 } }
        func apply(_ record: JournalRecord) { applied.withLock { $0.append("\(record.seq):\(record.fact.id)") } }
    }

    /// A counter shared with the stream filters.
    final class Counter: Sendable {
        private let value = Mutex(0)
        var count: Int { value.withLock { $0 } }
        func increment() { value.withLock { $0 += 1 } }
    }

    /// `events` without the facts whose seq `drop` selects; counts the live facts let through.
    static func filtered(_ events: AsyncStream<Message>, live: Counter, drop: @escaping @Sendable (Int64) -> Bool) -> AsyncStream<Message> {
        AsyncStream { continuation in
            let task = Task {
                for await message in events {
                    if let seq = message.header.seq, drop(seq) { continue }
                    if message.header.seq != nil { live.increment() }
                    continuation.yield(message)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    @Test("followers that miss live facts (a gap; the last fact) fold exactly what one that saw all folds")
    func aGapIsReplayedAndTheFoldsAreEqual() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try suite.start(["bus", "persistence-writer"])
        let producerClient = try suite.client()
        let allClient = try suite.client(subscriptions: [JournalAPI.factTopic])
        let gapClient = try suite.client(subscriptions: [JournalAPI.factTopic])
        let tailClient = try suite.client(subscriptions: [JournalAPI.factTopic])
        defer { [producerClient, allClient, gapClient, tailClient].forEach { $0.close() } }
        var logger = Logger(label: "test-follower")
        logger.logLevel = .error
        let sawAll = FactFollower(bus: allClient.bus, logger: logger, quietInterval: .seconds(30))
        // The gap follower's quiet-time replay is far off, so only the gap itself can bring back
        // what it missed (a short timer could replay first and hide the gap under load).
        let missing = FactFollower(bus: gapClient.bus, logger: logger, quietInterval: .seconds(60))
        // The tail follower loses the LAST fact: no later fact reveals it, only the quiet-time replay.
        let tail = FactFollower(bus: tailClient.bus, logger: logger, quietInterval: .milliseconds(300))
        let allFold = Fold(), gapFold = Fold(), tailFold = Fold()
        let allLive = Counter(), gapLive = Counter(), tailLive = Counter()
        let total: Int64 = 60
        let gapEvents = Self.filtered(gapClient.bus.events, live: gapLive) { (20...29).contains($0) }
        let tailEvents = Self.filtered(tailClient.bus.events, live: tailLive) { $0 == total }
        let allEvents = Self.filtered(allClient.bus.events, live: allLive) { _ in false }
        let following = [
            Task { await sawAll.run(events: allEvents) { allFold.apply($0) } },
            Task { await missing.run(events: gapEvents) { gapFold.apply($0) } },
            Task { await tail.run(events: tailEvents) { tailFold.apply($0) } },
        ]
        defer { following.forEach { $0.cancel() } }

        let log = AckLog()
        let producer = JournalProducer(client: producerClient, name: "f", log: log)
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        // Warm up until both subscriptions deliver live facts (ZeroMQ subscriptions join late).
        var index = 0
        #expect(try await eventually(timeout: .seconds(30)) {
            guard await producer.append(JournalProducer.fact(producer: "f", index: index), deadline: deadline) else { return false }
            index += 1
            return allLive.count > 0 && gapLive.count > 0 && tailLive.count > 0
        })
        #expect(index < 20, "the warm-up must end before the gap")
        while index < Int(total) {
            #expect(await producer.append(JournalProducer.fact(producer: "f", index: index), deadline: deadline))
            index += 1
        }

        #expect(try await eventually(timeout: .seconds(20)) {
            let seen = await sawAll.lastSeq, caughtUp = await missing.lastSeq, tailSeq = await tail.lastSeq
            return seen == total && caughtUp == total && tailSeq == total
        })
        let gapReplays = await missing.gapReplays
        #expect(gapReplays >= 1, "the skipped seqs must be noticed as a gap")
        #expect(allFold.entries.count == Int(total))
        #expect(gapFold.entries == allFold.entries)
        #expect(tailFold.entries == allFold.entries)
        #expect(allLive.count > gapLive.count)
    }
}
